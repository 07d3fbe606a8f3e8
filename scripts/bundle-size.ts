/**
 * `npm run build`: bundles the Worker offline (`wrangler deploy --dry-run`) and prints its size, raw and
 * gzip. Fails above the budget (BUNDLE_BUDGET_KIB, default 450 KiB gzip: 350 for the API, raised by 100 when
 * the web app moved in). Also weighs the web app's static assets (public/assets, built by
 * scripts/build-web.mjs): the stylesheet at most 20 KiB gzip, and all scripts together at most 30 KiB gzip
 * (stricter than the per-page bound: no page loads more than all of them).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { OFFLINE_ENV } from "../tools/dev/wrangler.ts";

export function measureBundle(): { rawKiB: number; gzipKiB: number } {
  const outdir = mkdtempSync(join(tmpdir(), "marketplace-bundle-"));
  const require = createRequire(import.meta.url);
  const wrangler = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
  try {
    execFileSync(
      process.execPath,
      [wrangler, "deploy", "--dry-run", "--outdir", outdir, "--env", "production"],
      {
        env: { ...process.env, ...OFFLINE_ENV },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let raw = 0;
    let gzip = 0;
    for (const file of readdirSync(outdir)) {
      if (!/\.(m?js|wasm)$/.test(file)) continue;
      const path = join(outdir, file);
      raw += statSync(path).size;
      gzip += gzipSync(readFileSync(path), { level: 9 }).length;
    }
    return { rawKiB: raw / 1024, gzipKiB: gzip / 1024 };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** gzip KiB of the built stylesheet and of all built scripts (public/assets). */
export function measureAssets(): { cssKiB: number; jsKiB: number } {
  const dir = join(import.meta.dirname, "..", "public", "assets");
  let css = 0;
  let js = 0;
  for (const file of readdirSync(dir)) {
    const size = gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
    if (file.endsWith(".css")) css += size;
    if (file.endsWith(".js")) js += size;
  }
  return { cssKiB: css / 1024, jsKiB: js / 1024 };
}

if (import.meta.main) {
  const assets = measureAssets();
  console.log(
    `web assets: CSS ${assets.cssKiB.toFixed(1)} KiB gzip (budget 20), scripts ${assets.jsKiB.toFixed(1)} KiB gzip (budget 30)`,
  );
  if (assets.cssKiB > 20 || assets.jsKiB > 30) {
    console.error("web assets: over budget");
    process.exit(1);
  }
  const budget = Number(process.env.BUNDLE_BUDGET_KIB ?? 450);
  const { rawKiB, gzipKiB } = measureBundle();
  console.log(
    `bundle: ${rawKiB.toFixed(1)} KiB raw, ${gzipKiB.toFixed(1)} KiB gzip (budget ${budget} KiB gzip)`,
  );
  if (gzipKiB > budget) {
    console.error(`bundle: over budget by ${(gzipKiB - budget).toFixed(1)} KiB`);
    process.exit(1);
  }
}

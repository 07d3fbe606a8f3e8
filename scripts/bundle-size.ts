/**
 * `npm run build`: bundles the Worker offline (`wrangler deploy --dry-run`) and prints its size, raw and
 * gzip. Fails above the budget (BUNDLE_BUDGET_KIB, default 350 KiB gzip).
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

if (import.meta.main) {
  const budget = Number(process.env.BUNDLE_BUDGET_KIB ?? 350);
  const { rawKiB, gzipKiB } = measureBundle();
  console.log(
    `bundle: ${rawKiB.toFixed(1)} KiB raw, ${gzipKiB.toFixed(1)} KiB gzip (budget ${budget} KiB gzip)`,
  );
  if (gzipKiB > budget) {
    console.error(`bundle: over budget by ${(gzipKiB - budget).toFixed(1)} KiB`);
    process.exit(1);
  }
}

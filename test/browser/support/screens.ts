/**
 * Full-page screenshots for review: .data/screenshots/<name>-<width>.png (gitignored), at the phone and
 * the laptop width, so one call shows how a screen looks on both.
 *
 * @example
 * await page.goto(`${base}/search?q=pallet`);
 * await captureScreens(page, "search-results"); // search-results-375.png, search-results-1280.png
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { type ViewportWidth, viewport } from "./browser.ts";

/** The repository's .data/screenshots/ (with a trailing separator). */
export const SCREENSHOT_DIR = `${resolve(dirname(fileURLToPath(import.meta.url)), "../../../.data/screenshots")}/`;

/** The page as it is now, full height, at its current viewport width; returns the file's path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`screenshot name must be kebab-case: ${name}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const width = page.viewportSize()?.width ?? 1280;
  const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled", caret: "hide" });
  return path;
}

/**
 * The page at 375 and 1280 wide (resized in place, not reloaded), then back at its own size. Returns
 * the two files' paths.
 */
export async function captureScreens(
  page: Page,
  name: string,
  widths: readonly ViewportWidth[] = [375, 1280],
): Promise<string[]> {
  const original = page.viewportSize();
  const paths: string[] = [];
  try {
    for (const width of widths) {
      await page.setViewportSize(viewport(width));
      paths.push(await screenshot(page, name));
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
  return paths;
}

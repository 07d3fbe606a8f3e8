/**
 * Accessibility checks with axe-core inside the page under test. The app's pages forbid foreign scripts
 * (`script-src 'self'`), so axe is not added as a <script> (the CSP would refuse it) but evaluated
 * through the DevTools protocol, which the page's CSP does not govern. The context keeps its CSP, so a
 * journey still sees every violation of the app's own policy. Works in contexts without JavaScript too
 * (see runAxe).
 *
 * @example
 * await page.goto(`${base}/search`);
 * await expectNoSeriousViolations(page); // throws listing rule, impact, selectors and help of each
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AxeResults, ImpactValue, RunOptions } from "axe-core";
import type { Page } from "playwright-core";
import { runsScripts } from "./browser.ts";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The impacts a page must not have. */
const BLOCKING: ReadonlySet<ImpactValue> = new Set(["serious", "critical"]);

export interface Violation {
  id: string;
  impact: ImpactValue | null;
  help: string;
  helpUrl: string;
  /** CSS selectors of the offending elements (into shadow roots: " >>> ", into frames: " -> "). */
  targets: string[];
}

export interface AxeCheckOptions {
  /** Only this part of the page (CSS selector); default the whole document. */
  include?: string;
  /** Rule ids to skip, each with a reason in the calling test. */
  disableRules?: string[];
}

/** Runs axe on the page as it is now and returns every violation, whatever its impact. */
export async function axeViolations(page: Page, options: AxeCheckOptions = {}): Promise<Violation[]> {
  const results = await runAxe(page, options, runsScripts(page.context()));
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact ?? null,
    help: violation.help,
    helpUrl: violation.helpUrl,
    targets: violation.nodes.map((node) =>
      node.target.map((part) => (Array.isArray(part) ? part.join(" >>> ") : String(part))).join(" -> "),
    ),
  }));
}

/** What code evaluated in the page sees of it (this project's TypeScript has no DOM library). */
interface PageGlobals {
  axe: { run(context: unknown, options: RunOptions): Promise<AxeResults> };
  document: unknown;
  setTimeout(callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]): number;
}

/**
 * Evaluates axe in the page. A page opened without JavaScript still runs DevTools-evaluated code and
 * its promise reactions, but Chromium calls no other callback there (timers, queueMicrotask,
 * MutationObserver), and axe settles every rule with `setTimeout(…, 0)`: for such a page, zero-delay
 * timers become promise reactions during the run (longer ones, axe's own time-outs, never fire) and
 * frames are not visited (their axe could not answer).
 */
async function runAxe(page: Page, options: AxeCheckOptions, scripted: boolean): Promise<AxeResults> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(axeSource);
  const runOptions: RunOptions = {
    resultTypes: ["violations"],
    rules: Object.fromEntries((options.disableRules ?? []).map((id) => [id, { enabled: false }])),
    ...(scripted ? {} : { iframes: false }),
  };
  return page.evaluate(
    async ([include, run, timersRun]) => {
      const page = globalThis as unknown as PageGlobals;
      const setTimeoutOfPage = page.setTimeout;
      if (!timersRun) {
        page.setTimeout = (callback, delay = 0, ...args) => {
          if (delay <= 1) void Promise.resolve().then(() => callback(...args));
          return 0;
        };
      }
      try {
        return await page.axe.run(include ?? page.document, run);
      } finally {
        page.setTimeout = setTimeoutOfPage;
      }
    },
    [options.include, runOptions, scripted] as const,
  );
}

/** The serious and critical violations only: what a page must never ship with. */
export async function seriousViolations(page: Page, options?: AxeCheckOptions): Promise<Violation[]> {
  return (await axeViolations(page, options)).filter((v) => v.impact !== null && BLOCKING.has(v.impact));
}

/** A readable list: one block per rule with its impact, help text, link and every offending selector. */
export function formatViolations(violations: Violation[]): string {
  return violations
    .map((v) =>
      [`- ${v.id} (${v.impact}): ${v.help}`, `  ${v.helpUrl}`, ...v.targets.map((t) => `    at ${t}`)].join(
        "\n",
      ),
    )
    .join("\n");
}

/** Fails, listing every serious or critical violation, unless the page has none. */
export async function expectNoSeriousViolations(page: Page, options?: AxeCheckOptions): Promise<void> {
  const violations = await seriousViolations(page, options);
  if (violations.length === 0) return;
  throw new Error(
    `axe: ${violations.length} serious or critical accessibility violation(s) on ${page.url()}:\n` +
      formatViolations(violations),
  );
}

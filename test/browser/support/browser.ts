/**
 * Real Chromium for the browser tests: Debian's /usr/bin/chromium (CHROMIUM_PATH overrides), headless,
 * driven by playwright-core; a fresh context per test, closed when the test finishes.
 *
 * Run this project alone with `npx vitest run --project browser` (a file: append its path). Its global
 * setup (test/browser/global-setup.ts) starts the whole local stack as `npm run dev` does, on a free port
 * and a throwaway database; tests read the origin with `inject("baseUrl")`. Screenshots (screens.ts) are
 * written to .data/screenshots/<name>-<width>.png; .data/ is gitignored.
 *
 * @example
 * const browser = useBrowser();
 * it("shows the search page on a phone", async () => {
 *   const { page } = await browser.newPage({ width: 375, javaScript: false });
 *   await page.goto(`${inject("baseUrl")}/search`);
 * });
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, onTestFinished } from "vitest";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The two widths every page is checked at: a phone and a laptop. */
export type ViewportWidth = 375 | 1280;

/** The viewport at a width: a phone's 375×812 or a laptop's 1280×800. */
export function viewport(width: ViewportWidth) {
  return { width, height: width === 375 ? 812 : 800 };
}

export interface PageOptions {
  /** Viewport width in CSS pixels; default 1280. */
  width?: ViewportWidth;
  /** false: the page as a browser without JavaScript sees it (progressive enhancement); default true. */
  javaScript?: boolean;
  /** navigator.language, Accept-Language and Intl's default locale; default "en-US". */
  locale?: string;
  /** IANA time zone of the visitor; default "Europe/Berlin". */
  timezoneId?: string;
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors so far (CSP violations are reported as console errors). */
  errors: string[];
}

const withoutScripts = new WeakSet<BrowserContext>();

/** False for a context opened with `javaScript: false` (axe.ts must switch scripting on to run). */
export function runsScripts(context: BrowserContext): boolean {
  return !withoutScripts.has(context);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox"] });
}

/** A context with the given options and one page in it; the caller closes the context. */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<TestPage> {
  const width = options.width ?? 1280;
  const context = await browser.newContext({
    viewport: viewport(width),
    javaScriptEnabled: options.javaScript ?? true,
    locale: options.locale ?? "en-US",
    timezoneId: options.timezoneId ?? "Europe/Berlin",
  });
  if (options.javaScript === false) withoutScripts.add(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    errors.push(`console error: ${message.text()}${source ? ` (${source})` : ""}`);
  });
  return { context, page, errors };
}

/**
 * One Chromium for the test file (launched before its tests, closed after them). `newPage()` gives each
 * test its own context, closed when that test finishes, so no cookie or storage leaks between tests.
 */
export function useBrowser() {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const current = () => {
    if (!browser) throw new Error("useBrowser(): Chromium is not running (call newPage inside a test)");
    return browser;
  };
  return {
    get browser() {
      return current();
    },
    async newPage(options: PageOptions = {}): Promise<TestPage> {
      const opened = await openPage(current(), options);
      onTestFinished(() => opened.context.close());
      return opened;
    },
  };
}

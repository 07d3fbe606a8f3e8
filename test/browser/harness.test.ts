/**
 * The browser harness itself: axe finds what it must find despite a strict CSP, the stack behind
 * `inject("baseUrl")` is the real one, signed-in contexts carry a working session, screenshots land
 * where reviewers look.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { signInContext, signInDemo, signUpFreshAccount } from "./support/accounts.ts";
import { expectNoSeriousViolations, seriousViolations } from "./support/axe.ts";
import { useBrowser } from "./support/browser.ts";
import { captureScreens, SCREENSHOT_DIR } from "./support/screens.ts";

const base = inject("baseUrl");
const browser = useBrowser();

/** The policy the web app sends: nothing inline, no foreign script. */
const STRICT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:";
const FIXTURE_ORIGIN = "http://fixture.test";

/**
 * Serves `body` at FIXTURE_ORIGIN/ with the strict CSP (route interception) and opens it. The origin's
 * /enhance.js (allowed by `script-src 'self'`) marks #status "enhanced".
 */
async function openFixture(page: Page, body: string) {
  await page.context().route(`${FIXTURE_ORIGIN}/**`, (route) =>
    route.request().url().endsWith("/enhance.js")
      ? route.fulfill({
          status: 200,
          headers: { "content-type": "text/javascript" },
          body: `document.getElementById("status").textContent = "enhanced";`,
        })
      : route.fulfill({
          status: 200,
          headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": STRICT_CSP },
          body,
        }),
  );
  await page.goto(`${FIXTURE_ORIGIN}/`);
}

const brokenPage = `<!doctype html><html lang="en"><head><title>Broken</title></head><body><main>
  <h1>Request a quote</h1>
  <input type="text" name="quantity">
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <script>document.title = "inline script ran";</script>
</main></body></html>`;

const cleanPage = `<!doctype html><html lang="en"><head><title>Clean</title></head><body><main>
  <h1>Request a quote</h1>
  <label for="quantity">Quantity</label> <input type="text" id="quantity" name="quantity">
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Pallet of cardboard boxes">
  <p id="status">static</p>
  <script src="/enhance.js"></script>
</main></body></html>`;

describe("axe helper", () => {
  it("lists every serious violation of a page that forbids inline and foreign scripts", async () => {
    const { page, errors } = await browser.newPage();
    await openFixture(page, brokenPage);
    // The policy is in force (the inline script was refused), and axe ran all the same.
    expect(await page.title()).toBe("Broken");
    expect(errors.join("\n")).toContain("Content Security Policy");

    const violations = await seriousViolations(page);
    expect(violations.map((v) => v.id).sort()).toEqual(["image-alt", "label"]);
    expect(violations.find((v) => v.id === "label")).toMatchObject({
      impact: "critical",
      targets: ["input"],
    });
    const failure = await expectNoSeriousViolations(page).then(
      () => "no failure",
      (error: Error) => error.message,
    );
    expect(failure).toContain("2 serious or critical accessibility violation(s) on http://fixture.test/");
    expect(failure).toMatch(/- label \(critical\): .+\n\s+https:\/\/dequeuniversity\.com\/rules\/axe\//);
    expect(failure).toMatch(/^\s+at input$/m);
    expect(failure).toMatch(/- image-alt \(critical\): Images must have alternative text\n.+\n\s+at img/);
  });

  it("passes a clean page under the same policy, whose own scripts run", async () => {
    const { page, errors } = await browser.newPage({ width: 375 });
    await openFixture(page, cleanPage);
    await expect(page.locator("#status").textContent()).resolves.toBe("enhanced");
    expect(await seriousViolations(page)).toEqual([]);
    await expectNoSeriousViolations(page);
    expect(errors).toEqual([]);
  });

  it("checks pages opened without JavaScript, and leaves their scripts off", async () => {
    const { page } = await browser.newPage({ javaScript: false, width: 375 });
    await openFixture(page, brokenPage);
    expect((await seriousViolations(page)).map((v) => v.id).sort()).toEqual(["image-alt", "label"]);

    await page.unrouteAll();
    await openFixture(page, cleanPage);
    await expect(page.locator("#status").textContent()).resolves.toBe("static");
    expect(await seriousViolations(page)).toEqual([]);
    await page.reload();
    await expect(page.locator("#status").textContent()).resolves.toBe("static");
    await expectNoSeriousViolations(page);
  });
});

describe("the stack behind inject('baseUrl')", () => {
  it("serves the API reference to Chromium, and is ready", async () => {
    const { page, errors } = await browser.newPage();
    const response = await page.goto(`${base}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await expect(page.title()).resolves.toBe("Marketplace API reference");
    // Swagger UI ran under the page's own CSP and rendered the OpenAPI document's title.
    await page.locator(".swagger-ui .info .title").waitFor();
    expect(await page.locator(".swagger-ui .info .title").textContent()).toContain(
      "Edge B2B Marketplace API",
    );
    // The API has no favicon; the web app's pages will name theirs.
    expect(errors.filter((error) => !error.includes("/favicon.ico"))).toEqual([]);

    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      checks: { postgres: { ok: true }, kv: { ok: true }, r2: { ok: true } },
    });
  });

  it("writes full-page screenshots at the phone and the laptop width", async () => {
    const { page } = await browser.newPage();
    await page.goto(`${base}/docs`);
    await page.locator(".swagger-ui .info .title").waitFor();
    const paths = await captureScreens(page, "harness-api-reference");
    expect(paths).toEqual([
      `${SCREENSHOT_DIR}harness-api-reference-375.png`,
      `${SCREENSHOT_DIR}harness-api-reference-1280.png`,
    ]);
    // PNG header: width at byte 16, height at 20 (full page: taller than the viewport).
    const sizes = paths.map((path) => {
      const png = readFileSync(path);
      return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
    });
    expect(sizes.map((size) => size.width)).toEqual([375, 1280]);
    expect(sizes[0]?.height).toBeGreaterThan(812);
    expect(page.viewportSize()).toEqual({ width: 1280, height: 800 });
  });
});

describe("signed-in contexts", () => {
  it("carry a fresh account's session cookie to the Worker", async () => {
    const account = await signUpFreshAccount(base, { name: "Fresh Journey" });
    const { context, page } = await browser.newPage();
    await signInContext(context, account);
    const me = await page.goto(`${base}/v1/me`);
    expect(me?.status()).toBe(200);
    expect(await me?.json()).toMatchObject({ email: account.email, name: "Fresh Journey", memberships: [] });
    expect((await context.cookies(base)).map((cookie) => cookie.name)).toContain("__Host-session");
  });

  it("leave other contexts signed out", async () => {
    await signUpFreshAccount(base);
    const { page } = await browser.newPage();
    const me = await page.goto(`${base}/v1/me`);
    expect(me?.status()).toBe(401);
  });

  it("can be made faster than one address may sign up (the per-IP limit allows 20 a minute)", async () => {
    const accounts = [];
    for (let i = 0; i < 22; i++) accounts.push(await signUpFreshAccount(base));
    expect(new Set(accounts.map((account) => account.email)).size).toBe(22);
  });

  it("sign in the seeded demo buyer with its organisation", async () => {
    const { context, page } = await browser.newPage({ locale: "de-DE" });
    await signInContext(context, await signInDemo(base, "buyer"));
    const me = await page.goto(`${base}/v1/me`);
    expect(await me?.json()).toMatchObject({
      email: "buyer@demo.example",
      memberships: [{ orgName: "Northwind Procurement", role: "owner" }],
    });
  });
});

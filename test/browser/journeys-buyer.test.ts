/**
 * The buyer's journey in real Chromium against the local stack, from a fresh account signed up through
 * the web form: a buyer organisation, a faceted search, a listing bought at its minimum order quantity,
 * checkout with a PO number on net 30, the order group. Once with JavaScript and once without (the
 * same forms, submitted as plain HTML), plus keyboard-only checkout and a double-clicked "Place order".
 * Every page on the way must show no console error or CSP violation and no serious axe violation.
 */
import { describe, expect, inject, it } from "vitest";
import { signInContext, signUpFreshAccount } from "./support/accounts.ts";
import { type TestPage, useBrowser } from "./support/browser.ts";
import {
  arrive,
  checkPage,
  createOrgWithForm,
  notice,
  signUpWithForm,
  uniqueWord,
  visit,
} from "./support/journeys.ts";
import { captureScreens } from "./support/screens.ts";

const base = inject("baseUrl");
const browser = useBrowser();

/** A fresh buyer organisation, made through the API helpers where the form is not the point. */
async function freshBuyer(tab: TestPage): Promise<void> {
  const account = await signUpFreshAccount(base, { name: "Kim Keyboard" });
  await signInContext(tab.context, account);
  await visit(tab, base, "/org/new");
  await createOrgWithForm(tab, `Keyboard Buyers ${uniqueWord("k")}`, "Buyer");
}

/**
 * From the home page: the catalogue, one category facet ticked, the first result opened. Returns the
 * listing's title. With JavaScript the facet applies on change; without, with "Apply filters".
 */
async function findListingWithFacet(tab: TestPage, javaScript: boolean): Promise<string> {
  const { page } = tab;
  await visit(tab, base, "/");
  if (javaScript) await captureScreens(page, "home");
  await page.getByRole("link", { name: "Browse the whole catalogue →" }).click();
  await arrive(tab, /^\/search$/);
  // A category with its count of results ("Packaging 8"), not "All categories".
  const facet = page.getByRole("group", { name: "Category" }).getByRole("radio", { name: / \d+$/ }).first();
  const slug = await facet.getAttribute("value");
  expect(slug).toBeTruthy();
  await facet.check();
  if (!javaScript) await page.getByRole("button", { name: "Apply filters" }).click();
  await page.waitForURL((url) => url.searchParams.get("category") === slug);
  await checkPage(tab);
  const active = page.getByRole("list", { name: "Active filters" });
  await expect(active.textContent()).resolves.toContain("Category:");
  if (javaScript) await captureScreens(page, "search");
  const results = page.getByRole("region", { name: /results?$/ }).getByRole("link", { name: /MOQ/ });
  expect(await results.count()).toBeGreaterThan(0);
  const card = results.first();
  const title = (await card.getByRole("heading").textContent())?.trim() ?? "";
  await card.click();
  await arrive(tab, /^\/listings\//);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(title);
  return title;
}

/** On a listing page: the quantity set to its MOQ, added to the cart. Returns the MOQ. */
async function addMoqToCart(tab: TestPage): Promise<number> {
  const { page } = tab;
  const order = page.getByRole("complementary", { name: "Order" });
  const moqText = await order.locator("dt", { hasText: "Minimum order" }).locator("+ dd").textContent();
  const moq = Number((moqText ?? "").replace(/[^\d]/g, ""));
  expect(moq).toBeGreaterThan(0);
  await order.getByLabel("Quantity (units)").fill(String(moq));
  await order.getByRole("button", { name: "Add to cart" }).click();
  await arrive(tab, /^\/cart$/);
  return moq;
}

/** The checkout form filled: PO number, net 30, a German delivery address. */
async function fillCheckout(tab: TestPage, po: string): Promise<void> {
  const { page } = tab;
  await page.getByLabel("PO number").fill(po);
  await page.getByLabel("Payment terms").selectOption({ label: "Net 30 days" });
  await page.getByLabel("Recipient").fill("Goods-in, Hall 3");
  await page.getByLabel("Address line 1").fill("Hafenstraße 12");
  await page.getByLabel("Postal code").fill("20457");
  await page.getByLabel("City").fill("Hamburg");
  await page.getByLabel("Country").selectOption({ label: "Germany" });
}

async function buyerJourney(javaScript: boolean) {
  const tab = await browser.newPage({ javaScript });
  const { page } = tab;
  const suffix = javaScript ? "js" : "nojs";

  await signUpWithForm(tab, base, `Robin Buyer ${suffix}`);
  await createOrgWithForm(tab, `Harbour Buyers ${uniqueWord(suffix)}`, "Buyer");
  await expect(notice(page).textContent()).resolves.toBeTruthy();
  if (javaScript) await captureScreens(page, "org");

  const title = await findListingWithFacet(tab, javaScript);
  if (javaScript) {
    await captureScreens(page, "listing");
  }
  const moq = await addMoqToCart(tab);
  const cartRow = page.getByRole("row", { name: new RegExp(escapeRegExp(title)) });
  await expect(cartRow.getByLabel(/Quantity/).inputValue()).resolves.toBe(String(moq));
  if (javaScript) await captureScreens(page, "cart");

  await page.getByRole("link", { name: "Proceed to checkout" }).click();
  await arrive(tab, /^\/checkout$/);
  const po = `PO-${uniqueWord(suffix).toUpperCase()}`;
  await fillCheckout(tab, po);
  if (javaScript) await captureScreens(page, "checkout");
  await page.getByRole("button", { name: "Place order" }).click();

  await arrive(tab, /^\/orders\/groups\//);
  const details = page.getByRole("complementary", { name: "Checkout details" });
  await expect(details.textContent()).resolves.toContain(po);
  await expect(details.textContent()).resolves.toContain("Net 30 days");
  await expect(page.locator("main").textContent()).resolves.toContain(title);
  if (javaScript) await captureScreens(page, "order-group");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The first listing of the catalogue, opened from /search, its MOQ added to the cart. */
async function cartWithFirstListing(tab: TestPage): Promise<string> {
  const { page } = tab;
  await visit(tab, base, "/search");
  const card = page
    .getByRole("region", { name: /results?$/ })
    .getByRole("link", { name: /MOQ/ })
    .first();
  const title = (await card.getByRole("heading").textContent())?.trim() ?? "";
  await card.click();
  await arrive(tab, /^\/listings\//);
  await addMoqToCart(tab);
  return title;
}

/** What has the keyboard focus: its tag, name attribute and text (or value). */
function focused(tab: TestPage) {
  return tab.page.evaluate(() => {
    const element = (globalThis as unknown as { document: { activeElement: Record<string, unknown> | null } })
      .document.activeElement;
    return {
      tag: String(element?.tagName ?? "").toLowerCase(),
      name: String(element?.name ?? ""),
      text: String(element?.textContent ?? "").trim(),
    };
  });
}

/** Presses Tab until the focused element matches (at most `limit` times); fails if it never does. */
async function tabTo(
  tab: TestPage,
  matches: (element: { tag: string; name: string; text: string }) => boolean,
  what: string,
  limit = 60,
): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await tab.page.keyboard.press("Tab");
    if (matches(await focused(tab))) return;
  }
  throw new Error(`Tab never reached ${what} on ${tab.page.url()}`);
}

describe("buyer journey", () => {
  it("signs up, creates a buyer organisation, finds a listing by facet and checks out with a PO on net 30", async () => {
    await buyerJourney(true);
  });

  it("does the same with JavaScript disabled", async () => {
    await buyerJourney(false);
  });
});

describe("checkout", () => {
  it("works with the keyboard alone: cart, checkout, place order", async () => {
    const tab = await browser.newPage({ javaScript: true });
    const { page } = tab;
    await freshBuyer(tab);
    const title = await cartWithFirstListing(tab);

    // From here on: no click, only keys.
    await tabTo(tab, (e) => e.tag === "a" && e.text === "Proceed to checkout", "“Proceed to checkout”");
    await page.keyboard.press("Enter");
    await arrive(tab, /^\/checkout$/);
    const po = `PO-KEYS-${uniqueWord("k").toUpperCase()}`;
    await tabTo(tab, (e) => e.name === "poNumber", "the PO number field");
    await page.keyboard.type(po);
    await page.keyboard.press("Tab");
    expect((await focused(tab)).name).toBe("paymentTerms");
    await page.keyboard.type("Net 6");
    await expect(page.getByLabel("Payment terms").inputValue()).resolves.toBe("net60");
    await tabTo(tab, (e) => e.name === "shippingAddress.line1", "address line 1");
    await page.keyboard.type("Am Kai 4");
    await tabTo(tab, (e) => e.name === "shippingAddress.postalCode", "the postal code");
    await page.keyboard.type("28195");
    await page.keyboard.press("Tab");
    expect((await focused(tab)).name).toBe("shippingAddress.city");
    await page.keyboard.type("Bremen");
    await tabTo(tab, (e) => e.tag === "button" && e.text === "Place order", "“Place order”");
    await page.keyboard.press("Enter");

    await arrive(tab, /^\/orders\/groups\//);
    const details = page.getByRole("complementary", { name: "Checkout details" });
    await expect(details.textContent()).resolves.toContain(po);
    await expect(details.textContent()).resolves.toContain("Net 60 days");
    await expect(page.locator("main").textContent()).resolves.toContain(title);
  });

  it("places one order when “Place order” is double-clicked", async () => {
    const tab = await browser.newPage({ javaScript: true });
    const { page } = tab;
    await freshBuyer(tab);
    await cartWithFirstListing(tab);
    await page.getByRole("link", { name: "Proceed to checkout" }).click();
    await arrive(tab, /^\/checkout$/);
    const po = `PO-TWICE-${uniqueWord("d").toUpperCase()}`;
    await fillCheckout(tab, po);
    await page.getByRole("button", { name: "Place order" }).dblclick();
    await arrive(tab, /^\/orders\/groups\//);

    await visit(tab, base, "/orders");
    const rows = page.getByRole("row").filter({ hasText: po });
    await expect(rows.count()).resolves.toBe(1);
    // The buyer has ordered nothing else, so that one row is all there is.
    await expect(page.getByRole("row").count()).resolves.toBe(2);
  });
});

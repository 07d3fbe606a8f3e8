/**
 * The seller's journey in real Chromium against the local stack: a fresh account signed up through the
 * web form creates a seller organisation and a listing with two variants and three price tiers, uploads
 * its image from the browser straight to R2 (progress shown, verified), submits it; the platform admin
 * approves it; it appears in storefront search; a fresh buyer orders it; the seller accepts and ships;
 * the buyer marks it delivered and finds the invoice. Once with JavaScript, once without (there the image
 * goes through the API with the seller's cookie, as the upload needs JavaScript by design).
 * Every page on the way must show no console error or CSP violation and no serious axe violation.
 */
import type { BrowserContext } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { productImage } from "../../scripts/seed/drawings.ts";
import { signInContext, signInDemo, signUpFreshAccount } from "./support/accounts.ts";
import { type TestPage, useBrowser } from "./support/browser.ts";
import { arrive, createOrgWithForm, notice, signUpWithForm, uniqueWord, visit } from "./support/journeys.ts";
import { captureScreens } from "./support/screens.ts";

const base = inject("baseUrl");
const browser = useBrowser();

/** A real PNG of a product drawing, as the seed draws them. */
const PNG = productImage("plastic-pallet", 320);

interface Listing {
  id: string;
  title: string;
  word: string;
}

/** /seller/listings/new filled in and saved as a draft; ends on the listing's editor. */
async function createListing(tab: TestPage, word: string): Promise<Listing> {
  const { page } = tab;
  await visit(tab, base, "/seller");
  await page.getByRole("link", { name: "New listing" }).first().click();
  await arrive(tab, /^\/seller\/listings\/new$/);
  const title = `Nestable plastic pallet 1200 × 800 mm, ref ${word}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Category").selectOption({ label: "Pallets & stretch wrap" });
  await page.getByRole("button", { name: "Update fields" }).first().click();
  await arrive(tab, /^\/seller\/listings\/new$/);
  await expect(page.getByLabel("Title").inputValue()).resolves.toBe(title);
  await page
    .getByLabel("Description (optional)")
    .fill(
      "Nestable HDPE pallet in Euro pallet footprint, 9 feet, 1,250 kg static load. Hygienic, food-safe, washable.",
    );
  await page.getByLabel("Currency").selectOption("EUR");
  await page.getByLabel("Minimum order quantity").fill("10");
  await page.getByLabel("Order increment").fill("5");
  await page.getByLabel("Lead time (days)").fill("4");
  const tiers = [
    ["10", "18.90"],
    ["50", "17.20"],
    ["200", "15.40"],
  ] as const;
  for (const [index, [from, price]] of tiers.entries()) {
    await page.getByLabel(`Tier ${index + 1}: from quantity`).fill(from);
    await page.getByLabel(`Tier ${index + 1}: unit price in EUR`).fill(price);
  }
  const skus = [`PAL-${word}-GREY`, `PAL-${word}-BLUE`];
  for (const [index, sku] of skus.entries()) {
    await page.getByLabel(`Variant ${index + 1}: SKU`).fill(sku);
    await page.getByLabel(`Variant ${index + 1}: stock`).fill(index === 0 ? "800" : "400");
    await page.getByLabel(`Variant ${index + 1}: weight in grams`).fill("9500");
  }
  await page.getByRole("button", { name: "Create draft" }).first().click();
  await arrive(tab, /^\/seller\/listings\/[0-9a-f-]{36}$/);
  await expect(notice(page).textContent()).resolves.toBeTruthy();
  const id = new URL(page.url()).pathname.split("/").pop() ?? "";
  // Saved as entered: two SKUs, three tiers.
  for (const sku of skus)
    await expect(
      page
        .getByLabel(/Variant \d: SKU/)
        .nth(skus.indexOf(sku))
        .inputValue(),
    ).resolves.toBe(sku);
  await expect(page.getByLabel("Tier 3: unit price in EUR").inputValue()).resolves.toBe("15.40");
  return { id, title, word };
}

/**
 * The upload panel: a PNG chosen in the file input goes to R2 by a presigned PUT. The PUT is held until
 * the progress bar has been seen, then the panel reports the verified file and the image list shows it.
 */
async function uploadImageInBrowser(tab: TestPage): Promise<void> {
  const { page, context } = tab;
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  // Locally, R2's S3 API is wrangler's /cdn-cgi/local/r2/s3 (in production, <account>.r2.cloudflarestorage.com):
  // the bytes go there, never through the Worker's routes.
  const puts: string[] = [];
  await context.route(
    (url) => url.pathname.startsWith("/cdn-cgi/local/r2/s3/"),
    async (route) => {
      if (route.request().method() === "PUT") {
        puts.push(route.request().url());
        await held;
      }
      await route.continue();
    },
  );
  const images = page.getByRole("region", { name: /^Images/ });
  await images.locator('input[type="file"]').setInputFiles({
    name: "plastic-pallet.png",
    mimeType: "image/png",
    buffer: PNG,
  });
  const bar = images.getByRole("progressbar", { name: "Uploading plastic-pallet.png" });
  // Presigned, and the PUT to storage under way: the bar shows, the row says so.
  await images.getByText("Uploading…").waitFor();
  await expect(bar.isVisible()).resolves.toBe(true);
  await expect.poll(() => puts.length).toBe(1);
  await expect(bar.isVisible()).resolves.toBe(true);
  release();
  await images.getByText(/Verified and added \(image\/png/).waitFor();
  expect(puts).toHaveLength(1);
  await expect(bar.isVisible()).resolves.toBe(false);
  await expect(images.getByRole("img").count()).resolves.toBe(1);
  await expect(images.getByRole("button", { name: "Remove image 1" }).isVisible()).resolves.toBe(true);
  await context.unrouteAll();
}

/** The cookie header a context sends to the app (for API calls made on the user's behalf). */
async function cookieHeader(context: BrowserContext): Promise<string> {
  return (await context.cookies(base)).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

/**
 * Without JavaScript the upload panel says it needs it: the image goes through the same API the panel
 * calls (presign, PUT to R2, complete, attach), with the seller's session cookie.
 */
async function attachImageThroughApi(tab: TestPage, listingId: string): Promise<void> {
  const headers = {
    cookie: await cookieHeader(tab.context),
    origin: base,
    "content-type": "application/json",
  };
  const me = (await (await fetch(`${base}/v1/me`, { headers })).json()) as {
    memberships: { orgId: string }[];
  };
  const orgId = me.memberships[0]?.orgId;
  const presign = await fetch(`${base}/v1/orgs/${orgId}/uploads`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      purpose: "image",
      contentType: "image/png",
      contentLength: PNG.length,
      filename: "plastic-pallet.png",
    }),
  });
  expect(presign.status).toBe(201);
  const upload = (await presign.json()) as { uploadId: string; url: string; headers: Record<string, string> };
  const put = await fetch(upload.url, { method: "PUT", headers: upload.headers, body: PNG });
  expect(put.status).toBe(200);
  const complete = await fetch(`${base}/v1/orgs/${orgId}/uploads/${upload.uploadId}/complete`, {
    method: "POST",
    headers,
  });
  expect(complete.status).toBe(200);
  const file = (await complete.json()) as { id: string; status: string };
  expect(file.status).toBe("ready");
  const listing = await fetch(`${base}/v1/orgs/${orgId}/listings/${listingId}`, { headers });
  const version = ((await listing.json()) as { version: number }).version;
  const patch = await fetch(`${base}/v1/orgs/${orgId}/listings/${listingId}`, {
    method: "PATCH",
    headers: { ...headers, "if-match": `"${version}"` },
    body: JSON.stringify({ images: [file.id] }),
  });
  expect(patch.status).toBe(200);
}

async function sellerJourney(javaScript: boolean) {
  const suffix = javaScript ? "js" : "nojs";
  const word = uniqueWord("pallet");

  // The seller: signs up, creates a seller organisation and the listing.
  const seller = await browser.newPage({ javaScript });
  await signUpWithForm(seller, base, `Sam Seller ${suffix}`);
  const sellerOrg = `Rhine Pallet Works ${uniqueWord(suffix)}`;
  await createOrgWithForm(seller, sellerOrg, "Seller");
  const listing = await createListing(seller, word);
  const sellerPage = seller.page;
  if (javaScript) {
    await uploadImageInBrowser(seller);
    await captureScreens(sellerPage, "listing-editor-with-image");
  } else {
    await expect(sellerPage.getByText("Uploading images needs JavaScript").isVisible()).resolves.toBe(true);
    await attachImageThroughApi(seller, listing.id);
    await visit(seller, base, `/seller/listings/${listing.id}`);
    await expect(
      sellerPage
        .getByRole("region", { name: /^Images/ })
        .getByRole("img")
        .count(),
    ).resolves.toBe(1);
  }
  await sellerPage.getByRole("button", { name: "Submit for review" }).click();
  await arrive(seller, /^\/seller\/listings\/[0-9a-f-]{36}$/);
  await expect(sellerPage.getByRole("region", { name: "Status" }).textContent()).resolves.toMatch(/review/i);

  await visit(seller, base, "/seller/listings");
  await expect(sellerPage.getByRole("row", { name: new RegExp(word) }).textContent()).resolves.toMatch(
    /review/i,
  );
  if (javaScript) await captureScreens(sellerPage, "seller-listings");

  // The platform admin approves it.
  const admin = await browser.newPage({ javaScript });
  await signInContext(admin.context, await signInDemo(base, "admin"));
  await visit(admin, base, "/admin");
  const item = admin.page.getByRole("article", { name: listing.title });
  await expect(item.getByRole("img").count()).resolves.toBeGreaterThanOrEqual(0);
  if (javaScript) await captureScreens(admin.page, "admin");
  await item.getByRole("button", { name: `Approve and publish ${listing.title}` }).click();
  await arrive(admin, /^\/admin$/);
  await expect(admin.page.getByRole("article", { name: listing.title }).count()).resolves.toBe(0);

  // A fresh buyer finds it in storefront search and orders it.
  const buyer = await browser.newPage({ javaScript });
  await signInContext(buyer.context, await signUpFreshAccount(base, { name: "Bo Buyer" }));
  await visit(buyer, base, "/org/new");
  const buyerOrg = `Bo's Bakery ${uniqueWord(suffix)}`;
  await createOrgWithForm(buyer, buyerOrg, "Buyer");
  const { page } = buyer;
  await page.getByRole("searchbox", { name: "Search products or SKU" }).fill(word);
  await page.getByRole("button", { name: "Search" }).click();
  await arrive(buyer, /^\/search$/);
  const results = page.getByRole("region", { name: /results?$/ }).getByRole("link", { name: /MOQ/ });
  await expect(results.count()).resolves.toBe(1);
  await results.first().click();
  await arrive(buyer, new RegExp(`^/listings/${listing.id}$`));
  await expect(page.getByRole("img", { name: listing.title }).first().isVisible()).resolves.toBe(true);
  const order = page.getByRole("complementary", { name: "Order" });
  await order.getByLabel("Variant").selectOption({ index: 1 });
  await order.getByLabel("Quantity (units)").fill("50");
  await order.getByRole("button", { name: "Add to cart" }).click();
  await arrive(buyer, /^\/cart$/);
  await page.getByRole("link", { name: "Proceed to checkout" }).click();
  await arrive(buyer, /^\/checkout$/);
  const po = `PO-${word.toUpperCase()}`;
  await page.getByLabel("PO number").fill(po);
  await page.getByLabel("Payment terms").selectOption({ label: "Net 30 days" });
  await page.getByLabel("Address line 1").fill("Backstraße 1");
  await page.getByLabel("Postal code").fill("50667");
  await page.getByLabel("City").fill("Köln");
  await page.getByRole("button", { name: "Place order" }).click();
  await arrive(buyer, /^\/orders\/groups\//);

  // The seller accepts and ships it.
  await visit(seller, base, "/seller/orders");
  const row = sellerPage.getByRole("row").filter({ hasText: buyerOrg });
  await expect(row.textContent()).resolves.toMatch(/To accept/);
  if (javaScript) await captureScreens(sellerPage, "seller-orders");
  await row.getByRole("link").first().click();
  await arrive(seller, /^\/seller\/orders\/[0-9a-f-]{36}$/);
  // The seller's order shows the buyer, the PO, where to ship and the line ordered.
  await expect(sellerPage.locator("main").textContent()).resolves.toContain(buyerOrg);
  await expect(sellerPage.locator("main").textContent()).resolves.toContain(po);
  await expect(sellerPage.locator("main").textContent()).resolves.toContain("Backstraße 1");
  await expect(sellerPage.locator("main").textContent()).resolves.toContain("50667 Köln");
  await expect(sellerPage.locator("main").textContent()).resolves.toContain(`PAL-${word}-BLUE`);
  await sellerPage.getByRole("button", { name: "Accept order" }).click();
  await arrive(seller, /^\/seller\/orders\/[0-9a-f-]{36}$/);
  await sellerPage.getByLabel("Carrier").fill("DHL Freight");
  await sellerPage.getByLabel("Tracking number").fill(`JD${Date.now()}`);
  await sellerPage.getByRole("button", { name: "Mark shipped" }).click();
  await arrive(seller, /^\/seller\/orders\/[0-9a-f-]{36}$/);
  await expect(sellerPage.locator("main").textContent()).resolves.toContain("DHL Freight");

  // The buyer marks it delivered and sees the invoice.
  await visit(buyer, base, "/orders");
  await page.getByRole("row").filter({ hasText: po }).getByRole("link").first().click();
  await arrive(buyer, /^\/orders\/[0-9a-f-]{36}$/);
  if (javaScript) await captureScreens(page, "order");
  await page.getByRole("button", { name: "Mark as delivered" }).click();
  await arrive(buyer, /^\/orders\/[0-9a-f-]{36}$/);
  await expect(page.locator("main").textContent()).resolves.toMatch(/Delivered/);
  const invoiceLink = page.getByRole("link", { name: /^INV-/ });
  const invoiceNumber = (await invoiceLink.textContent())?.trim() ?? "";
  await invoiceLink.click();
  await arrive(buyer, /^\/invoices\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(invoiceNumber);
  await expect(page.locator("main").textContent()).resolves.toContain(po);
  await expect(page.locator("main").textContent()).resolves.toContain("€860.00");
  await visit(buyer, base, "/orders");
  await page.getByRole("link", { name: "Invoices" }).first().click();
  await arrive(buyer, /^\/invoices$/);
  const invoice = page.getByRole("row").filter({ hasText: invoiceNumber });
  await expect(invoice.textContent()).resolves.toContain(sellerOrg);
  if (javaScript) await captureScreens(page, "invoices");
}

describe("seller journey", () => {
  it("lists a product with an image uploaded to R2, gets it approved, and fulfils a buyer's order to the invoice", async () => {
    await sellerJourney(true);
  }, 150_000);

  it("does the same with JavaScript disabled (the image attached through the API)", async () => {
    await sellerJourney(false);
  }, 150_000);
});

/**
 * The approvals journey in real Chromium against the local stack: the owner of a fresh buyer
 * organisation (signed up through the web form) invites a colleague, who opens the emailed link, creates
 * an account from it, verifies its address by the emailed link (which leads back to the invitation) and
 * joins; the owner sets the member's per-order limit low; the member's checkout
 * above it waits for approval; the owner approves it at /approvals and the checkout is placed. Once with
 * JavaScript and once without. Every page on the way must show no console error or CSP violation and
 * no serious axe violation.
 */
import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "./support/browser.ts";
import {
  arrive,
  createOrgWithForm,
  emailedLink,
  fillSignUpForm,
  notice,
  signUpWithForm,
  uniqueWord,
  verifyWithEmailedLink,
  visit,
} from "./support/journeys.ts";
import { captureScreens } from "./support/screens.ts";

const base = inject("baseUrl");
const browser = useBrowser();

async function approvalsJourney(javaScript: boolean) {
  const suffix = javaScript ? "js" : "nojs";

  // The owner: signs up, creates the buyer organisation, invites a colleague as a buyer.
  const owner = await browser.newPage({ javaScript });
  await signUpWithForm(owner, base, `Olive Owner ${suffix}`);
  const orgName = `Quayside Foods ${uniqueWord(suffix)}`;
  await createOrgWithForm(owner, orgName, "Buyer");
  await visit(owner, base, "/org/invitations");
  const inviteeEmail = `${uniqueWord("member")}@test.example`;
  await owner.page.getByLabel("Work email").fill(inviteeEmail);
  await owner.page.getByLabel("Role").selectOption({ label: "Buyer: Fills the cart and checks out" });
  await owner.page.getByRole("button", { name: "Send invitation" }).click();
  await arrive(owner, /^\/org\/invitations$/);
  await expect(owner.page.getByRole("row").filter({ hasText: inviteeEmail }).count()).resolves.toBe(1);

  // The colleague: the link from the email, an account created from it, the invitation accepted.
  const link = await emailedLink(base, inviteeEmail, "invitation", /\/invitations\/accept\?token=/);
  const member = await browser.newPage({ javaScript });
  await visit(member, base, link.pathname + link.search);
  await expect(member.page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(`Join ${orgName}`);
  await member.page.getByRole("link", { name: "Create an account" }).click();
  await arrive(member, /^\/signup$/);
  const memberName = `Milo Member ${suffix}`;
  const memberAccount = { name: memberName, email: inviteeEmail, password: "a sturdy journey passphrase" };
  await fillSignUpForm(member, memberAccount);
  // The emailed verification link, confirmed with the password, signs the colleague in and leads back to
  // the invitation.
  await verifyWithEmailedLink(member, base, memberAccount);
  await arrive(member, /^\/invitations\/accept$/);
  await member.page.getByRole("button", { name: `Join ${orgName}` }).click();
  await arrive(member, /^\/org$/);
  await expect(notice(member.page).textContent()).resolves.toBeTruthy();

  // The owner limits the member to EUR 1.00 per order.
  await visit(owner, base, "/org/limits");
  await owner.page.getByRole("link", { name: `Edit limits of ${memberName}` }).click();
  await arrive(owner, /^\/org\/limits\/[0-9a-f-]{36}$/);
  await owner.page.getByLabel("Currency, row 1").fill("EUR");
  await owner.page.getByLabel("Per order, row 1").fill("1.00");
  await owner.page.getByRole("button", { name: "Save limits" }).click();
  await arrive(owner, /^\/org\/limits/);
  await expect(owner.page.getByRole("row").filter({ hasText: memberName }).textContent()).resolves.toContain(
    "€1.00",
  );
  if (javaScript) await captureScreens(owner.page, "org-limits");

  // The member checks out above the limit: held for approval.
  const { page } = member;
  await visit(member, base, "/search");
  const card = page
    .getByRole("region", { name: /results?$/ })
    .getByRole("link", { name: /MOQ/ })
    .first();
  await card.click();
  await arrive(member, /^\/listings\//);
  await page
    .getByRole("complementary", { name: "Order" })
    .getByRole("button", { name: "Add to cart" })
    .click();
  await arrive(member, /^\/cart$/);
  await expect(page.locator("main").textContent()).resolves.toContain("Needs approval.");
  await page.getByRole("link", { name: "Proceed to checkout" }).click();
  await arrive(member, /^\/checkout$/);
  const po = `PO-${uniqueWord("apr").toUpperCase()}`;
  await page.getByLabel("PO number").fill(po);
  await page.getByLabel("Address line 1").fill("Kaiserkai 7");
  await page.getByLabel("Postal code").fill("20457");
  await page.getByLabel("City").fill("Hamburg");
  await page.getByRole("button", { name: "Place order" }).click();
  await arrive(member, /^\/orders\/groups\/[0-9a-f-]{36}$/);
  const groupPath = new URL(page.url()).pathname;
  await expect(page.locator("main").textContent()).resolves.toMatch(/pending approval/i);

  // The owner approves it.
  await visit(owner, base, "/approvals");
  const row = owner.page.getByRole("row").filter({ hasText: po });
  await expect(row.count()).resolves.toBe(1);
  if (javaScript) await captureScreens(owner.page, "approvals");
  await row.getByRole("button", { name: `Approve ${po}` }).click();
  await arrive(owner, /^\/approvals$/);
  await expect(notice(owner.page).textContent()).resolves.toBeTruthy();
  await expect(owner.page.getByRole("row").filter({ hasText: po }).count()).resolves.toBe(0);

  // The member sees the checkout placed.
  await visit(member, base, groupPath);
  await expect(page.locator("main").textContent()).resolves.not.toMatch(/pending approval/i);
  await expect(page.locator("main").textContent()).resolves.toMatch(/Placed/);
}

describe("approvals journey", () => {
  it("holds a member's checkout above the spending limit until the owner approves it", async () => {
    await approvalsJourney(true);
  }, 150_000);

  it("does the same with JavaScript disabled", async () => {
    await approvalsJourney(false);
  }, 150_000);
});

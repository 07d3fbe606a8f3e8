/**
 * Steps the browser journeys share: open a page and check it (no console error or CSP violation, no
 * serious axe violation), sign up and create an organisation through the real forms, read the dev
 * mailbox. Every step acts as a user would: accessible locators, real links and buttons.
 *
 * @example
 * const tab = await browser.newPage({ javaScript: false });
 * const user = await signUpWithForm(tab, base, "Casey Buyer");
 * await createOrgWithForm(tab, "Casey Supplies", "Buyer");
 */
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { expectNoSeriousViolations } from "./axe.ts";
import type { TestPage } from "./browser.ts";

let unique = 0;

/** A word no other listing, order or account has: journeys find their own data by it. */
export function uniqueWord(prefix: string): string {
  unique += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${unique}`;
}

/**
 * The checks every page a journey reaches must pass: it loaded (no error page), no console or page
 * error so far (CSP violations are console errors), and no serious or critical axe violation.
 * Clears the error list, so the next check sees only its own page's errors.
 */
export async function checkPage(tab: TestPage): Promise<void> {
  const { page, errors } = tab;
  await page.waitForLoadState("load");
  expect(errors, `console errors on ${page.url()}`).toEqual([]);
  await expectNoSeriousViolations(page);
  errors.length = 0;
}

/** Goes to a path of the app and checks the page; fails on any status but 200. */
export async function visit(tab: TestPage, base: string, path: string): Promise<void> {
  const response = await tab.page.goto(`${base}${path}`);
  expect(response?.status(), `GET ${path}`).toBe(200);
  await checkPage(tab);
}

/** Waits for a navigation to a path of the app (pathname match, any query) and checks the page. */
export async function arrive(tab: TestPage, path: RegExp): Promise<void> {
  try {
    await tab.page.waitForURL((url) => path.test(url.pathname), { timeout: 20_000 });
  } catch (error) {
    // Say where the user ended up instead, and what that page says (an error summary, a notice).
    const main = await tab.page
      .locator("main")
      .textContent()
      .then((text) => (text ?? "").replace(/\s+/g, " "))
      .catch(() => "");
    throw new Error(`expected to arrive at ${path}, still on ${tab.page.url()}:\n${main.slice(0, 1500)}`, {
      cause: error,
    });
  }
  await checkPage(tab);
}

/** The notice a POST→redirect→GET shows on the page it lands on. */
export function notice(page: Page) {
  return page.locator(".notice, [role=status]").first();
}

export interface WebAccount {
  name: string;
  email: string;
  password: string;
}

/**
 * Signs up through /signup (the form): "check your inbox", the verification link from the dev mailbox,
 * its page's confirm button; lands on /org/new signed in and verified.
 */
export async function signUpWithForm(tab: TestPage, base: string, name: string): Promise<WebAccount> {
  const account = {
    name,
    email: `${uniqueWord("web")}@test.example`,
    password: "a sturdy journey passphrase",
  };
  const { page } = tab;
  await visit(tab, base, "/signup");
  await fillSignUpForm(tab, account);
  await verifyWithEmailedLink(tab, base, account);
  await arrive(tab, /^\/org\/new$/);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain(name);
  return account;
}

/** Fills and sends the sign-up form on the page the tab is on; ends on "check your inbox". */
export async function fillSignUpForm(tab: TestPage, account: WebAccount): Promise<void> {
  const { page } = tab;
  await page.getByLabel("Full name").fill(account.name);
  await page.getByLabel("Work email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await arrive(tab, /^\/signup\/check-inbox$/);
}

/**
 * Opens the verification link emailed to the account's address (from the dev mailbox) and confirms it with
 * the password it signed up with: the visitor is then signed in and verified, on the page sign-up was
 * headed to (the caller waits for it).
 */
export async function verifyWithEmailedLink(
  tab: TestPage,
  base: string,
  account: Pick<WebAccount, "email" | "password">,
): Promise<void> {
  const link = await emailedLink(base, account.email, "email_verification", /\/verify-email\?token=/);
  await visit(tab, base, link.pathname + link.search);
  await tab.page.getByLabel("Password").fill(account.password);
  await tab.page.getByRole("button", { name: "Confirm and sign in" }).click();
}

/**
 * The link (an absolute URL on this site) in the newest email of `template` to an address, waiting for the
 * queue to deliver it to the dev mailbox.
 */
export async function emailedLink(base: string, to: string, template: string, path: RegExp): Promise<URL> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [email] = (await mailboxFor(base, to)).filter((message) => message.template === template);
    const found = email?.body.match(/https?:\/\/[^\s"<>)]+/g)?.find((url) => path.test(url));
    if (found) {
      expect(found.startsWith(base), `${found} is on ${base}`).toBe(true);
      return new URL(found);
    }
    if (Date.now() > deadline) throw new Error(`no ${template} email with a link for ${to}: ${email?.body}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Creates an organisation through /org/new (the form the sign-up lands on); ends on /org. */
export async function createOrgWithForm(
  tab: TestPage,
  name: string,
  kind: "Buyer" | "Seller" | "Buyer and seller",
): Promise<void> {
  const { page } = tab;
  await page.getByLabel("Organisation name").fill(name);
  const descriptions = { Buyer: "Order from", Seller: "List products", "Buyer and seller": "Buy and sell" };
  await page.getByRole("radio", { name: `${kind} ${descriptions[kind]}` }).check();
  await page.getByLabel("Country (optional)").selectOption({ label: "Germany" });
  await page.getByRole("button", { name: "Create organisation" }).click();
  await arrive(tab, /^\/org$/);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain(name);
}

export interface MailboxMessage {
  to: string;
  template: string;
  subject: string;
  body: string;
  html: string;
}

/**
 * The emails the dev mailbox (GET /v1/dev/mailbox) holds for an address, newest first, once at least one
 * `template` email has arrived: mail travels outbox → relay → Queue → consumer → mailbox, asynchronously.
 */
export async function mailboxFor(base: string, to: string, template?: string): Promise<MailboxMessage[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(`${base}/v1/dev/mailbox?to=${encodeURIComponent(to)}`);
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: MailboxMessage[] };
    if (messages.some((message) => !template || message.template === template)) return messages;
    if (Date.now() > deadline) throw new Error(`no ${template ?? ""} email for ${to} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

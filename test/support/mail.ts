/**
 * The one place tests read the emails the marketplace sent. Today it reads the `email_outbox` rows the
 * writes appended (their template data: the links); once delivery runs in tests, switch these helpers to
 * the dev mailbox (GET /v1/dev/mailbox) and every test follows.
 */
import type { EmailTemplate } from "../../src/contracts/emails.ts";
import { sql } from "./db.ts";

export interface SentEmail {
  to: string;
  template: EmailTemplate;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Emails sent to an address (any case), newest first; only those of `template` when given. */
export async function emailsTo(email: string, template?: EmailTemplate): Promise<SentEmail[]> {
  const rows = await sql().query(
    `select to_email as "to", template, data, created_at as "createdAt" from email_outbox
     where to_email = $1 and ($2::text is null or template = $2) order by created_at desc, id desc`,
    [email.trim().toLowerCase(), template ?? null],
  );
  return rows as SentEmail[];
}

/** The fields of an email's data that hold its link, by template. */
const LINK_FIELDS: Partial<Record<EmailTemplate, string>> = {
  invitation: "acceptUrl",
  password_reset: "resetUrl",
  email_verification: "verifyUrl",
  account_exists: "resetUrl",
};

/** The link of the newest email of `template` to an address; throws when there is none. */
export async function emailLink(email: string, template: EmailTemplate): Promise<URL> {
  const [newest] = await emailsTo(email, template);
  const field = LINK_FIELDS[template] ?? "url";
  const link = newest?.data[field];
  if (typeof link !== "string") throw new Error(`no ${template} email with a link for ${email}`);
  return new URL(link);
}

/** The `token` of the newest email of `template` to an address (its link's query parameter). */
export async function emailToken(email: string, template: EmailTemplate): Promise<string> {
  const token = (await emailLink(email, template)).searchParams.get("token");
  if (!token) throw new Error(`the ${template} link for ${email} has no token`);
  return token;
}

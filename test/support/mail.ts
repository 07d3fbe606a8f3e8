/**
 * The one place tests read the emails the marketplace sent: the outbox rows the writes appended (template
 * and data), after the real sender has delivered whatever was pending for the address into the dev mailbox.
 * The sender blanks a row's secret links once it is sent; they are read back from the delivered text.
 */
import { type EmailTemplate, SECRET_EMAIL_FIELDS } from "../../src/contracts/emails.ts";
import { sql } from "./db.ts";
import { deliverEmailsTo } from "./delivery.ts";

export interface SentEmail {
  to: string;
  template: EmailTemplate;
  data: Record<string, unknown>;
  /** The plain-text part as delivered (null while not sent). */
  text: string | null;
  createdAt: string;
}

/** Where each secret link field points, to find it among a delivered email's URLs. */
const LINK_PATTERNS: Record<(typeof SECRET_EMAIL_FIELDS)[number], RegExp> = {
  acceptUrl: /\/invitations\/accept\?token=/,
  apiAcceptUrl: /\/v1\/invitations\/[\w-]+\/accept$/,
  resetUrl: /\/(reset-password\?token=|forgot-password$)/,
  verifyUrl: /\/verify-email\?token=/,
};

/** Emails sent to an address (any case), newest first; only those of `template` when given. */
export async function emailsTo(email: string, template?: EmailTemplate): Promise<SentEmail[]> {
  await deliverEmailsTo(email);
  const rows = (await sql().query(
    `select o.to_email as "to", o.template, o.data, m.text, o.created_at as "createdAt"
     from email_outbox o left join dev_mailbox m on m.id = o.id
     where o.to_email = $1 and ($2::text is null or o.template = $2) order by o.created_at desc, o.id desc`,
    [email.trim().toLowerCase(), template ?? null],
  )) as SentEmail[];
  return rows.map((row) => {
    const urls = row.text?.match(/https?:\/\/[^\s"<>)]+/g) ?? [];
    const data = { ...row.data };
    for (const field of SECRET_EMAIL_FIELDS) {
      if (field in data) continue;
      const url = urls.find((candidate) => LINK_PATTERNS[field].test(candidate));
      if (url && (row.template !== "invitation" || field !== "resetUrl")) data[field] = url;
    }
    return { ...row, data };
  });
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

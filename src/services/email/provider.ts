import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { Config } from "../../env.ts";

/** One email ready to leave: `id` is its outbox row, reused as the provider's idempotency key. */
export interface OutgoingEmail {
  id: string;
  to: string;
  template: string;
  subject: string;
  text: string;
  html: string;
}

/** Thrown for a provider's answer that a retry will not change (a 4xx other than 408/429). */
export class PermanentEmailError extends Error {}

/** The seam every email leaves through. */
export type EmailProvider = (email: OutgoingEmail) => Promise<void>;

/**
 * The provider the configuration names:
 * - `mailbox` (development and tests): the `dev_mailbox` table behind GET /v1/dev/mailbox;
 * - `resend` (production): Resend's HTTP API (https://resend.com/docs/api-reference/emails/send-email),
 *   authenticated by RESEND_API_KEY, with the outbox row id as `Idempotency-Key` so a retried send
 *   within 24 h is not sent twice.
 */
export function emailProvider(config: Config, db: Db, fetcher: typeof fetch = fetch): EmailProvider {
  if (config.EMAIL_PROVIDER === "mailbox") {
    return async (email) => {
      await db.execute(sql`insert into dev_mailbox (id, to_email, template, subject, text, html)
        values (${email.id}, ${email.to}, ${email.template}, ${email.subject}, ${email.text}, ${email.html})
        on conflict (id) do nothing`);
    };
  }
  const apiKey = config.RESEND_API_KEY;
  return async (email) => {
    const response = await fetcher("https://api.resend.com/emails", {
      method: "POST",
      headers: {
        authorization: `Bearer ${apiKey}`,
        "content-type": "application/json",
        "idempotency-key": email.id,
      },
      body: JSON.stringify({
        from: config.EMAIL_FROM,
        to: [email.to],
        subject: email.subject,
        text: email.text,
        html: email.html,
        tags: [{ name: "template", value: email.template }],
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) return;
    const detail = (await response.text()).slice(0, 300);
    const message = `email provider answered ${response.status}: ${detail}`;
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
      throw new PermanentEmailError(message);
    throw new Error(message);
  };
}

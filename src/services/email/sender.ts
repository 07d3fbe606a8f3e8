import { sql } from "drizzle-orm";
import { type EmailTemplate, emailCatalogue, SECRET_EMAIL_FIELDS } from "../../contracts/emails.ts";
import { textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import type { EmailProvider } from "./provider.ts";
import { renderEmail } from "./templates.ts";

export type SendOutcome = "sent" | "skipped" | { error: string; permanent: boolean };

/**
 * Sends one outbox email: reads the row (a row already sent or dead is skipped: the queue may deliver a
 * message twice), renders its template, hands it to the provider, then marks it sent and blanks the
 * secret links in its data (the token's hash stays in its own table). A failure is recorded on the row;
 * the caller decides on retry.
 */
export async function sendOutboxEmail(db: Db, provider: EmailProvider, id: string): Promise<SendOutcome> {
  const found = await db.execute<{ to_email: string; template: string; data: unknown }>(sql`
    update email_outbox set attempts = attempts + 1 where id = ${id} and status = 'pending'
    returning to_email, template, data`);
  const row = found.rows[0];
  if (!row) return "skipped";
  try {
    if (!(row.template in emailCatalogue)) throw new PermanentEmailError(`unknown template ${row.template}`);
    const rendered = renderEmail(row.template as EmailTemplate, row.data as never);
    await provider({ id, to: row.to_email, template: row.template, ...rendered });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const permanent =
      error instanceof PermanentEmailError || error instanceof SyntaxError || isZodError(error);
    await db.execute(sql`update email_outbox set last_error = ${message.slice(0, 500)} where id = ${id}`);
    return { error: message, permanent };
  }
  await db.execute(sql`update email_outbox set status = 'sent', sent_at = now(), last_error = null,
      data = data - ${textArray(SECRET_EMAIL_FIELDS)}
    where id = ${id}`);
  return "sent";
}

/** An email that exhausted its attempts (from the dead-letter queue). */
export async function markEmailDead(db: Db, id: string): Promise<void> {
  await db.execute(sql`update email_outbox set status = 'dead',
      data = data - ${textArray(SECRET_EMAIL_FIELDS)}
    where id = ${id} and status = 'pending'`);
}

function isZodError(error: unknown): boolean {
  return error instanceof Error && error.name === "ZodError";
}

import { PermanentEmailError } from "./provider.ts";

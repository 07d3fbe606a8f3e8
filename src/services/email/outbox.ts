import { type SQL, sql } from "drizzle-orm";
import type { EmailTemplate } from "../../contracts/emails.ts";

/** Rows of one email template to append to the outbox, for a write batch. */
export interface EmailRows {
  template: EmailTemplate;
  /** The recipient's address (normalised), per row. */
  to: SQL;
  /** jsonb matching the template's data in src/contracts/emails.ts. */
  data: SQL;
  /** What the row expressions read (`from …`, may include joins and `where`). */
  from?: SQL;
  /** Makes the row appear once whatever retries: a notification's `event:<id>:<template>:<user>`. */
  dedupeKey?: SQL;
}

/**
 * The statement that appends emails to `email_outbox`, for the batch of the change that causes them (the
 * email exists exactly when its change committed). The relay enqueues it; the consumer renders and sends.
 *
 * @example
 * appendEmails({ template: "password_reset", to: sql`u.email_normalized`,
 *   data: sql`jsonb_build_object('name', u.name, 'resetUrl', ${url}, 'expiresMinutes', 30)`,
 *   from: sql`users u where u.id = ${userId}` })
 */
export function appendEmails(rows: EmailRows, returning = false): SQL {
  return sql`insert into email_outbox (to_email, template, data, dedupe_key)
    select ${rows.to}, ${rows.template}::text, ${rows.data}, ${rows.dedupeKey ?? sql`null::text`}
    ${rows.from ? sql`from ${rows.from}` : sql``}
    on conflict (dedupe_key) do nothing${returning ? sql` returning id` : sql``}`;
}

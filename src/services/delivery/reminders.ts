import { sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { isoTime } from "../../db/json.ts";
import { appendEmails } from "../email/outbox.ts";

/** How long before its due date an open invoice is reminded of. */
export const INVOICE_DUE_NOTICE_DAYS = 3;

/**
 * Invoices falling due within {@link INVOICE_DUE_NOTICE_DAYS} days (or overdue), still open and not yet
 * reminded: one "invoice due" email to each owner and admin of the buyer organisation, and the invoice
 * marked reminded, in one statement (so a reminder is written once however often the cron runs). At most
 * 500 invoices a run. Returns how many invoices were reminded.
 */
export async function remindDueInvoices(db: Db, publicUrl: string): Promise<number> {
  const result = await db.execute<{ reminded: number }>(sql`
    with due as (
      update invoices set due_reminder_at = now()
      where id in (select id from invoices
        where status = 'open' and due_reminder_at is null
          and due_at <= now() + make_interval(days => ${INVOICE_DUE_NOTICE_DAYS})
        order by due_at limit 500 for update skip locked)
      returning id, buyer_org_id, seller_org_id, amount_minor, currency, due_at),
    mail as (${appendEmails({
      template: "invoice_due",
      to: sql`u.email_normalized`,
      data: sql`jsonb_build_object('invoiceId', due.id, 'sellerName', s.name, 'buyerName', b.name,
        'amountMinor', due.amount_minor, 'currency', due.currency,
        'dueAt', ${isoTime(sql`due.due_at`)},
        'url', ${publicUrl}::text || '/org/open?org=' || due.buyer_org_id || '&next=/invoices/' || due.id)`,
      from: sql`due join organizations s on s.id = due.seller_org_id join organizations b on b.id = due.buyer_org_id
        join memberships m on m.org_id = due.buyer_org_id and m.role in ('owner', 'admin')
        join users u on u.id = m.user_id`,
      dedupeKey: sql`'invoice-due:' || due.id || ':' || u.id`,
    })} returning 1)
    select (select count(*) from due)::int as reminded, (select count(*) from mail)::int as emails`);
  return Number(result.rows[0]?.reminded ?? 0);
}

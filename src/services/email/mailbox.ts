import { desc, eq } from "drizzle-orm";
import { devMailbox } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";
import { normalizeEmail } from "../identity/accounts.ts";

/** What the development provider delivered, newest first (GET /v1/dev/mailbox). */
export async function readMailbox(ctx: ServiceContext, to?: string) {
  const query = ctx.db
    .select({
      id: devMailbox.id,
      to: devMailbox.toEmail,
      template: devMailbox.template,
      subject: devMailbox.subject,
      body: devMailbox.text,
      html: devMailbox.html,
      createdAt: devMailbox.createdAt,
    })
    .from(devMailbox)
    .orderBy(desc(devMailbox.createdAt))
    .limit(50);
  const rows = await (to ? query.where(eq(devMailbox.toEmail, normalizeEmail(to))) : query);
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

import { type SQL, sql } from "drizzle-orm";
import type { AttachmentUrl, Message, MessageThread } from "../../contracts/messages.ts";
import type { Config } from "../../env.ts";
import { ApiError } from "../../lib/problem.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "../catalog/cursor.ts";
import type { ServiceContext } from "../context.ts";
import { assertKeyAccess, assertRole, memberRoleSql } from "../identity/org-access.ts";
import type { Principal } from "../identity/principal.ts";
import { downloadUrl } from "../media/presign.ts";
import { messageJson, threadJson, unreadCountSql } from "./views.ts";

export const threadNotFound = () => new ApiError("not_found", "Thread not found.");

/** Reads of threads: API keys need the messages:read scope; members, any role (checked on the row). */
function readAccess(principal: Principal, orgId: string) {
  assertKeyAccess(principal, orgId, "messages:read");
  return principal.kind === "user" ? principal.userId : null;
}

/** A page and its version: the ETag is a hash of exactly what the page shows, computed by the same query. */
export interface Versioned<T> {
  body: T;
  etag: string;
}

export interface ThreadQuery {
  subjectType?: "order" | "listing" | "rfq";
  subjectId?: string;
  unread?: boolean;
  cursor?: string;
  limit: number;
}

/**
 * The organisation's threads (as buyer or seller), most recently active first, keyset-paginated along
 * the (org, last_message_at desc, id) indexes. One round trip.
 */
export async function listThreads(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  query: ThreadQuery,
): Promise<Versioned<{ items: MessageThread[]; nextCursor: string | null }>> {
  const userId = readAccess(principal, orgId);
  const scope = ["threads", orgId, query.subjectType ?? null, query.subjectId ?? null, query.unread ?? false];
  const after = query.cursor ? await decodeCursor(ctx, query.cursor, scope, cursorKeys.timeAndId) : undefined;
  const filters: SQL[] = [];
  if (query.subjectType) filters.push(sql`t.subject_type = ${query.subjectType}`);
  if (query.subjectId) filters.push(sql`t.subject_id = ${query.subjectId}`);
  if (after)
    filters.push(
      sql`(t.last_message_at < ${after[0]}::timestamptz or (t.last_message_at = ${after[0]}::timestamptz and t.id > ${after[1]}::uuid))`,
    );
  if (query.unread && userId) filters.push(sql`${unreadCountSql(userId)} > 0`);
  const limit = query.limit + 1;
  // One branch per side, each along its own (org, last_message_at desc, id) index. Threads always have a
  // message (the first one is posted with the thread), so last_message_at is set.
  const branch = (column: SQL, also = sql``) => sql`(select t.*, t.last_message_at::text as key from threads t
    where t.${column} = ${orgId} ${also} ${sql.join(
      filters.map((filter) => sql`and ${filter}`),
      sql` `,
    )}
    order by t.last_message_at desc nulls last, t.id limit ${limit})`;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    items: { thread: MessageThread; key: string }[] | null;
    etag: string;
  }>(sql`
    with page as (select * from (${branch(sql`buyer_org_id`)} union all ${branch(sql`seller_org_id`, sql`and t.buyer_org_id <> ${orgId}`)}) x
      order by last_message_at desc nulls last, id limit ${limit}),
    items as (select json_agg(json_build_object('thread', ${threadJson(orgId, userId)}, 'key', t.key)
      order by t.last_message_at desc nulls last, t.id) as items from page t)
    select ${memberRoleSql(orgId, userId)} as role, items.items,
      md5(coalesce(items.items::text, '[]')) as etag from items`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "messages:read", "see messages");
  const items = rows[0]?.items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    body: {
      items: page.map((item) => item.thread),
      nextCursor:
        items.length > query.limit && last
          ? await encodeCursor(ctx, scope, [last.key, last.thread.id])
          : null,
    },
    etag: `"${rows[0]?.etag ?? "0"}"`,
  };
}

/**
 * A thread and a page of its messages, newest first. Reading does not mark anything read (POST …/read
 * does). One round trip.
 */
export async function listMessages(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  threadId: string,
  query: { cursor?: string; limit: number },
): Promise<Versioned<{ thread: MessageThread; items: Message[]; nextCursor: string | null }>> {
  const userId = readAccess(principal, orgId);
  const scope = ["messages", orgId, threadId];
  const after = query.cursor ? await decodeCursor(ctx, query.cursor, scope, cursorKeys.timeAndId) : undefined;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    thread: MessageThread | null;
    items: { message: Message; key: string }[] | null;
    etag: string;
  }>(sql`
    with visible as (select * from threads where id = ${threadId} and ${orgId} in (buyer_org_id, seller_org_id)),
    page as (select m.*, m.created_at::text as key from messages m
      where m.thread_id = (select id from visible)
        ${after ? sql`and (m.created_at < ${after[0]}::timestamptz or (m.created_at = ${after[0]}::timestamptz and m.id > ${after[1]}::uuid))` : sql``}
      order by m.created_at desc nulls last, m.id limit ${query.limit + 1}),
    body as (select (select ${threadJson(orgId, userId)} from visible t) as thread,
      (select json_agg(json_build_object('message', ${messageJson}, 'key', m.key) order by m.created_at desc, m.id)
        from page m) as items)
    select ${memberRoleSql(orgId, userId)} as role, body.thread, body.items,
      md5(coalesce(body.thread::text, '') || coalesce(body.items::text, '[]')) as etag from body`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "messages:read", "see messages");
  const row = rows[0];
  if (!row?.thread) throw threadNotFound();
  const items = row.items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    body: {
      thread: row.thread,
      items: page.map((item) => item.message),
      nextCursor:
        items.length > query.limit && last
          ? await encodeCursor(ctx, scope, [last.key, last.message.id])
          : null,
    },
    etag: `"${row.etag}"`,
  };
}

/**
 * A short-lived presigned GET for a file attached to a message of the thread (either party's file; not of a
 * hidden message). One round trip.
 */
export async function attachmentUrl(
  ctx: ServiceContext,
  config: Config,
  principal: Principal,
  orgId: string,
  threadId: string,
  fileId: string,
): Promise<AttachmentUrl> {
  const userId = readAccess(principal, orgId);
  const { rows } = await ctx.db.execute<{ role: string | null; key: string | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select f.key from files f where f.id = ${fileId} and f.status = 'ready' and exists (
        select 1 from messages m join threads t on t.id = m.thread_id
        where m.thread_id = ${threadId} and ${orgId} in (t.buyer_org_id, t.seller_org_id)
          and m.hidden_at is null and ${fileId}::uuid = any(m.attachment_ids) and m.sender_org_id = f.org_id)) as key`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "messages:read", "see messages");
  const key = rows[0]?.key;
  if (!key) throw new ApiError("not_found", "Attachment not found.");
  return downloadUrl(config, key, ctx.now);
}

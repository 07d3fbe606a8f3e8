import { type SQL, sql } from "drizzle-orm";
import { isoTime } from "../../db/json.ts";

/** What a message list shows of a body: the first characters, on one line. */
export const PREVIEW_CHARS = 140;

const orgJson = (id: SQL) =>
  sql`(select json_build_object('id', og.id, 'name', og.name) from organizations og where og.id = ${id})`;

/**
 * Messages the user has not read in thread `t`: newer than their read state (or all, without one), not
 * their own, not hidden. Null for API keys (`userId` null), which have no read state.
 */
export function unreadCountSql(userId: string | null): SQL {
  if (!userId) return sql`null::int`;
  return sql`(select count(*)::int from messages um where um.thread_id = t.id and um.hidden_at is null
    and um.sender_user_id is distinct from ${userId}::uuid
    and um.created_at > coalesce((select tr.last_read_at from thread_reads tr where tr.thread_id = t.id and tr.user_id = ${userId}::uuid), '-infinity'))`;
}

/** A thread (alias `t`) as the acting organisation `orgId` and the calling member see it. */
export function threadJson(orgId: string, userId: string | null): SQL {
  return sql`json_build_object(
    'id', t.id,
    'subject', json_build_object('type', t.subject_type, 'id', t.subject_id, 'title', case t.subject_type
      when 'listing' then (select sl.title from listings sl where sl.id = t.subject_id)
      when 'rfq' then (select sr.title from rfqs sr where sr.id = t.subject_id)
      else 'Order ' || upper(left(t.subject_id::text, 8)) end),
    'buyer', ${orgJson(sql`t.buyer_org_id`)},
    'seller', ${orgJson(sql`t.seller_org_id`)},
    'otherParty', ${orgJson(sql`case when t.buyer_org_id = ${orgId}::uuid then t.seller_org_id else t.buyer_org_id end`)},
    'messageCount', t.message_count,
    'lastMessageAt', ${isoTime(sql`t.last_message_at`)},
    'unreadCount', ${unreadCountSql(userId)},
    'lastMessage', (select json_build_object('id', lm.id, 'senderOrgId', lm.sender_org_id,
        'preview', case when lm.hidden_at is null then left(regexp_replace(lm.body, '\\s+', ' ', 'g'), ${PREVIEW_CHARS}) end,
        'hidden', lm.hidden_at is not null, 'createdAt', ${isoTime(sql`lm.created_at`)})
      from messages lm where lm.thread_id = t.id order by lm.created_at desc nulls last, lm.id limit 1),
    'createdAt', ${isoTime(sql`t.created_at`)})`;
}

/** A message (alias `m`) as the parties see it: a hidden one keeps its place but not its body or files. */
export const messageJson: SQL = sql`json_build_object(
  'id', m.id,
  'threadId', m.thread_id,
  'sender', json_build_object('org', ${orgJson(sql`m.sender_org_id`)}, 'userId', m.sender_user_id,
    'userName', (select su.name from users su where su.id = m.sender_user_id)),
  'body', case when m.hidden_at is null then m.body end,
  'hidden', m.hidden_at is not null,
  'attachments', case when m.hidden_at is not null then '[]'::json else coalesce((
    select json_agg(json_build_object('id', f.id, 'filename', f.filename, 'contentType', f.content_type,
        'sizeBytes', f.content_length) order by array_position(m.attachment_ids, f.id))
    from files f where f.id = any(m.attachment_ids)), '[]'::json) end,
  'createdAt', ${isoTime(sql`m.created_at`)})`;

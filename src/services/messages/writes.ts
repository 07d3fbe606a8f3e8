import { type SQL, sql } from "drizzle-orm";
import type { ModeratedMessage, PostedMessage } from "../../contracts/messages.ts";
import { check, guard, uuidArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { isoTime } from "../../db/json.ts";
import { ApiError } from "../../lib/problem.ts";
import { adminGuard } from "../catalog/lifecycle.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import { assertKeyAccess, orgWriteAccess, orgWriteChecks } from "../identity/org-access.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { rfqVisibleToSeller } from "../negotiation/views.ts";
import { type GuardProblems, write } from "../write.ts";
import { threadNotFound } from "./reads.ts";
import { messageJson, threadJson } from "./views.ts";

export const MAX_MESSAGE_CHARS = 4000;
export const MAX_ATTACHMENTS = 5;
/** How much one sender may post: per user a minute, per organisation an hour. */
export const SENDER_LIMITS = {
  user: { max: 30, window: "1 minute" },
  org: { max: 500, window: "1 hour" },
} as const;

export interface MessageInput {
  body: string;
  attachmentIds: string[];
}

export interface StartThreadInput extends MessageInput {
  subjectType: "order" | "listing" | "rfq";
  subjectId: string;
  /** RFQ threads only: the seller the buyer talks to (a seller acting for itself may omit it). */
  sellerOrgId?: string;
}

const subjectNames = { order: "Order", listing: "Listing", rfq: "RFQ" } as const;

const messageProblems: GuardProblems = {
  thread_visible: () => threadNotFound(),
  attachments_usable: (detail) =>
    new ApiError(
      "unprocessable",
      "Attachments must be uploaded files (images or documents) of your organisation, completed.",
      {
        errors: ((detail?.unusable as string[] | null) ?? []).map((id) => ({
          field: "body.attachmentIds",
          message: `${id} is not a completed upload of your organisation`,
        })),
      },
    ),
  sender_rate: (detail) => rateLimited(detail, `${SENDER_LIMITS.user.max} messages a minute per person`),
  org_rate: (detail) => rateLimited(detail, `${SENDER_LIMITS.org.max} messages an hour per organisation`),
};

function rateLimited(detail: Record<string, unknown> | null, limit: string) {
  const wait = Math.max(1, Math.ceil(Number(detail?.retryAfter) || 1));
  return new ApiError("rate_limited", `Too many messages: at most ${limit}. Try again in ${wait} s.`, {
    headers: { "Retry-After": String(wait) },
  });
}

/**
 * Messages posted since `since` in threads of the given organisations, as a row source `rm`: read along
 * the (org, last_message_at) thread indexes and (thread, created_at) message index, never a scan of all
 * messages.
 */
function recentMessages(orgs: SQL, since: SQL, sender: SQL): SQL {
  return sql`(select rm.created_at from threads rt join messages rm on rm.thread_id = rt.id
    where (rt.buyer_org_id = any(${orgs}) or rt.seller_org_id = any(${orgs}))
      and rt.last_message_at > ${since} and rm.created_at > ${since} and ${sender}) recent`;
}

/** A rate check: fewer than `max` messages in the window; on failure, when the oldest one leaves it. */
function rateCheck(name: string, max: number, window: string, source: (since: SQL) => SQL, at: SQL): SQL {
  const since = sql`(${at} - ${window}::interval)`;
  return check(
    name,
    sql`(select count(*) < ${max} from ${source(since)})`,
    sql`jsonb_build_object('retryAfter', (select extract(epoch from min(created_at) + ${window}::interval - ${at}) from ${source(since)}))`,
  );
}

/**
 * What every post starts with: the caller may write messages for the organisation, one sender at a time
 * (advisory locks per sending person and organisation, so the counts below see every earlier post), within the
 * rate limits, and the attachments are the organisation's own completed uploads.
 */
function senderStatements(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  input: MessageInput,
  at: SQL,
) {
  const db = ctx.db;
  const userId = principal.kind === "user" ? principal.userId : null;
  // The person first, then the organisation (a fixed order): a member of two organisations posting through
  // both at once is counted against one per-person limit.
  const locks = [
    ...(userId
      ? [sql`pg_advisory_xact_lock(hashtextextended('messages-user:' || ${userId}::uuid::text, 0))`]
      : []),
    sql`pg_advisory_xact_lock(hashtextextended('messages:' || ${orgId}::uuid::text, 0))`,
  ];
  const rates = [
    rateCheck(
      "org_rate",
      SENDER_LIMITS.org.max,
      SENDER_LIMITS.org.window,
      (since) => recentMessages(sql`array[${orgId}::uuid]`, since, sql`rm.sender_org_id = ${orgId}`),
      at,
    ),
  ];
  if (userId)
    rates.unshift(
      rateCheck(
        "sender_rate",
        SENDER_LIMITS.user.max,
        SENDER_LIMITS.user.window,
        (since) =>
          recentMessages(
            sql`array(select org_id from memberships where user_id = ${userId})`,
            since,
            sql`rm.sender_user_id = ${userId}`,
          ),
        at,
      ),
    );
  // An API key is one sender too: held to the same per-minute limit as a person (it belongs to one
  // organisation, whose lock serialises its posts).
  if (principal.kind === "api_key")
    rates.unshift(
      rateCheck(
        "sender_rate",
        SENDER_LIMITS.user.max,
        SENDER_LIMITS.user.window,
        (since) =>
          recentMessages(sql`array[${orgId}::uuid]`, since, sql`rm.sender_key_id = ${principal.keyId}`),
        at,
      ),
    );
  const statements = [
    db.execute(
      sql`select ${sql.join([...orgWriteChecks(ctx, principal, orgId, "messages:write"), ...locks], sql`, `)}`,
    ),
    // A statement of its own, after the lock: it reads a snapshot taken once the lock was granted.
    db.execute(sql`select ${sql.join(rates, sql`, `)}`),
  ];
  if (input.attachmentIds.length > 0) {
    const ids = uuidArray(input.attachmentIds);
    const usable = (id: SQL) =>
      sql`exists (select 1 from files f where f.id = ${id} and f.org_id = ${orgId} and f.status = 'ready' and f.purpose::text in ('image', 'document', 'rfq-attachment'))`;
    statements.push(
      guard(
        db,
        "attachments_usable",
        sql`(select bool_and(${usable(sql`x`)}) from unnest(${ids}) x)`,
        sql`jsonb_build_object('unusable', (select jsonb_agg(x) from unnest(${ids}) x where not ${usable(sql`x`)}))`,
      ),
    );
  }
  return statements;
}

/**
 * Posts into the thread the `thread` CTE yields (id, buyer_org_id, seller_org_id, after counting the
 * message in it): the message, the sender's own read state up to it, and `message.posted` for the other
 * organisation. Then reads back the thread and the message.
 */
function postStatements(
  db: Db,
  principal: Principal,
  orgId: string,
  messageId: string,
  input: MessageInput,
  thread: SQL,
  at: SQL,
  prelude: SQL = sql``,
) {
  const userId = principal.kind === "user" ? principal.userId : null;
  const keyId = principal.kind === "api_key" ? principal.keyId : null;
  const seen = userId
    ? sql`, seen as (insert into thread_reads (thread_id, user_id, last_read_at) select id, ${userId}, ${at} from thread
        on conflict (thread_id, user_id) do update set last_read_at = greatest(thread_reads.last_read_at, excluded.last_read_at))`
    : sql``;
  const post = db.execute(sql`with ${prelude} thread as (${thread}),
    msg as (insert into messages (id, thread_id, sender_org_id, sender_user_id, sender_key_id, body, attachment_ids, created_at)
      select ${messageId}, id, ${orgId}, ${userId}::uuid, ${keyId}::uuid, ${input.body}, ${uuidArray(input.attachmentIds)}, ${at}
      from thread
      returning id, thread_id)
    ${seen}
    ${appendEvents(
      [
        {
          type: "message.posted",
          orgId: sql`case when t.buyer_org_id = ${orgId}::uuid then t.seller_org_id else t.buyer_org_id end`,
          entityId: sql`m.id`,
          payload: sql`jsonb_build_object('threadId', t.id, 'senderOrgId', ${orgId}::uuid)`,
          from: sql`msg m join thread t on t.id = m.thread_id`,
        },
      ],
      at,
    )}`);
  const readBack = db.execute<{ posted: PostedMessage }>(sql`select json_build_object(
      'thread', (select ${threadJson(orgId, userId)} from threads t where t.id = m.thread_id),
      'message', ${messageJson}) as posted
    from messages m where m.id = ${messageId}`);
  return { post, readBack };
}

/** The parties of a new thread about the subject, as the acting organisation may see it (no row: 404). */
function partiesSql(orgId: string, input: StartThreadInput): SQL {
  const seller = input.sellerOrgId ?? null;
  switch (input.subjectType) {
    case "order":
      return sql`select o.buyer_org_id as buyer, o.seller_org_id as seller from orders o
        where o.id = ${input.subjectId} and ${orgId} in (o.buyer_org_id, o.seller_org_id)`;
    case "listing":
      return sql`select ${orgId}::uuid as buyer, l.org_id as seller from listings l
        where l.id = ${input.subjectId} and l.status = 'published'`;
    case "rfq":
      // The buyer talks to the seller it names; a seller talks for itself, when it may answer the RFQ.
      return sql`select r.buyer_org_id as buyer,
          case when r.buyer_org_id = ${orgId}::uuid then ${seller}::uuid else ${orgId}::uuid end as seller,
          r.seller_org_id as addressed, r.category_id, r.id as rfq_id
        from rfqs r where r.id = ${input.subjectId}
          and (r.buyer_org_id = ${orgId}::uuid or ${rfqVisibleToSeller(sql`${orgId}::uuid`)})`;
  }
}

/**
 * Starts the conversation between the two parties about the subject, or continues it (one thread per
 * parties and subject, also when two first messages race), and posts the first message. One round trip.
 */
export async function startThread(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  input: StartThreadInput,
): Promise<PostedMessage> {
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const userId = principal.kind === "user" ? principal.userId : null;
  const messageId = crypto.randomUUID();
  const parties = partiesSql(orgId, input);
  const subjectChecks = [
    check("subject_visible", sql`exists (select 1 from parties)`),
    check("not_self", sql`(select buyer is distinct from seller from parties)`),
  ];
  if (input.subjectType === "rfq") {
    subjectChecks.push(
      check(
        "rfq_seller",
        sql`(select p.seller is not null and (${input.sellerOrgId ?? null}::uuid is null or ${input.sellerOrgId ?? null}::uuid = p.seller)
          and exists (select 1 from rfqs r where r.id = p.rfq_id and ${rfqVisibleToSeller(sql`p.seller`)}) from parties p)`,
      ),
    );
  }
  const { post, readBack } = postStatements(
    db,
    principal,
    orgId,
    messageId,
    input,
    sql`insert into threads (buyer_org_id, seller_org_id, subject_type, subject_id, created_by,
        message_count, last_message_at, created_at)
      select buyer, seller, ${input.subjectType}, ${input.subjectId}, ${userId}::uuid, 1, ${at}, ${at} from parties
      on conflict on constraint threads_parties_subject_key do update
        set message_count = threads.message_count + 1, last_message_at = greatest(threads.last_message_at, excluded.last_message_at)
      returning id, buyer_org_id, seller_org_id`,
    at,
    sql`parties as (${parties}),`,
  );
  const name = subjectNames[input.subjectType];
  const { posted } = await write(db, "post messages", {
    ...messageProblems,
    subject_visible: () => new ApiError("not_found", `${name} not found.`),
    not_self: () => new ApiError("unprocessable", "An organisation cannot message itself."),
    rfq_seller: () =>
      new ApiError(
        "unprocessable",
        input.sellerOrgId
          ? "That organisation is not a seller of this RFQ: it was not addressed, sells nothing in its category and has not quoted."
          : "Name the seller to message about this RFQ (sellerOrgId).",
        { errors: [{ field: "body.sellerOrgId", message: "is not a seller of this RFQ" }] },
      ),
  })
    .add(
      ...senderStatements(ctx, principal, orgId, input, at),
      db.execute(sql`with parties as (${parties}) select ${sql.join(subjectChecks, sql`, `)}`),
      post,
    )
    .one(
      "posted",
      readBack,
      (result) => result.rows[0]?.posted,
      () => threadNotFound(),
    )
    .commit();
  return posted;
}

/** Posts a message into one of the organisation's threads. One round trip. */
export async function postMessage(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  threadId: string,
  input: MessageInput,
): Promise<PostedMessage> {
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const { post, readBack } = postStatements(
    db,
    principal,
    orgId,
    crypto.randomUUID(),
    input,
    sql`update threads set message_count = message_count + 1, last_message_at = greatest(last_message_at, ${at})
      where id = ${threadId} and ${orgId} in (buyer_org_id, seller_org_id) returning id, buyer_org_id, seller_org_id`,
    at,
  );
  const { posted } = await write(db, "post messages", messageProblems)
    .add(
      ...senderStatements(ctx, principal, orgId, input, at),
      guard(
        db,
        "thread_visible",
        sql`exists (select 1 from threads where id = ${threadId} and ${orgId} in (buyer_org_id, seller_org_id))`,
      ),
      post,
    )
    .one(
      "posted",
      readBack,
      (result) => result.rows[0]?.posted,
      () => threadNotFound(),
    )
    .commit();
  return posted;
}

/**
 * Marks the thread read for the calling member up to `upTo` (default: its latest message); read state
 * never moves backwards, nor past the latest message. One round trip.
 */
export async function markThreadRead(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  threadId: string,
  upTo: string | undefined,
) {
  assertKeyAccess(principal, orgId, "messages:read");
  if (principal.kind !== "user")
    throw new ApiError(
      "unprocessable",
      "API keys have no read state: sign in as a member to mark threads read.",
    );
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  await write(db, "see messages", { thread_visible: () => threadNotFound() })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "messages:read"),
      guard(
        db,
        "thread_visible",
        sql`exists (select 1 from threads where id = ${threadId} and ${orgId} in (buyer_org_id, seller_org_id))`,
      ),
      db.execute(sql`insert into thread_reads (thread_id, user_id, last_read_at)
        select t.id, ${principal.userId}, coalesce(least(${upTo ?? null}::timestamptz, t.last_message_at), ${at})
        from threads t where t.id = ${threadId} and ${orgId} in (t.buyer_org_id, t.seller_org_id)
        on conflict (thread_id, user_id) do update set last_read_at = greatest(thread_reads.last_read_at, excluded.last_read_at)`),
    )
    .commit();
}

/** A platform admin hides a message from both parties, with the reason (recorded). One round trip. */
export async function hideMessage(
  ctx: ServiceContext,
  principal: Principal,
  messageId: string,
  reason: string,
): Promise<ModeratedMessage> {
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const userId = principal.kind === "user" ? principal.userId : null;
  const { message } = await write(db, "moderate messages", {
    not_platform_admin: () => new ApiError("forbidden", "Only platform admins moderate messages."),
  })
    .add(
      principalGuard(db, principal, new Date(ctx.now)),
      adminGuard(db, principal),
      // A message hidden already keeps its first moderation record.
      db.execute(sql`update messages set hidden_at = ${at}, hidden_by = ${userId}::uuid, hidden_reason = ${reason}
        where id = ${messageId} and hidden_at is null`),
    )
    .one(
      "message",
      db.execute<{
        message: ModeratedMessage;
      }>(sql`select json_build_object('id', m.id, 'threadId', m.thread_id,
          'hidden', true, 'hiddenAt', ${isoTime(sql`m.hidden_at`)}, 'hiddenReason', m.hidden_reason) as message
        from messages m where m.id = ${messageId}`),
      (result) => result.rows[0]?.message,
      "Message not found.",
    )
    .commit();
  return message;
}

import { type SQL, sql } from "drizzle-orm";
import { type EventType, eventCatalogue } from "../../contracts/events.ts";
import type { Rfq, RfqWithQuotes } from "../../contracts/negotiation.ts";
import { guard, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import type { Config } from "../../env.ts";
import { ApiError } from "../../lib/problem.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "../catalog/cursor.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import { assertKeyAccess, assertRole, memberRoleSql, orgWriteAccess } from "../identity/org-access.ts";
import type { Principal } from "../identity/principal.ts";
import { downloadUrl } from "../media/presign.ts";
import { write } from "../write.ts";
import {
  allowedRfqActions,
  NEGOTIATION_LIMITS,
  type RfqAction,
  type RfqTransition,
  rfqMachine,
} from "./machine.ts";
import { quoteEvent, rfqIdsVisibleToSeller, rfqJson, rfqVisibleToSeller } from "./views.ts";

export interface RfqInput {
  title: string;
  sellerOrgId?: string;
  listingId?: string;
  categoryId?: string;
  currency: string;
  deliveryCountry: string;
  neededBy: string;
  respondBy?: string;
  notes?: string;
  internalNotes?: string;
  items: { variantId?: string; description: string; quantity: number; targetUnitPriceMinor?: number }[];
  /** Completed uploads of purpose `rfq-attachment` of the buyer organisation. */
  attachmentIds?: string[];
}

/** Days sellers get to answer when the buyer names no date. */
const DEFAULT_RESPOND_DAYS = 14;

/** Whether a quote of the RFQ `rfqId` was accepted into an order that waits for the buyer's approver. */
export function acceptanceHeld(rfqId: SQL): SQL {
  return sql`exists (select 1 from quotes held join orders o on o.group_id = held.order_group_id
    where held.rfq_id = ${rfqId} and held.status = 'accepted' and o.status = 'pending_approval')`;
}

/** Serialises every negotiation write on one RFQ (quotes, versions, acceptance) for the transaction. */
export function rfqLockSql(rfqId: SQL): SQL {
  return sql`pg_advisory_xact_lock(hashtextextended('rfq:' || (${rfqId})::text, 0))`;
}

/** The statements that record an RFQ or quote moving, for `negotiation_transitions`. */
export function logTransition(
  entity: "rfq" | "quote",
  rows: SQL,
  action: string,
  actor: { userId: string | null; orgId: string | null },
  at: SQL,
): SQL {
  return sql`insert into negotiation_transitions (entity_type, entity_id, action, from_status, to_status, actor_user_id, actor_org_id, created_at)
    select ${entity}, m.id, ${action}, m.from_status, m.to_status, ${actor.userId}::uuid, ${actor.orgId}::uuid, ${at} from ${rows} m`;
}

/**
 * A buyer organisation asks for quotes: from one seller (`sellerOrgId`, or the seller of `listingId`) or
 * from every seller of a category (`categoryId`). One round trip.
 */
export async function createRfq(ctx: ServiceContext, principal: Principal, orgId: string, input: RfqInput) {
  const db = ctx.db;
  const now = new Date(ctx.now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const respondBy = input.respondBy
    ? new Date(input.respondBy)
    : new Date(ctx.now + DEFAULT_RESPOND_DAYS * 86_400_000);
  const errors: { field: string; message: string }[] = [];
  if (respondBy.getTime() <= ctx.now)
    errors.push({ field: "body.respondBy", message: "must be in the future" });
  if (respondBy.getTime() > ctx.now + NEGOTIATION_LIMITS.respondByMaxDays * 86_400_000)
    errors.push({
      field: "body.respondBy",
      message: `must be within ${NEGOTIATION_LIMITS.respondByMaxDays} days`,
    });
  if (input.neededBy < now.toISOString().slice(0, 10))
    errors.push({ field: "body.neededBy", message: "must not be in the past" });
  if (input.categoryId && input.items.some((item) => item.variantId))
    errors.push({
      field: "body.items",
      message: "an RFQ open to a category names items by description, not by one seller's variants",
    });
  if (errors.length)
    throw new ApiError("validation_failed", "This request for quotes is not valid.", { errors });

  const rfqId = crypto.randomUUID();
  const attachments = sql`${`{${(input.attachmentIds ?? []).join(",")}}`}`;
  const userId = principal.kind === "user" ? principal.userId : null;
  // The seller it is addressed to: the listing's, or the one named (both: they must agree).
  const seller = input.listingId
    ? sql`(select org_id from listings where id = ${input.listingId} and status = 'published')`
    : sql`${input.sellerOrgId ?? null}::uuid`;
  const items = sql`jsonb_to_recordset(${JSON.stringify(
    input.items.map((item, position) => ({
      position,
      variant_id: item.variantId ?? null,
      description: item.description,
      quantity: item.quantity,
      target: item.targetUnitPriceMinor ?? null,
    })),
  )}::jsonb) as x(position int, variant_id uuid, description text, quantity int, target bigint)`;

  const { rfq } = await write(db, "ask for quotes", {
    listing_unknown: () =>
      new ApiError("unprocessable", "The listing does not exist or is not published.", {
        errors: [{ field: "body.listingId", message: "no published listing with this id" }],
      }),
    seller_unknown: () =>
      new ApiError("unprocessable", "No seller organisation with this id.", {
        errors: [{ field: "body.sellerOrgId", message: "no seller with this id" }],
      }),
    seller_mismatch: () =>
      new ApiError("unprocessable", "The listing belongs to another seller than the one named.", {
        errors: [{ field: "body.sellerOrgId", message: "is not the listing's seller" }],
      }),
    category_unknown: () =>
      new ApiError("unprocessable", "No category with this id.", {
        errors: [{ field: "body.categoryId", message: "no category with this id" }],
      }),
    own_organisation: () =>
      new ApiError("unprocessable", "An organisation cannot ask itself for quotes.", {
        errors: [{ field: "body", message: "addressed to your own organisation" }],
      }),
    attachments_invalid: (detail) =>
      new ApiError(
        "unprocessable",
        "Attach completed RFQ attachments (purpose rfq-attachment) of your organisation.",
        {
          errors: [
            { field: "body.attachmentIds", message: `not usable: ${JSON.stringify(detail?.ids ?? [])}` },
          ],
        },
      ),
    items_invalid: (detail) =>
      new ApiError("unprocessable", "Some items name variants this seller does not sell (published).", {
        extra: { items: detail },
      }),
  })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "rfqs:write"),
      ...(input.listingId
        ? [guard(db, "listing_unknown", sql`${seller} is not null`)]
        : input.sellerOrgId
          ? [
              guard(
                db,
                "seller_unknown",
                sql`exists (select 1 from organizations where id = ${seller} and kind in ('seller', 'both'))`,
              ),
            ]
          : [
              guard(
                db,
                "category_unknown",
                sql`exists (select 1 from categories where id = ${input.categoryId ?? null}::uuid)`,
              ),
            ]),
      ...(input.listingId && input.sellerOrgId
        ? [guard(db, "seller_mismatch", sql`${seller} = ${input.sellerOrgId}::uuid`)]
        : []),
      guard(db, "own_organisation", sql`${seller} is distinct from ${orgId}::uuid`),
      guard(
        db,
        "items_invalid",
        sql`not exists (select 1 from ${items} where x.variant_id is not null and not exists (select 1
          from listing_variants v join listings l on l.id = v.listing_id
          where v.id = x.variant_id and l.org_id = ${seller} and l.status = 'published'))`,
        sql`(select jsonb_agg(jsonb_build_object('position', x.position, 'variantId', x.variant_id)) from ${items}
          where x.variant_id is not null and not exists (select 1 from listing_variants v join listings l on l.id = v.listing_id
            where v.id = x.variant_id and l.org_id = ${seller} and l.status = 'published'))`,
      ),
      guard(
        db,
        "attachments_invalid",
        sql`not exists (select 1 from unnest(${attachments}::uuid[]) a(id) where not exists (select 1 from files f
          where f.id = a.id and f.org_id = ${orgId} and f.status = 'ready' and f.purpose = 'rfq-attachment'))`,
        sql`jsonb_build_object('ids', (select jsonb_agg(a.id) from unnest(${attachments}::uuid[]) a(id) where not exists (
          select 1 from files f where f.id = a.id and f.org_id = ${orgId} and f.status = 'ready' and f.purpose = 'rfq-attachment')))`,
      ),
      db.execute(sql`with created as (insert into rfqs (id, buyer_org_id, seller_org_id, listing_id, category_id, title,
          currency, delivery_country, needed_by, respond_by, notes, internal_notes, created_by, created_at, updated_at)
        values (${rfqId}, ${orgId}, ${seller}, ${input.listingId ?? null}, ${input.categoryId ?? null}, ${input.title},
          ${input.currency}, ${input.deliveryCountry}, ${input.neededBy}, ${respondBy.toISOString()}, ${input.notes ?? null},
          ${input.internalNotes ?? null}, ${userId}::uuid, ${at}, ${at})
        returning id, buyer_org_id, seller_org_id, 'none'::text as from_status, status::text as to_status),
      added as (insert into rfq_items (rfq_id, position, variant_id, description, quantity, target_unit_price_minor)
        select (select id from created), x.position, x.variant_id, x.description, x.quantity, x.target from ${items}),
      attached as (insert into rfq_attachments (rfq_id, file_id, position)
        select (select id from created), a.id, a.n - 1 from unnest(${attachments}::uuid[]) with ordinality a(id, n)),
      logged as (${logTransition("rfq", sql`created`, "create", { userId, orgId }, at)})
      ${appendEvents(
        [
          {
            type: "rfq.created",
            orgId: sql`org`,
            entityId: sql`c.id`,
            payload: sql`jsonb_build_object('action', 'create')`,
            from: sql`created c, unnest(array[c.buyer_org_id, c.seller_org_id]) org where org is not null`,
          },
        ],
        at,
      )}`),
    )
    .one(
      "rfq",
      db.execute<{ rfq: Rfq }>(sql`select ${rfqJson(orgId)} as rfq from rfqs r where r.id = ${rfqId}`),
      (result) => result.rows[0]?.rfq,
      "Request for quotes not found.",
    )
    .commit();
  return rfq;
}

/**
 * RFQs of the organisation: as buyer (its own), or as seller (addressed to it, open ones of its categories,
 * and any it quoted on). Newest first, keyset pages. One round trip.
 */
export async function listRfqs(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  query: { side: "buyer" | "seller"; status?: string; limit: number; cursor?: string },
) {
  assertKeyAccess(principal, orgId, "rfqs:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const scope = ["rfqs", orgId, query.side, query.status ?? null];
  const after = query.cursor ? await decodeCursor(ctx, query.cursor, scope, cursorKeys.timeAndId) : undefined;
  const visible =
    query.side === "buyer"
      ? sql`r.buyer_org_id = ${orgId}`
      : sql`r.id in ${rfqIdsVisibleToSeller(orgId)} and ${rfqVisibleToSeller(orgId)}`;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    items: { rfq: Rfq; key: string }[] | null;
  }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select json_agg(json_build_object('rfq', x.j, 'key', x.key) order by x.created_at desc, x.id desc) from (
        select ${rfqJson(orgId)} as j, r.created_at::text as key, r.created_at, r.id from rfqs r
        where ${visible}
          ${query.status ? sql`and r.status::text = ${query.status}` : sql``}
          ${after ? sql`and (r.created_at, r.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
        order by r.created_at desc, r.id desc limit ${query.limit + 1}) x) as items`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "rfqs:read", "see requests for quotes");
  const items = rows[0]?.items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((item) => item.rfq),
    nextCursor:
      items.length > query.limit && last ? await encodeCursor(ctx, scope, [last.key, last.rfq.id]) : null,
  };
}

/** One RFQ with the quotes the organisation may see (its buyer: all; a seller: its own). One round trip. */
export async function getRfq(ctx: ServiceContext, principal: Principal, orgId: string, rfqId: string) {
  assertKeyAccess(principal, orgId, "rfqs:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<{ role: string | null; rfq: RfqWithQuotes | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select ${rfqJson(orgId, { quotes: true })} from rfqs r
        where r.id = ${rfqId} and (r.buyer_org_id = ${orgId} or ${rfqVisibleToSeller(orgId)})) as rfq`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "rfqs:read", "see requests for quotes");
  const rfq = rows[0]?.rfq;
  if (!rfq) throw new ApiError("not_found", "Request for quotes not found.");
  return rfq;
}

/** Statements that move the RFQ `rfqId` by `action` (and its live quotes when the action ends them). */
export function applyRfqTransition(
  db: Db,
  rfqId: SQL,
  action: RfqAction,
  actor: { userId: string | null; orgId: string | null },
  at: SQL,
  extra: { awardedQuoteId?: SQL; when?: SQL } = {},
) {
  const transition: RfqTransition = rfqMachine[action];
  const type = `rfq.${transition.to}`;
  if (!(type in eventCatalogue)) throw new Error(`no catalogued event for an RFQ becoming ${transition.to}`);
  const from = textArray(transition.from);
  const endsQuotes = "endsQuotes" in transition ? transition.endsQuotes : undefined;
  return db.execute(sql`with prev as (select id, status::text as status from rfqs where id = ${rfqId}),
    moved as (update rfqs r set status = ${transition.to}::rfq_status, version = r.version + 1, updated_at = ${at},
        awarded_quote_id = coalesce((${extra.awardedQuoteId ?? sql`null`})::uuid, r.awarded_quote_id)
      from prev where r.id = prev.id and prev.status = any(${from}) and ${extra.when ?? sql`true`}
      returning r.id, prev.status as from_status, r.status::text as to_status, r.buyer_org_id),
    live as (select q.id, q.status::text as from_status from quotes q join moved on q.rfq_id = moved.id
      where ${endsQuotes ? sql`true` : sql`false`} and q.status in ('sent', 'countered')
        and q.id is distinct from (${extra.awardedQuoteId ?? sql`null`})::uuid),
    ended as (update quotes q set status = 'closed', updated_at = ${at} from live where q.id = live.id
      returning q.id, live.from_status, q.status::text as to_status, q.seller_org_id, q.rfq_id, q.current_version),
    ended_log as (${logTransition("quote", sql`ended`, "close", actor, at)}),
    rfq_log as (${logTransition("rfq", sql`moved`, action, actor, at)})
    ${appendEvents(
      [
        {
          type: type as EventType,
          orgId: sql`org`,
          entityId: sql`m.id`,
          payload: sql`jsonb_build_object('action', ${action}::text)`,
          // The buyer, and every seller that had a say: the one addressed, and those that quoted.
          from: sql`moved m, lateral (select m.buyer_org_id as org union select seller_org_id from rfqs where id = m.id
            and seller_org_id is not null and ${transition.to}::text <> 'awarded'
            union select seller_org_id from quotes where rfq_id = m.id and ${transition.to}::text <> 'awarded') orgs`,
        },
        quoteEvent("quote.closed", "close", sql`ended`, "seller"),
      ],
      at,
    )}`);
}

/**
 * The buyer closes (after quotes, without an award) or withdraws (before any quote) its RFQ. Repeating
 * the action that already happened returns the RFQ unchanged; anything else the machine refuses is a 409
 * naming the state and the allowed actions. One round trip.
 */
export async function transitionRfq(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  rfqId: string,
  action: "close" | "withdraw",
) {
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const transition: RfqTransition = rfqMachine[action];
  const userId = principal.kind === "user" ? principal.userId : null;
  const status = sql`(select status::text from rfqs where id = ${rfqId})`;
  const { rfq } = await write(db, "change requests for quotes", {
    rfq_visible: () => new ApiError("not_found", "Request for quotes not found."),
    awaiting_approval: () =>
      new ApiError(
        "conflict",
        "A quote of this request was accepted and waits for your approver: decide that one first.",
        { extra: { reason: "awaiting_approval" } },
      ),
    transition_allowed: (detail) => {
      const current = String(detail?.status);
      return new ApiError("conflict", `The request for quotes is ${current}: you cannot ${action} it now.`, {
        extra: { currentStatus: current, allowedActions: allowedRfqActions(current, "buyer") },
      });
    },
  })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "rfqs:write"),
      db.execute(sql`select ${rfqLockSql(sql`${rfqId}::uuid`)}`),
      guard(
        db,
        "rfq_visible",
        sql`exists (select 1 from rfqs where id = ${rfqId} and buyer_org_id = ${orgId})`,
      ),
      guard(
        db,
        "transition_allowed",
        sql`${status} = any(${textArray(transition.from)}) or ${status} = ${transition.to}`,
        sql`jsonb_build_object('status', ${status})`,
      ),
      guard(db, "awaiting_approval", sql`not ${acceptanceHeld(sql`${rfqId}::uuid`)}`),
      applyRfqTransition(db, sql`${rfqId}::uuid`, action, { userId, orgId }, at),
    )
    .one(
      "rfq",
      db.execute<{ rfq: RfqWithQuotes }>(
        sql`select ${rfqJson(orgId, { quotes: true })} as rfq from rfqs r where r.id = ${rfqId}`,
      ),
      (result) => result.rows[0]?.rfq,
      "Request for quotes not found.",
    )
    .commit();
  return rfq;
}

/**
 * Cron: quotes whose latest version's validity ran out expire; then RFQs past their response date with no
 * live quote left expire (nothing was awarded). Each move re-checks its state when it takes the row, so an
 * acceptance that committed first stands. At most `limit` of each per run. One round trip.
 */
export async function expireNegotiations(ctx: ServiceContext, limit = 500) {
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const system = { userId: null, orgId: null };
  const { quotes, rfqs } = await write(db, "expire negotiations")
    .step(
      "quotes",
      db.execute<{ n: number }>(sql`with due as (select id, status::text as from_status from quotes
          where status in ('sent', 'countered') and expires_at <= ${at} order by expires_at, id limit ${limit}),
        m as (update quotes q set status = 'expired', updated_at = ${at} from due
          where q.id = due.id and q.status in ('sent', 'countered') and q.expires_at <= ${at}
          returning q.id, due.from_status, 'expired'::text as to_status, q.rfq_id, q.buyer_org_id, q.seller_org_id, q.current_version),
        logged as (${logTransition("quote", sql`m`, "expire", system, at)}),
        events as (${appendEvents([quoteEvent("quote.expired", "expire", sql`m`, "both")], at)})
        select count(*)::int as n from m`),
    )
    .step(
      "rfqs",
      db.execute<{ n: number }>(sql`with due as (select r.id, r.status::text as from_status from rfqs r
          where r.status in ('open', 'quoted') and r.respond_by <= ${at}
            and not exists (select 1 from quotes q where q.rfq_id = r.id and (q.status in ('sent', 'countered')
              or (q.status = 'accepted' and exists (select 1 from orders o where o.group_id = q.order_group_id
                and o.status = 'pending_approval'))))
          order by r.respond_by, r.id limit ${limit}),
        m as (update rfqs r set status = 'expired', version = r.version + 1, updated_at = ${at} from due
          where r.id = due.id and r.status in ('open', 'quoted')
          returning r.id, due.from_status, 'expired'::text as to_status, r.buyer_org_id, r.seller_org_id),
        logged as (${logTransition("rfq", sql`m`, "expire", system, at)}),
        events as (${appendEvents(
          [
            {
              type: "rfq.expired",
              orgId: sql`org`,
              entityId: sql`m.id`,
              payload: sql`jsonb_build_object('action', 'expire')`,
              from: sql`m, lateral (select m.buyer_org_id as org union select m.seller_org_id where m.seller_org_id is not null
                union select seller_org_id from quotes where rfq_id = m.id) orgs`,
            },
          ],
          at,
        )})
        select count(*)::int as n from m`),
    )
    .commit();
  return { quotesExpired: quotes.rows[0]?.n ?? 0, rfqsExpired: rfqs.rows[0]?.n ?? 0 };
}

/**
 * A short-lived presigned GET for a document attached to an RFQ: for its buyer, and for sellers that may
 * see the RFQ. One round trip.
 */
export async function rfqAttachmentUrl(
  ctx: ServiceContext,
  config: Config,
  principal: Principal,
  orgId: string,
  rfqId: string,
  fileId: string,
) {
  assertKeyAccess(principal, orgId, "rfqs:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    key: string | null;
    filename: string | null;
  }>(sql`
    select ${memberRoleSql(orgId, userId)} as role, f.key, f.filename
    from (select 1) one left join (rfq_attachments a join files f on f.id = a.file_id and f.status = 'ready'
      join rfqs r on r.id = a.rfq_id)
      on a.rfq_id = ${rfqId} and a.file_id = ${fileId} and (r.buyer_org_id = ${orgId} or ${rfqVisibleToSeller(orgId)})`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "rfqs:read", "see requests for quotes");
  const key = rows[0]?.key;
  if (!key) throw new ApiError("not_found", "Attachment not found.");
  return downloadUrl(config, key, ctx.now);
}

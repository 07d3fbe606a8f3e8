import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Quote, QuoteWithVersions } from "../../contracts/negotiation.ts";
import { guard, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "../catalog/cursor.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import { assertKeyAccess, assertRole, memberRoleSql, orgWriteAccess } from "../identity/org-access.ts";
import type { Capability } from "../identity/permissions.ts";
import type { Principal } from "../identity/principal.ts";
import { amountBoundError, MAX_AMOUNT_MINOR } from "../orders/cart.ts";
import { type GuardProblems, write } from "../write.ts";
import {
  allowedQuoteActions,
  NEGOTIATION_LIMITS,
  type QuoteAction,
  type QuoteTransition,
  quoteMachine,
} from "./machine.ts";
import { logTransition, rfqLockSql } from "./rfqs.ts";
import { quoteJson, rfqVisibleToSeller } from "./views.ts";

export interface QuoteVersionInput {
  lines: { variantId?: string; title?: string; quantity: number; unitPriceMinor: number }[];
  validUntil: string;
  leadTimeDays: number;
  paymentTerms: "prepaid" | "net30" | "net60";
  notes?: string;
}

const DAY_MS = 86_400_000;
const notFound = () => new ApiError("not_found", "Quote not found.");

/** The capability each action needs: the seller's side quotes, the buyer's side negotiates. */
const ACTION_CAPABILITY = {
  revise: "quotes:write",
  withdraw: "quotes:write",
  counter: "rfqs:write",
  decline: "rfqs:write",
} as const satisfies Partial<Record<QuoteAction, Capability>>;

function checkValidity(ctx: ServiceContext, input: QuoteVersionInput) {
  const until = Date.parse(input.validUntil);
  const errors: { field: string; message: string }[] = [];
  if (until <= ctx.now) errors.push({ field: "body.validUntil", message: "must be in the future" });
  if (until > ctx.now + NEGOTIATION_LIMITS.validityMaxDays * DAY_MS)
    errors.push({
      field: "body.validUntil",
      message: `must be within ${NEGOTIATION_LIMITS.validityMaxDays} days`,
    });
  if (errors.length) throw new ApiError("validation_failed", "This quote is not valid.", { errors });
}

/** The version's lines as rows `x` (position, variant_id, title, quantity, price). */
function linesOf(input: QuoteVersionInput): SQL {
  return sql`jsonb_to_recordset(${JSON.stringify(
    input.lines.map((line, position) => ({
      position,
      variant_id: line.variantId ?? null,
      title: line.title ?? null,
      quantity: line.quantity,
      price: line.unitPriceMinor,
    })),
  )}::jsonb) as x(position int, variant_id uuid, title text, quantity int, price bigint)`;
}

/** Lines naming a variant that is not a published variant of `seller`. */
const foreignVariant = (seller: SQL) => sql`x.variant_id is not null and not exists (select 1
  from listing_variants v join listings l on l.id = v.listing_id
  where v.id = x.variant_id and l.org_id = ${seller} and l.status = 'published')`;

const versionProblems: GuardProblems = {
  lines_invalid: (detail) =>
    new ApiError("unprocessable", "Some lines name variants the seller does not sell (published).", {
      extra: { lines: detail },
    }),
  amount_bound: () => amountBoundError("This quote"),
};

/**
 * The statements that add version `version` of quote `quoteId` (author `side`): checks of its lines, the
 * version row, its lines (titles and SKUs snapshotted from the seller's variants).
 */
function versionStatements(
  db: Db,
  quoteId: string,
  version: number,
  side: "buyer" | "seller",
  seller: SQL,
  currency: SQL,
  userId: string | null,
  input: QuoteVersionInput,
  at: SQL,
): BatchItem<"pg">[] {
  const lines = linesOf(input);
  return [
    guard(
      db,
      "lines_invalid",
      sql`not exists (select 1 from ${lines} where ${foreignVariant(seller)})`,
      sql`(select jsonb_agg(jsonb_build_object('position', x.position, 'variantId', x.variant_id)) from ${lines}
        where ${foreignVariant(seller)})`,
    ),
    guard(
      db,
      "amount_bound",
      sql`(select sum(x.quantity::numeric * x.price) from ${lines}) <= ${MAX_AMOUNT_MINOR}`,
    ),
    db.execute(sql`with v as (insert into quote_versions (quote_id, version, side, author_user_id, currency, total_minor,
        valid_until, lead_time_days, payment_terms, notes, created_at)
      select ${quoteId}, ${version}, ${side}, ${userId}::uuid, ${currency},
        (select sum(x.quantity::numeric * x.price) from ${lines}), ${input.validUntil}::timestamptz,
        ${input.leadTimeDays}, ${input.paymentTerms}, ${input.notes ?? null}, ${at} returning 1)
      insert into quote_lines (quote_id, version, position, variant_id, listing_id, sku, title, quantity, unit_price_minor)
      select ${quoteId}, ${version}, x.position, x.variant_id, l.id, v.sku, coalesce(x.title, l.title), x.quantity, x.price
      from ${lines} left join listing_variants v on v.id = x.variant_id left join listings l on l.id = v.listing_id
      where (select count(*) from v) = 1`),
  ];
}

/** The quote as the organisation sees it (a party to it), with every version. */
function readQuote(db: Db, quoteId: string, orgId: string) {
  return db.execute<{
    quote: QuoteWithVersions;
  }>(sql`select ${quoteJson({ versions: true })} as quote from quotes q
    where q.id = ${quoteId} and ${orgId} in (q.buyer_org_id, q.seller_org_id)`);
}

/**
 * A seller answers an RFQ it may see with its first quote (version 1). One quote per seller and RFQ:
 * later offers are revisions. One round trip.
 */
export async function createQuote(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  rfqId: string,
  input: QuoteVersionInput,
) {
  checkValidity(ctx, input);
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const quoteId = crypto.randomUUID();
  const userId = principal.kind === "user" ? principal.userId : null;
  const rfqStatus = sql`(select status::text from rfqs where id = ${rfqId})`;
  const { quote } = await write(db, "send quotes", {
    ...versionProblems,
    rfq_visible: () => new ApiError("not_found", "Request for quotes not found."),
    rfq_live: (detail) =>
      new ApiError(
        "conflict",
        detail?.status === "open" || detail?.status === "quoted"
          ? "The request for quotes stopped taking quotes at its response date."
          : `The request for quotes is ${String(detail?.status)}: it takes no more quotes.`,
        { extra: { currentStatus: detail?.status } },
      ),
    quote_exists: (detail) =>
      new ApiError("conflict", "You already quoted on this request: send a revision of that quote instead.", {
        extra: { quoteId: detail?.quoteId },
      }),
  })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "quotes:write"),
      db.execute(sql`select ${rfqLockSql(sql`${rfqId}::uuid`)}`),
      guard(
        db,
        "rfq_visible",
        sql`exists (select 1 from rfqs r where r.id = ${rfqId} and ${rfqVisibleToSeller(orgId)})`,
      ),
      guard(
        db,
        "rfq_live",
        sql`exists (select 1 from rfqs where id = ${rfqId} and status in ('open', 'quoted') and respond_by > ${at})`,
        sql`jsonb_build_object('status', ${rfqStatus})`,
      ),
      guard(
        db,
        "quote_exists",
        sql`not exists (select 1 from quotes where rfq_id = ${rfqId} and seller_org_id = ${orgId})`,
        sql`jsonb_build_object('quoteId', (select id from quotes where rfq_id = ${rfqId} and seller_org_id = ${orgId}))`,
      ),
      db.execute(sql`insert into quotes (id, rfq_id, seller_org_id, buyer_org_id, status, current_version, expires_at,
          created_at, updated_at)
        select ${quoteId}, r.id, ${orgId}, r.buyer_org_id, 'sent', 1, ${input.validUntil}::timestamptz, ${at}, ${at}
        from rfqs r where r.id = ${rfqId}`),
      ...versionStatements(
        db,
        quoteId,
        1,
        "seller",
        sql`${orgId}::uuid`,
        sql`(select currency from rfqs where id = ${rfqId})`,
        userId,
        input,
        at,
      ),
      db.execute(sql`with quoted as (update rfqs r set status = 'quoted', version = r.version + 1, updated_at = ${at}
          where r.id = ${rfqId} and r.status = 'open' returning r.id, 'open'::text as from_status, 'quoted'::text as to_status),
        rfq_log as (${logTransition("rfq", sql`quoted`, "quote", { userId, orgId }, at)}),
        quote_log as (${logTransition(
          "quote",
          sql`(select ${quoteId}::uuid as id, 'none'::text as from_status, 'sent'::text as to_status)`,
          "send",
          { userId, orgId },
          at,
        )})
        ${appendEvents(
          [
            {
              type: "quote.sent",
              orgId: sql`q.buyer_org_id`,
              entityId: sql`q.id`,
              payload: sql`jsonb_build_object('rfqId', q.rfq_id, 'action', 'send', 'version', 1)`,
              from: sql`quotes q where q.id = ${quoteId}`,
            },
          ],
          at,
        )}`),
    )
    .one("quote", readQuote(db, quoteId, orgId), (result) => result.rows[0]?.quote, notFound)
    .commit();
  return quote;
}

/**
 * Moves a quote for the organisation's side of it: `revise` (seller) and `counter` (buyer) add a version
 * based on the current one (`basedOnVersion`, else 409: someone answered first); `decline` (buyer) and
 * `withdraw` (seller) end it (a repeat returns it unchanged). What the machine refuses is a 409 naming the
 * state and the side's allowed actions. One round trip.
 */
export async function moveQuote(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  quoteId: string,
  action: "revise" | "counter" | "decline" | "withdraw",
  version?: QuoteVersionInput & { basedOnVersion: number },
) {
  if (version) checkValidity(ctx, version);
  const db = ctx.db;
  const at = sql`${new Date(ctx.now).toISOString()}::timestamptz`;
  const transition: QuoteTransition = quoteMachine[action];
  const userId = principal.kind === "user" ? principal.userId : null;
  const side = sql`(select case when seller_org_id = ${orgId} then 'seller' when buyer_org_id = ${orgId} then 'buyer' end
    from quotes where id = ${quoteId})`;
  const status = sql`(select status::text from quotes where id = ${quoteId})`;
  const rfqStatus = sql`(select r.status::text from rfqs r join quotes q on q.rfq_id = r.id where q.id = ${quoteId})`;
  const repeatable = !transition.newVersion;
  const statements: BatchItem<"pg">[] = [
    ...orgWriteAccess(ctx, principal, orgId, ACTION_CAPABILITY[action]),
    db.execute(sql`select ${rfqLockSql(sql`(select rfq_id from quotes where id = ${quoteId})`)}`),
    guard(db, "quote_visible", sql`${side} is not null`),
    guard(
      db,
      "transition_allowed",
      sql`${side} = any(${textArray(transition.by)}) and (${status} = any(${textArray(transition.from)})
        ${repeatable ? sql`or ${status} = ${transition.to}` : sql``})`,
      sql`jsonb_build_object('status', ${status}, 'side', ${side})`,
    ),
  ];
  const moved = sql`(select id, status::text as from_status, ${transition.to}::text as to_status, rfq_id, buyer_org_id,
    seller_org_id from quotes where id = ${quoteId} and status::text = any(${textArray(transition.from)}))`;
  const event = {
    revise: "quote.sent",
    counter: "quote.countered",
    decline: "quote.declined",
    withdraw: "quote.withdrawn",
  } as const;
  const audience = action === "revise" || action === "withdraw" ? sql`m.buyer_org_id` : sql`m.seller_org_id`;
  const next = version ? version.basedOnVersion + 1 : null;
  if (version && next) {
    statements.push(
      guard(
        db,
        "version_current",
        sql`(select current_version from quotes where id = ${quoteId}) = ${version.basedOnVersion}`,
        sql`jsonb_build_object('currentVersion', (select current_version from quotes where id = ${quoteId}))`,
      ),
      guard(db, "versions_limit", sql`${next}::int <= ${NEGOTIATION_LIMITS.versions}`),
      guard(
        db,
        "rfq_live",
        sql`${rfqStatus} in ('open', 'quoted')`,
        sql`jsonb_build_object('status', ${rfqStatus})`,
      ),
      ...versionStatements(
        db,
        quoteId,
        next,
        action === "revise" ? "seller" : "buyer",
        sql`(select seller_org_id from quotes where id = ${quoteId})`,
        sql`(select currency from quote_versions where quote_id = ${quoteId} and version = 1)`,
        userId,
        version,
        at,
      ),
    );
  }
  statements.push(
    db.execute(sql`with m as ${moved},
      changed as (update quotes q set status = ${transition.to}::quote_status, updated_at = ${at}
          ${next ? sql`, current_version = ${next}, expires_at = ${version?.validUntil ?? null}::timestamptz` : sql``}
        from m where q.id = m.id and q.status::text = any(${textArray(transition.from)}) returning q.id),
      logged as (${logTransition("quote", sql`m`, action, { userId, orgId }, at)})
      ${appendEvents(
        [
          {
            type: event[action],
            orgId: audience,
            entityId: sql`m.id`,
            payload: sql`jsonb_build_object('rfqId', m.rfq_id, 'action', ${action}::text,
              'version', ${next ?? sql`(select current_version from quotes where id = ${quoteId})`}::int)`,
            from: sql`m`,
          },
        ],
        at,
      )}`),
  );
  const { quote } = await write(db, "negotiate quotes", {
    ...versionProblems,
    quote_visible: notFound,
    transition_allowed: (detail) => {
      const current = String(detail?.status);
      const forSide = (detail?.side ?? "buyer") as "buyer" | "seller";
      return new ApiError("conflict", `The quote is ${current}: the ${forSide} cannot ${action} it now.`, {
        extra: { currentStatus: current, allowedActions: allowedQuoteActions(current, forSide) },
      });
    },
    version_current: (detail) =>
      new ApiError(
        "conflict",
        `Version ${String(detail?.currentVersion)} is the quote's latest: read it and answer that one.`,
        { extra: { currentVersion: detail?.currentVersion } },
      ),
    versions_limit: () =>
      new ApiError(
        "conflict",
        `A quote holds at most ${NEGOTIATION_LIMITS.versions} versions: accept, decline or talk it over.`,
      ),
    rfq_live: (detail) =>
      new ApiError(
        "conflict",
        `The request for quotes is ${String(detail?.status)}: the quote cannot change.`,
        {
          extra: { rfqStatus: detail?.status },
        },
      ),
  })
    .add(...statements)
    .one("quote", readQuote(db, quoteId, orgId), (result) => result.rows[0]?.quote, notFound)
    .commit();
  return quote;
}

/** One quote with every version, for its buyer or its seller (anyone else: 404). One round trip. */
export async function getQuote(ctx: ServiceContext, principal: Principal, orgId: string, quoteId: string) {
  assertKeyAccess(principal, orgId, "rfqs:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<{ role: string | null; quote: QuoteWithVersions | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select ${quoteJson({ versions: true })} from quotes q
        where q.id = ${quoteId} and ${orgId} in (q.buyer_org_id, q.seller_org_id)) as quote`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "rfqs:read", "see quotes");
  const quote = rows[0]?.quote;
  if (!quote) throw notFound();
  return quote;
}

/** Quotes the organisation sent (seller) or received (buyer), newest first, keyset pages. One round trip. */
export async function listQuotes(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  query: { side: "buyer" | "seller"; status?: string; rfqId?: string; limit: number; cursor?: string },
) {
  assertKeyAccess(principal, orgId, "rfqs:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const scope = ["quotes", orgId, query.side, query.status ?? null, query.rfqId ?? null];
  const after = query.cursor ? await decodeCursor(ctx, query.cursor, scope, cursorKeys.timeAndId) : undefined;
  const column = query.side === "buyer" ? sql`q.buyer_org_id` : sql`q.seller_org_id`;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    items: { quote: Quote; key: string }[] | null;
  }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select json_agg(json_build_object('quote', x.j, 'key', x.key) order by x.created_at desc, x.id desc) from (
        select ${quoteJson()} as j, q.created_at::text as key, q.created_at, q.id from quotes q
        where ${column} = ${orgId}
          ${query.status ? sql`and q.status::text = ${query.status}` : sql``}
          ${query.rfqId ? sql`and q.rfq_id = ${query.rfqId}` : sql``}
          ${after ? sql`and (q.created_at, q.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
        order by q.created_at desc, q.id desc limit ${query.limit + 1}) x) as items`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "rfqs:read", "see quotes");
  const items = rows[0]?.items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((item) => item.quote),
    nextCursor:
      items.length > query.limit && last ? await encodeCursor(ctx, scope, [last.key, last.quote.id]) : null,
  };
}

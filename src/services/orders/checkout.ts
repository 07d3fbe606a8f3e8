import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { OrderGroup } from "../../contracts/orders.ts";
import { check, postgresError } from "../../db/atomic.ts";
import { requestHash as hashOf } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEvents } from "../events.ts";
import { orgWriteChecks } from "../identity/org-access.ts";
import { type Principal, verifiedEmailCheck } from "../identity/principal.ts";
import { type GuardProblems, write } from "../write.ts";
import {
  amountBoundError,
  type CartView,
  cartEtagOf,
  cartJsonOf,
  cartLockSql,
  MAX_AMOUNT_MINOR,
  normaliseCart,
  pricedLines,
} from "./cart.ts";
import { approvalNeededSql, limitsLockSql, subjectOf } from "./limits.ts";
import { groupJsonOver } from "./views.ts";

export interface CheckoutInput {
  poNumber?: string;
  paymentTerms: "prepaid" | "net30" | "net60";
  shippingAddress: Record<string, string>;
  notes?: string;
}

/** How long a stored checkout response is replayed for its Idempotency-Key. */
export const IDEMPOTENCY_HOURS = 24;

export interface CheckoutResult {
  status: number;
  body: OrderGroup;
  replayed: boolean;
}

/**
 * Turns the buyer organisation's cart into one order group with one order per seller, in ONE round trip:
 * a single batch claims the Idempotency-Key, locks the cart, listings and variants in a fixed order, checks
 * that the cart is still the version the buyer saw (`ifMatch`, its ETag), re-checks every line,
 * reserves stock (a guard aborts everything if any line falls short), snapshots prices and titles,
 * decides approval against the spending limits of the member (or the API keys) checking out, refuses to
 * renew an approval hold, appends events, empties the cart and stores the response for replays. A replay of a finished key costs the same single trip (the stored response comes
 * back in the guard's detail).
 */
export async function checkout(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  idempotencyKey: string,
  ifMatch: string,
  input: CheckoutInput,
  approvalHoldHours: number,
  orderAcceptHours: number,
): Promise<CheckoutResult> {
  const lines = sql`lines`;
  const invalid = sql`x.status <> 'published' or x.quantity < x.moq or (x.quantity - x.moq) % x.increment <> 0`;
  return placeOrders(
    ctx,
    principal,
    orgId,
    { key: idempotencyKey, request: input },
    {
      action: "check out",
      lock: [
        check("cart_empty", sql`exists (select 1 from cart_lines where org_id = ${orgId})`),
        cartLockSql(orgId),
      ],
      lines: pricedLines(orgId),
      checks: [
        check(
          "cart_changed",
          sql`${cartEtagOf(lines)} = ${ifMatch}`,
          sql`jsonb_build_object('etag', ${cartEtagOf(lines)}, 'cart', ${cartJsonOf(lines)})`,
        ),
      ],
      invalid,
      problem: sql`case when x.status <> 'published' then 'listing is no longer available'
        when x.quantity < x.moq then 'below the minimum order quantity of ' || x.moq
        else 'not a multiple of the order increment ' || x.increment end`,
      paymentTerms: sql`${input.paymentTerms}`,
      finish: sql`emptied as (delete from cart_lines where org_id = ${orgId} and (select count(*) from reserved) >= 0 returning 1)`,
      problems: {
        cart_empty: () => new ApiError("unprocessable", "The cart is empty."),
        cart_changed: (detail) =>
          new ApiError(
            "precondition_failed",
            "The cart changed since you read it (lines, quantities or prices): nothing was ordered. " +
              "Review the current cart and check out with its ETag.",
            {
              extra: { cart: normaliseCart(detail?.cart as CartView) },
              headers: { ETag: String(detail?.etag) },
            },
          ),
      },
    },
    input,
    { approvalHoldHours, orderAcceptHours },
  );
}

/**
 * Where the lines of an order placement come from, and what is checked and done with that source around
 * the shared placement (the cart for checkout, a quote's latest version for its acceptance).
 */
export interface OrderSource {
  /** What the caller tried, for a 403 ("Your role may not …"). */
  action: string;
  /** Checks and locks on the source, run after the Idempotency-Key replay check, before any other lock. */
  lock: SQL[];
  /** The lines, as {@link pricedFrom} rows (variant_id null: a free-text line, no stock to reserve). */
  lines: SQL;
  /** Checks run first over the priced lines (`lines`), e.g. the cart is the version the buyer saw. */
  checks: SQL[];
  /** When a line `x` cannot be ordered, and the problem to name for it. */
  invalid: SQL;
  problem: SQL;
  /** The order group's payment terms. */
  paymentTerms: SQL;
  /**
   * Data-modifying CTEs (`name as (…)`, comma separated) that run once the stock is reserved (`reserved`);
   * they may read `new_group` and `new_orders` (and append their own events).
   */
  finish: SQL;
  /**
   * Statements that run after the placement, in its batch: whenever it commits, so also when its orders
   * wait for approval (`new_group`'s status tells; a guard here still aborts everything).
   */
  after?: BatchItem<"pg">[];
  /** What the source's guards become (and checkout's own, reworded for the source). */
  problems: GuardProblems;
}

/**
 * Places one order group with one order per seller from `source`, in ONE round trip (see {@link checkout}).
 */
export async function placeOrders(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  /** The key, and the request it stands for (its canonical hash tells a replay from a reuse). */
  idempotency: { key: string; request: unknown },
  source: OrderSource,
  input: Omit<CheckoutInput, "paymentTerms">,
  hours: { approvalHoldHours: number; orderAcceptHours: number },
): Promise<CheckoutResult> {
  const { key: idempotencyKey } = idempotency;
  const requestHash = await hashOf(idempotency.request);
  const { approvalHoldHours, orderAcceptHours } = hours;
  const db = ctx.db;
  const now = new Date(ctx.now);
  const at = sql`${now.toISOString()}::timestamptz`;
  const groupId = crypto.randomUUID();
  const userId = principal.kind === "user" ? principal.userId : null;

  // Priced once: every check and insert below reads the `lines` CTE (materialised) of the last statement.
  const lines = sql`lines`;
  const subject = subjectOf(principal);
  const keyId = principal.kind === "api_key" ? principal.keyId : null;
  const needsApproval = approvalNeededSql(
    orgId,
    subject,
    sql`(select currency from totals)`,
    sql`(select total from totals)`,
    at,
  );

  const hold = `${approvalHoldHours} hours`;
  // Orders held for approval at their checkout (their group has an approval deadline) that hold a variant
  // of the cart now, or ended without a sale within the hold time: declined, or cancelled, rejected or
  // expired, whether before or after an approval (an approved order is the hold carried on until a sale
  // or its end; `updated_at` is when a final state was reached). Approved orders still placed or sold do
  // not count. None of them can end later than the hold time plus the time a placed order waits for its
  // seller after its checkout (`orderAcceptHours`, plus a day of slack for the hourly expiry cron), which
  // bounds the orders looked at.
  const horizon = `${2 * approvalHoldHours + orderAcceptHours + 24} hours`;
  const recentHolds = sql`(select ln.variant_id, ln.sku from orders o
      join order_groups g on g.id = o.group_id join order_lines ln on ln.order_id = o.id
    where o.buyer_org_id = ${orgId} and o.created_at > ${at} - ${horizon}::interval
      and g.approval_expires_at is not null
      and ln.variant_id in (select variant_id from ${lines})
      and (o.status = 'pending_approval' or (o.status in ('declined', 'cancelled', 'rejected', 'expired')
        and o.updated_at > ${at} - ${hold}::interval)))`;
  const { invalid } = source;

  const checkoutWrite = write(db, source.action, {
    lines_invalid: (detail) =>
      new ApiError("unprocessable", "Some cart lines can no longer be ordered as they are.", {
        extra: { lines: detail },
      }),
    currency_mismatch: () =>
      new ApiError("unprocessable", "The cart mixes currencies; one currency per checkout."),
    amount_bound: () => amountBoundError("This checkout"),
    approval_hold_renewal: (detail) =>
      new ApiError(
        "conflict",
        `This checkout needs approval, but some items were already held for this organisation's approval ` +
          `within the last ${approvalHoldHours} hours; holds are not renewed. Nothing was reserved or ordered: ` +
          "get the held checkout approved, order these items within your spending limit, or try later.",
        { extra: { lines: detail } },
      ),
    // Transient: the retry reads the listing as it is now (412 with the new prices, 422 if it is gone).
    listing_changed: () =>
      new ApiError(
        "service_unavailable",
        "A listing in the cart changed while checking out: nothing was ordered. Retry, with the cart's ETag.",
        { headers: { "Retry-After": "1" } },
      ),
    insufficient_stock: (detail) =>
      new ApiError("conflict", "Not enough stock for some lines; nothing was reserved or ordered.", {
        extra: { lines: detail },
      }),
    // The source's own guards, and its wording where the cart's would mislead.
    ...source.problems,
  })
    // Four statements. Each lock is taken at the end of a statement, and what must be read after it waited
    // is read by a later statement (a statement reads one snapshot, taken when it starts).
    .add(
      // 1. A concurrent request with the same key waits on the key's row at most this long, then gets 409.
      db.execute(
        sql`select ${sql.join(
          [
            sql`set_config('lock_timeout', '300ms', true)`,
            ...orgWriteChecks(ctx, principal, orgId, "orders:purchase"),
            // A person places orders only once their email address is verified (a key's creator was).
            verifiedEmailCheck(principal),
          ],
          sql`, `,
        )}`,
      ),
      // 2. Claims the Idempotency-Key, taking over an expired claim of it (deleted first: the insert reads the
      // CTE, so it runs after it, and its conflict check no longer sees the row). A live key is left unlocked.
      db.execute(sql`with expired as (delete from idempotency_keys where org_id = ${orgId} and key = ${idempotencyKey}
        and created_at < ${at} - ${`${IDEMPOTENCY_HOURS} hours`}::interval returning 1)
      insert into idempotency_keys (org_id, key, request_hash, response_status, response_body, created_at)
      select ${orgId}, ${idempotencyKey}, ${requestHash}, 0, '{}'::jsonb, ${at} where (select count(*) from expired) >= 0
      on conflict do nothing`),
      // 3. Stock locks may wait longer: only the key claim above is meant to give up quickly. A finished key
      // replays its stored response. Then, in the fixed lock order (cart, limits, listings, variants, each by
      // id; concurrent checkouts queue, never deadlock): the cart (cart edits wait from here to the end) and
      // the spending limits (the buyer's month-to-date spend is read below: its other checkouts and limit
      // edits wait).
      db.execute(sql`select set_config('lock_timeout', '10s', true),
      ${check(
        "idempotency_replay",
        sql`exists (select 1 from idempotency_keys where org_id = ${orgId} and key = ${idempotencyKey} and response_status = 0)`,
        sql`(select jsonb_build_object('hash', request_hash, 'status', response_status, 'body', response_body)
          from idempotency_keys where org_id = ${orgId} and key = ${idempotencyKey})`,
      )},
      ${sql.join(source.lock, sql`, `)}, ${limitsLockSql(orgId, subject)}`),
      // 4. Everything else, in one statement over one snapshot taken after the locks above: the cart priced
      // once; the checks, in order (the cart is the version the buyer saw, every line can be ordered as it is,
      // one currency, the total's bound; the approval decision, made once, and no renewal of an approval
      // hold); the group, its orders, their lines, the events and the stored response; then stock: the
      // listings (shared: price edits wait) and then the variants (FOR NO KEY UPDATE, in id order) are locked
      // only after all of that is written, reserved (a check aborts everything if any line falls short), and
      // held only for the end of this statement and the commit. The listings were read over this statement's
      // snapshot, before their lock: a check aborts (503, retry) if one was edited, archived or deleted by a
      // transaction that committed in between (FOR SHARE returns the newest version, a plain read the
      // snapshot's). The cart is emptied last, after the stock locks: holding its lines' row locks while
      // waiting for a listing would deadlock with an edit that holds the listing and deletes a variant (the
      // FK cascade to cart lines). FOR NO KEY UPDATE, like the
      // UPDATE itself: it does not conflict with the key-share locks that the order lines' and carts' foreign
      // keys take on the same variants. Each step's CTE is made to wait for the one before by reading it.
    )
    .one(
      "body",
      db.execute<{ body: OrderGroup }>(sql`with
      lines as materialized (${source.lines}),
      totals as materialized (select coalesce(sum(x.line_total), 0) as total, min(x.currency) as currency,
          count(distinct x.currency) as currencies from ${lines} x),
      decision as materialized (select case when ${needsApproval} then 'pending_approval' else 'placed' end as status),
      checks as materialized (select
        ${sql.join(
          source.checks.map((item, n) => sql`${item} as source_check_${sql.raw(String(n))}`),
          sql`, `,
        )},
        ${check(
          "lines_invalid",
          sql`not exists (select 1 from ${lines} x where ${invalid})`,
          sql`(select jsonb_agg(jsonb_build_object('variantId', x.variant_id, 'sku', x.sku, 'problem', ${source.problem}))
            from ${lines} x where ${invalid})`,
        )} as lines_invalid,
        ${check(
          "currency_mismatch",
          sql`(select currencies from totals) = 1`,
          sql`(select jsonb_agg(distinct x.currency) from ${lines} x)`,
        )} as currency_mismatch,
        ${check("amount_bound", sql`(select total from totals) <= ${MAX_AMOUNT_MINOR}`)} as amount_bound,
        ${check(
          "approval_hold_renewal",
          // Approval holds are not renewable: a checkout that would hold a variant for approval is refused
          // while this organisation holds it for approval already, or a hold of it ended without a sale
          // within the hold time before (cancel, decline, rejection or expiry, before or after an approval:
          // approving a hold and then cancelling the order does not renew it). See recentHolds above.
          sql`(select status <> 'pending_approval' from decision) or not exists (select 1 from ${recentHolds} h)`,
          sql`(select jsonb_agg(distinct jsonb_build_object('variantId', h.variant_id, 'sku', h.sku)) from ${recentHolds} h)`,
        )} as approval_hold_renewal),
      new_group as (insert into order_groups (id, buyer_org_id, status, po_number, payment_terms, shipping_address, notes,
          currency, total_minor, placed_by, placed_by_key_id, approval_expires_at, created_at)
        select ${groupId}, ${orgId}, d.status::order_group_status, ${input.poNumber ?? null}, (${source.paymentTerms})::payment_terms,
          ${JSON.stringify(input.shippingAddress)}::jsonb, ${input.notes ?? null}, t.currency, t.total, ${userId}::uuid,
          ${keyId}::uuid, case when d.status = 'pending_approval' then ${at} + ${hold}::interval end, ${at}
        from checks k, decision d, totals t
        returning *),
      new_orders as (insert into orders (group_id, buyer_org_id, seller_org_id, status, payment_terms, currency,
          subtotal_minor, created_at, updated_at)
        select g.id, g.buyer_org_id, x.seller_id, g.status::text::order_status, g.payment_terms, x.currency,
          sum(x.line_total), ${at}, ${at}
        from ${lines} x, new_group g
        group by x.seller_id, x.currency, g.id, g.buyer_org_id, g.status, g.payment_terms
        returning *),
      new_lines as (insert into order_lines (order_id, listing_id, variant_id, sku, title, quantity, tier_min_quantity,
          unit_price_minor, line_total_minor)
        select o.id, x.listing_id, x.variant_id, x.sku, x.title, x.quantity, (x.tier->>'minQuantity')::int,
          x.unit_price, x.line_total
        from ${lines} x join new_orders o on o.seller_org_id = x.seller_id
        returning *),
      new_events as (${appendEvents(
        [
          {
            type: {
              oneOf: ["order_group.placed", "order_group.pending_approval"],
              when: sql`'order_group.' || g.status`,
            },
            orgId: sql`g.buyer_org_id`,
            entityId: sql`g.id`,
            payload: sql`jsonb_build_object('totalMinor', g.total_minor, 'currency', g.currency)`,
            from: sql`new_group g`,
          },
          {
            type: { oneOf: ["order.placed", "order.pending_approval"], when: sql`'order.' || o.status` },
            orgId: sql`o.seller_org_id`,
            entityId: sql`o.id`,
            payload: sql`jsonb_build_object('groupId', o.group_id, 'buyerOrgId', o.buyer_org_id, 'subtotalMinor', o.subtotal_minor)`,
            from: sql`new_orders o`,
          },
        ],
        at,
      )} returning 1),
      stored as (update idempotency_keys set response_status = 201, response_body = ${groupJsonOver(
        sql`${groupId}::uuid`,
        {
          groups: sql`new_group`,
          orders: sql`new_orders`,
          lines: sql`new_lines`,
        },
      )}::jsonb
        where org_id = ${orgId} and key = ${idempotencyKey}
        returning response_body),
      shared as materialized (select id, version from listings where id in (select listing_id from ${lines})
        and (select count(*) from new_events) + (select count(*) from stored) >= 0
        order by id for share),
      locked as materialized (select id, sku, stock from listing_variants where id in (select variant_id from ${lines})
        and (select count(*) from shared) >= 0
        order by id for no key update),
      reserved as (update listing_variants v set stock = v.stock - x.quantity from ${lines} x
        where v.id = x.variant_id and v.stock >= x.quantity and (select count(*) from locked) >= 0
        returning v.id),
      ${source.finish}
    select ${check(
      "listing_changed",
      // FOR SHARE returns the newest version of a row it had to wait for, the plain read this statement's
      // snapshot: a listing archived, repriced or otherwise edited (every edit bumps its version) by a
      // transaction that committed after this statement started was not seen by the checks above.
      sql`(select count(*) from shared) = (select count(distinct listing_id) from ${lines})
        and not exists (select 1 from shared s join listings l on l.id = s.id where l.version <> s.version)`,
    )} as unchanged, ${check(
      "insufficient_stock",
      sql`(select count(*) from reserved) = (select count(variant_id) from ${lines})`,
      sql`(select jsonb_agg(jsonb_build_object('variantId', x.variant_id, 'sku', v.sku, 'requested', x.quantity,
          'available', v.stock))
        from ${lines} x join locked v on v.id = x.variant_id where x.variant_id not in (select id from reserved))`,
    )} as reserved, (select response_body from stored) as body`),
      (result) => result.rows[0]?.body,
      () => new ApiError("internal", "The checkout stored no response."),
    )
    .add(...(source.after ?? []));
  try {
    const { body } = await checkoutWrite.commit();
    return { status: 201, body, replayed: false };
  } catch (error) {
    const pg = postgresError(error) as { code?: string; where?: string } | undefined;
    if (pg?.code === "55P03") {
      if (pg.where?.includes("idempotency_keys")) {
        throw new ApiError("conflict", "A checkout with this Idempotency-Key is still in progress.", {
          headers: { "Retry-After": "1" },
        });
      }
      throw new ApiError("service_unavailable", "Stock is busy with other checkouts; retry shortly.", {
        headers: { "Retry-After": "1" },
      });
    }
    const replay = replayFrom(error, requestHash);
    if (replay) return replay;
    throw error;
  }
}

function replayFrom(error: unknown, requestHash: string): CheckoutResult | undefined {
  const failure = error as {
    name?: string;
    guard?: string;
    detail?: { hash?: string; status?: number; body?: OrderGroup };
  };
  if (failure?.name !== "GuardError" || failure.guard !== "idempotency_replay" || !failure.detail)
    return undefined;
  if (failure.detail.hash !== requestHash) {
    throw new ApiError("unprocessable", "This Idempotency-Key was used with a different request body.");
  }
  // Stored with the claim's completion in the same batch: a finished key always has its response.
  if (!failure.detail.body) throw new Error("checkout: replayed key without a stored response");
  return { status: failure.detail.status ?? 201, body: failure.detail.body, replayed: true };
}

/** Cron: forgets checkout responses past their replay window. One round trip. */
export async function forgetOldIdempotencyKeys(ctx: ServiceContext, hours: number): Promise<number> {
  const { rows } = await ctx.db.execute<{ n: number }>(sql`with gone as (delete from idempotency_keys
      where created_at < ${new Date(ctx.now).toISOString()}::timestamptz - ${`${hours} hours`}::interval returning 1)
    select count(*)::int as n from gone`);
  return rows[0]?.n ?? 0;
}

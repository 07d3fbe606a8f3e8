import { type SQL, sql } from "drizzle-orm";
import { check, guard } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import {
  assertKeyAccess,
  assertRole,
  memberRoleSql,
  orgWriteAccess,
  orgWriteChecks,
} from "../identity/org-access.ts";
import type { Principal } from "../identity/principal.ts";
import { write } from "../write.ts";

/**
 * The unit price a quantity earns: the last tier whose minQuantity it reaches. In SQL, so every price
 * the cart shows and every checkout snapshots comes from the same rule.
 */
export const tierFor = (tiers: SQL, quantity: SQL) => sql`(select t from jsonb_array_elements(${tiers}) t
  where (t->>'minQuantity')::int <= ${quantity} order by (t->>'minQuantity')::int desc limit 1)`;

/** The most units one cart line may hold (the route schema's bound). */
export const MAX_LINE_QUANTITY = 10_000_000;
/**
 * The largest amount (minor units) a cart or order may total: every figure stays an exact JSON number
 * (2^53 − 1) and far inside Postgres' bigint, so no sum can overflow.
 */
export const MAX_AMOUNT_MINOR = Number.MAX_SAFE_INTEGER;

/**
 * The buyer organisation's cart lines with the tier their quantity earns, the unit price and the line
 * total. Money is computed as numeric, so a price raised after a line was added can never overflow.
 */
export const pricedLines = (orgId: string) => pricedFrom(sql`cart_lines`, sql`c.org_id = ${orgId}`);

/**
 * {@link pricedLines} over any relation `c` of (variant_id, quantity) rows, filtered by `where` (e.g. a
 * cart as it will be once a statement's own change is applied).
 */
export const pricedFrom = (
  lines: SQL,
  where: SQL = sql`true`,
) => sql`select c.variant_id, c.quantity, v.sku, v.stock,
    l.id as listing_id, l.title, l.currency, l.status, l.min_order_quantity as moq, l.order_increment as increment,
    l.org_id as seller_id, p.tier, coalesce((p.tier->>'unitPriceMinor')::numeric, 0) as unit_price,
    coalesce((p.tier->>'unitPriceMinor')::numeric, 0) * c.quantity as line_total
  from ${lines} c join listing_variants v on v.id = c.variant_id join listings l on l.id = v.listing_id
    cross join lateral (select ${tierFor(sql`l.price_tiers`, sql`c.quantity`)} as tier) p
  where ${where}`;

/**
 * The cart as JSON, lines grouped by seller with tier prices and subtotals, each line checked against
 * the listing's current MOQ and increment. `orgId` is the buyer organisation.
 */
export const cartJson = (orgId: string) =>
  sql`(with priced as (${pricedLines(orgId)}) select ${cartJsonOf(sql`priced`)})`;

/** {@link cartJson} of priced lines already at hand: `priced` names a relation of {@link pricedFrom} rows. */
export const cartJsonOf = (priced: SQL) => sql`json_build_object(
    'currency', (select min(currency) from ${priced}),
    'totalMinor', coalesce((select sum(line_total) from ${priced}), 0),
    'sellers', coalesce((select json_agg(s order by s."sellerName") from (
      select seller_id as "sellerId", (select name from organizations where id = seller_id) as "sellerName",
        sum(line_total) as "subtotalMinor",
        json_agg(json_build_object('variantId', variant_id, 'listingId', listing_id, 'sku', sku, 'title', title,
          'quantity', quantity, 'unitPriceMinor', unit_price, 'tierMinQuantity', (tier->>'minQuantity')::int,
          'lineTotalMinor', line_total, 'currency', currency,
          'problems', array_remove(array[
            case when status <> 'published' then 'listing is no longer available' end,
            case when quantity < moq then 'below the minimum order quantity of ' || moq end,
            case when (quantity - moq) % increment <> 0 then 'not a multiple of the order increment ' || increment end,
            case when stock < quantity then 'only ' || stock || ' in stock' end,
            case when line_total > ${MAX_AMOUNT_MINOR} then 'the line total exceeds the largest amount an order may hold ('
              || ${MAX_AMOUNT_MINOR} || ' minor units)' end], null))
          order by title, sku) as lines
      from ${priced} group by seller_id) s), '[]'::json))`;

/**
 * The cart's version, a strong ETag: a hash of the figures the buyer sees (currency, every line's
 * variant, quantity, unit price and total, and the cart total). Titles and stock do not count, so only a
 * change of what would be bought, or at what price, changes it.
 */
export const cartEtagSql = (orgId: string) => cartEtagOf(sql`(${pricedLines(orgId)})`);

/** {@link cartEtagSql} of priced lines already at hand (a relation of {@link pricedFrom} rows). */
export const cartEtagOf = (priced: SQL) => sql`(select '"' || left(encode(sha256(convert_to(
    coalesce(min(x.currency), '') || '|' || coalesce(sum(x.line_total), 0) || '|' || coalesce(string_agg(
      x.variant_id::text || ':' || x.quantity || ':' || x.unit_price || ':' || x.line_total, ',' order by x.variant_id), ''),
    'UTF8')), 'hex'), 32) || '"' from ${priced} x)`;

/**
 * Serialises the writes to one organisation's cart (cart edits and checkouts) for the rest of the
 * transaction, so a checkout places exactly the lines it checked against the buyer's ETag.
 */
export function lockCart(db: Db, orgId: string) {
  return db.execute(sql`select ${cartLockSql(orgId)}`);
}

/** {@link lockCart} as a select-list expression. */
export function cartLockSql(orgId: string): SQL {
  // Keyed on the id as Postgres spells it (uuid::text is lower case), never on the caller's text.
  return sql`pg_advisory_xact_lock(hashtextextended('cart:' || ${orgId}::uuid::text, 0))`;
}

/** A guard: the cart's total stays within {@link MAX_AMOUNT_MINOR}. */
export function cartTotalGuard(db: Db, orgId: string) {
  return guard(
    db,
    "amount_bound",
    sql`(select coalesce(sum(line_total), 0) <= ${MAX_AMOUNT_MINOR} from (${pricedLines(orgId)}) x)`,
  );
}

export const amountBoundError = (what: string) =>
  new ApiError(
    "unprocessable",
    `${what} would total more than ${MAX_AMOUNT_MINOR} minor units, the largest amount an order may hold.`,
    { extra: { maxTotalMinor: MAX_AMOUNT_MINOR } },
  );

export interface CartView {
  currency: string | null;
  totalMinor: number;
  sellers: {
    sellerId: string;
    sellerName: string;
    subtotalMinor: number;
    lines: {
      variantId: string;
      listingId: string;
      sku: string;
      title: string;
      quantity: number;
      unitPriceMinor: number;
      tierMinQuantity: number;
      lineTotalMinor: number;
      currency: string;
      problems: string[];
    }[];
  }[];
}

export function normaliseCart(raw: CartView): CartView {
  return {
    currency: raw.currency,
    totalMinor: Number(raw.totalMinor),
    sellers: raw.sellers.map((seller) => ({
      ...seller,
      subtotalMinor: Number(seller.subtotalMinor),
      lines: seller.lines.map((line) => ({
        ...line,
        unitPriceMinor: Number(line.unitPriceMinor),
        lineTotalMinor: Number(line.lineTotalMinor),
      })),
    })),
  };
}

export interface VersionedCart {
  cart: CartView;
  /** The cart's ETag (see {@link cartEtagSql}). */
  etag: string;
}

const versionedCart = (orgId: string) => sql`${cartJson(orgId)} as cart, ${cartEtagSql(orgId)} as etag`;

function versioned(row: { cart: CartView; etag: string } | undefined, what: string): VersionedCart {
  if (!row?.cart) throw new Error(`${what}: no cart returned`);
  return { cart: normaliseCart(row.cart), etag: row.etag };
}

/** The buyer organisation's cart (its purchasers and approvers) and its ETag. One round trip. */
export async function getCart(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
): Promise<VersionedCart> {
  assertKeyAccess(principal, orgId, "cart:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<{ role: string | null; cart: CartView; etag: string }>(sql`
    select ${memberRoleSql(orgId, userId)} as role, ${versionedCart(orgId)}`);
  if (principal.kind === "user") assertRole(rows[0]?.role, "cart:read", "use the cart");
  if (!rows[0]?.cart) throw new ApiError("not_found", "Organisation not found.");
  return versioned(rows[0], "getCart");
}

const cartErrors = {
  variant_available: () =>
    new ApiError("not_found", "That variant is not for sale (unknown, unpublished, or your own)."),
  quantity_rules: (detail: Record<string, unknown> | null) =>
    new ApiError(
      "unprocessable",
      `Quantities must be at least ${detail?.moq} and step by ${detail?.increment}.`,
      {
        extra: { minOrderQuantity: detail?.moq, orderIncrement: detail?.increment },
      },
    ),
  amount_bound: () => amountBoundError("The cart"),
  currency_mismatch: (detail: Record<string, unknown> | null) =>
    new ApiError(
      "unprocessable",
      `The cart is in ${detail?.cart}; this item is priced in ${detail?.line}. One currency per cart.`,
    ),
};

/**
 * Sets a line's quantity (adds the line if new): MOQ, increment, one currency per cart, total within
 * {@link MAX_AMOUNT_MINOR}. Returns the cart and its new ETag. One round trip of two statements: the
 * access checks and the cart lock, then (reading after the lock) the line checks, the upsert, the total's
 * bound and the new cart, priced once over the cart as the upsert leaves it.
 */
export async function setCartLine(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  variantId: string,
  quantity: number,
): Promise<VersionedCart> {
  const db = ctx.db;
  const userId = principal.kind === "user" ? principal.userId : null;
  const { row } = await write(db, "use the cart", cartErrors)
    .add(
      db.execute(
        sql`select ${sql.join([...orgWriteChecks(ctx, principal, orgId, "orders:purchase"), cartLockSql(orgId)], sql`, `)}`,
      ),
    )
    .one(
      "row",
      db.execute<{ cart: CartView; etag: string }>(sql`with
        target as materialized (select l.status, l.org_id, l.min_order_quantity as moq, l.order_increment as increment,
            l.currency from listing_variants v join listings l on l.id = v.listing_id where v.id = ${variantId}),
        checks as materialized (select ${sql.join(cartLineChecks(orgId, variantId, quantity), sql`, `)}),
        upserted as (insert into cart_lines (org_id, variant_id, quantity, added_by, updated_at)
          select ${orgId}, ${variantId}, ${quantity}, ${userId}::uuid, ${new Date(ctx.now)} from checks
          on conflict (org_id, variant_id) do update set quantity = excluded.quantity, updated_at = excluded.updated_at
          returning variant_id, quantity),
        next_cart as materialized (select variant_id, quantity from cart_lines where org_id = ${orgId} and variant_id <> ${variantId}
          union all select variant_id, quantity from upserted),
        priced as materialized (${pricedFrom(sql`next_cart`)})
      select ${check("amount_bound", sql`(select coalesce(sum(line_total), 0) <= ${MAX_AMOUNT_MINOR} from priced)`)} as ok,
        ${cartJsonOf(sql`priced`)} as cart, ${cartEtagOf(sql`priced`)} as etag`),
      (result) => result.rows[0],
      "The cart could not be read.",
    )
    .commit();
  return versioned(row, "setCartLine");
}

/** The checks of {@link setCartLine}'s line, in order, over its `target` (the variant's listing). */
function cartLineChecks(orgId: string, variantId: string, quantity: number): SQL[] {
  return [
    check(
      "variant_available",
      sql`exists (select 1 from target where status = 'published' and org_id <> ${orgId})`,
    ),
    check(
      "quantity_rules",
      sql`(select ${quantity} >= moq and (${quantity} - moq) % increment = 0 from target)`,
      sql`(select jsonb_build_object('moq', moq, 'increment', increment) from target)`,
    ),
    check(
      "currency_mismatch",
      sql`not exists (select 1 from cart_lines c join listing_variants v on v.id = c.variant_id join listings l on l.id = v.listing_id
        where c.org_id = ${orgId} and c.variant_id <> ${variantId} and l.currency <> (select currency from target))`,
      sql`jsonb_build_object('cart', (select l.currency from cart_lines c join listing_variants v on v.id = c.variant_id
        join listings l on l.id = v.listing_id where c.org_id = ${orgId} and c.variant_id <> ${variantId} limit 1),
        'line', (select currency from target))`,
    ),
  ];
}

/** Removes a line; returns the cart and its new ETag. One round trip. */
export async function removeCartLine(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  variantId: string,
): Promise<VersionedCart> {
  const { row } = await write(ctx.db, "use the cart", {
    line_exists: () => new ApiError("not_found", "That line is not in the cart."),
  })
    .add(
      ...orgWriteAccess(ctx, principal, orgId, "orders:purchase"),
      lockCart(ctx.db, orgId),
      guard(
        ctx.db,
        "line_exists",
        sql`exists (select 1 from cart_lines where org_id = ${orgId} and variant_id = ${variantId})`,
      ),
      ctx.db.execute(sql`delete from cart_lines where org_id = ${orgId} and variant_id = ${variantId}`),
    )
    .one(
      "row",
      ctx.db.execute<{ cart: CartView; etag: string }>(sql`select ${versionedCart(orgId)}`),
      (result) => result.rows[0],
      "The cart could not be read.",
    )
    .commit();
  return versioned(row, "removeCartLine");
}

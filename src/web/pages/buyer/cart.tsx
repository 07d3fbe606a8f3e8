/**
 * The cart: a purchase requisition grouped by seller, with tier prices, the next tier's saving, and the
 * buyer's spending limit. Lines are set (not added to), as the API's PUT does.
 */
import { Hono } from "hono";
import { z } from "zod";
import { serviceContext } from "../../../routes/context.ts";
import { uuidParam } from "../../../routes/schemas.ts";
import { type ListingSummary, publishedListingSummaries } from "../../../services/catalog/summaries.ts";
import {
  type CartView,
  getCart,
  MAX_LINE_QUANTITY,
  removeCartLine,
  setCartLine,
  type VersionedCart,
} from "../../../services/orders/cart.ts";
import { getSpendingLimits, type SpendingLimit } from "../../../services/orders/limits.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState, PageHead } from "../../components.tsx";
import { type PageFacts, pageFacts, redirectWith, safeNext, type WebContext } from "../../context.ts";
import { attempt, field, intField, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { type BuyerContext, buyerForPost, buyerRead, canPurchase } from "./shared.tsx";

export const cartPages = new Hono<AppEnv>();

type CartLine = CartView["sellers"][number]["lines"][number];

/** The cart, the listings' buying facts and the visitor's own limits: the cart read, then one more. */
export async function readCart(c: WebContext, buyer: Pick<BuyerContext, "principal"> & { orgId: string }) {
  const ctx = serviceContext(c);
  const versioned = await getCart(ctx, buyer.principal, buyer.orgId);
  return withFacts(c, buyer, versioned);
}

async function withFacts(
  c: WebContext,
  buyer: Pick<BuyerContext, "principal"> & { orgId: string },
  versioned: VersionedCart,
) {
  const ctx = serviceContext(c);
  const listingIds = versioned.cart.sellers.flatMap((s) => s.lines.map((l) => l.listingId));
  if (listingIds.length === 0) {
    return { ...versioned, summaries: new Map<string, ListingSummary>(), limits: [] as SpendingLimit[] };
  }
  const [summaries, limits] = await Promise.all([
    publishedListingSummaries(ctx, listingIds),
    getSpendingLimits(ctx, buyer.principal, buyer.orgId, {
      kind: "member",
      userId: buyer.principal.userId,
    }),
  ]);
  return { ...versioned, summaries, limits };
}

type CartData = Awaited<ReturnType<typeof readCart>>;

cartPages.get("/cart", async (c) => {
  const result = await buyerRead(c, (orgId, principal) => readCart(c, { principal, orgId }));
  if (result instanceof Response) return result;
  return renderCart(c, result, result.data);
});

/** A problem with a line the visitor just tried to set: named, with the rule it broke. */
interface LineProblem {
  title: string;
  message: string;
  back?: string;
}

function renderCart(
  c: WebContext,
  buyer: BuyerContext,
  data: CartData,
  problem?: LineProblem,
  status: 200 | 404 | 409 | 422 | 403 = 200,
) {
  const facts = pageFacts(c);
  return page(
    c,
    buyer.viewer,
    { title: "Cart", noindex: true, status, scripts: ["enhance.js"], facts },
    <CartPage facts={facts} buyer={buyer} data={data} problem={problem} />,
  );
}

const addInput = z.object({
  listingId: uuidParam("listingId").optional(),
  variantId: uuidParam("variantId"),
});

/** The storefront's "Add to cart" (and the cart's own quantity forms): sets the line's quantity. */
cartPages.post("/cart/lines", async (c) => {
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const parsed = addInput.safeParse({
    listingId: field(form, "listingId") || undefined,
    variantId: field(form, "variantId"),
  });
  if (!parsed.success) {
    return problemPage(c, buyer, { title: "That item", message: "That product could not be found." }, 404);
  }
  return setLine(c, buyer, parsed.data.variantId, form, parsed.data.listingId);
});

cartPages.post("/cart/lines/:variantId", async (c) => {
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const variantId = uuidParam("variantId").safeParse(c.req.param("variantId"));
  if (!variantId.success) return c.notFound();
  return setLine(c, buyer, variantId.data, form);
});

cartPages.post("/cart/lines/:variantId/remove", async (c) => {
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const variantId = uuidParam("variantId").safeParse(c.req.param("variantId"));
  if (!variantId.success) return c.notFound();
  const done = await attempt(
    () => removeCartLine(serviceContext(c), buyer.principal, buyer.org.orgId, variantId.data),
    async (p) => problemPage(c, buyer, { title: "That line", message: p.message }, p.status as 404 | 403),
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/cart", "cart-line-removed");
});

async function setLine(
  c: WebContext,
  buyer: BuyerContext,
  variantId: string,
  form: URLSearchParams,
  listingId?: string,
) {
  const quantity = intField(form, "quantity");
  const back = safeNext(field(form, "next") || undefined);
  const name = async () => titleOf(c, buyer, variantId, listingId);
  if (quantity === undefined || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
    return problemPage(
      c,
      buyer,
      {
        title: await name(),
        message: `Enter a whole number of units between 1 and ${MAX_LINE_QUANTITY.toLocaleString("en")}.`,
        back,
      },
      422,
    );
  }
  const done = await attempt(
    () => setCartLine(serviceContext(c), buyer.principal, buyer.org.orgId, variantId, quantity),
    async (p) =>
      problemPage(
        c,
        buyer,
        { title: await name(), message: p.message, back },
        p.status as 403 | 404 | 409 | 422,
      ),
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/cart", "cart-updated");
}

/** The title of the listing a refused line belongs to: from the cart when it is there, else the catalogue. */
async function titleOf(c: WebContext, buyer: BuyerContext, variantId: string, listingId?: string) {
  const ctx = serviceContext(c);
  if (listingId) {
    const found = (await publishedListingSummaries(ctx, [listingId])).get(listingId);
    if (found) return found.title;
  }
  const { cart } = await getCart(ctx, buyer.principal, buyer.org.orgId).catch(() => ({ cart: null }));
  const line = cart?.sellers.flatMap((s) => s.lines).find((l) => l.variantId === variantId);
  return line?.title ?? "That item";
}

/** The cart page again, with the problem of the line just refused at its top (nothing was changed). */
async function problemPage(
  c: WebContext,
  buyer: BuyerContext,
  problem: LineProblem,
  status: 403 | 404 | 409 | 422,
) {
  const data = await readCart(c, { principal: buyer.principal, orgId: buyer.org.orgId });
  return renderCart(c, buyer, data, problem, status);
}

function CartPage(props: { facts: PageFacts; buyer: BuyerContext; data: CartData; problem?: LineProblem }) {
  const { facts, buyer, data, problem } = props;
  const { cart } = data;
  const fmt = facts.fmt;
  const editable = canPurchase(buyer.org);
  const lines = cart.sellers.flatMap((s) => s.lines);
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  const blocked = lines.some((line) => line.problems.length > 0);
  return (
    <>
      <PageHead
        title="Cart"
        subtitle={`Purchase requisition for ${buyer.org.orgName}`}
        actions={
          <a class="btn" href="/search">
            Continue shopping
          </a>
        }
      />
      {problem && (
        <div class="alert alert-error" role="alert" tabindex={-1}>
          <strong>“{problem.title}” was not changed.</strong> {problem.message}
          {problem.back && problem.back !== "/" && problem.back !== "/cart" && (
            <>
              {" "}
              <a href={problem.back}>Back to the product</a>
            </>
          )}
        </div>
      )}
      {!editable && lines.length > 0 && (
        <div class="alert alert-info">
          Your role ({buyer.org.role}) can see this cart but not change it or check out. Purchasers, admins
          and owners can.
        </div>
      )}
      {lines.length === 0 ? (
        <EmptyState title="Your cart is empty">
          <p>Find products by name, SKU or category; volume prices apply as soon as you add them here.</p>
          <a class="btn btn-primary" href="/search">
            Browse the catalogue
          </a>
        </EmptyState>
      ) : (
        <div class="columns">
          <div class="stack tight">
            {cart.sellers.map((seller) => (
              <section class="panel cart-seller" aria-labelledby={`seller-${seller.sellerId}`}>
                <div class="panel-title">
                  <h2 id={`seller-${seller.sellerId}`}>{seller.sellerName}</h2>
                  <span class="muted small">
                    {seller.lines.length} {seller.lines.length === 1 ? "line" : "lines"} · ships as one order
                  </span>
                </div>
                <div class="table-wrap">
                  <table class="table stack-sm cart-table">
                    <caption class="visually-hidden">Lines from {seller.sellerName}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Item</th>
                        <th scope="col" class="num">
                          Unit price
                        </th>
                        <th scope="col">Quantity</th>
                        <th scope="col" class="num">
                          Line total
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {seller.lines.map((line) => (
                        <CartRow
                          facts={facts}
                          line={line}
                          summary={data.summaries.get(line.listingId)}
                          editable={editable}
                        />
                      ))}
                    </tbody>
                    <tfoot>
                      <tr>
                        <td colspan={3} class="hide-sm">
                          Subtotal from {seller.sellerName}
                        </td>
                        <td class="num" data-label="Subtotal">
                          {fmt.money(seller.subtotalMinor, cart.currency ?? "EUR")}
                        </td>
                      </tr>
                    </tfoot>
                  </table>
                </div>
              </section>
            ))}
          </div>
          <aside class="stack tight" aria-label="Cart summary">
            <section class="panel">
              <h2>Summary</h2>
              <dl class="kv">
                {cart.sellers.map((seller) => (
                  <>
                    <dt>{seller.sellerName}</dt>
                    <dd class="num">{fmt.money(seller.subtotalMinor, cart.currency ?? "EUR")}</dd>
                  </>
                ))}
                <dt>Units</dt>
                <dd class="num">{fmt.number(units)}</dd>
              </dl>
              <p class="cart-total">
                <span>Total ({cart.currency})</span>
                <strong>{fmt.money(cart.totalMinor, cart.currency ?? "EUR")}</strong>
              </p>
              <p class="muted small">
                Excluding VAT and shipping. One order per seller; each seller confirms their own.
              </p>
              <ApprovalStatus facts={facts} cart={cart} limits={data.limits} />
              {blocked && (
                <p class="alert alert-warn small">Fix the lines marked in the cart before checking out.</p>
              )}
              {editable && !blocked && (
                <a class="btn btn-primary btn-large btn-block" href="/checkout">
                  Proceed to checkout
                </a>
              )}
            </section>
          </aside>
        </div>
      )}
    </>
  );
}

/** The cheapest price the next quantity step can earn, and the smallest valid quantity that earns it. */
export function nextTier(line: CartLine, summary: ListingSummary | undefined) {
  if (!summary) return undefined;
  const tier = [...summary.priceTiers]
    .sort((a, b) => a.minQuantity - b.minQuantity)
    .find((t) => t.minQuantity > line.quantity && Number(t.unitPriceMinor) < line.unitPriceMinor);
  if (!tier) return undefined;
  const { minOrderQuantity: moq, orderIncrement: step } = summary;
  const steps = Math.max(0, Math.ceil((tier.minQuantity - moq) / step));
  const quantity = moq + steps * step;
  if (quantity > MAX_LINE_QUANTITY) return undefined;
  return { quantity, more: quantity - line.quantity, unitPriceMinor: Number(tier.unitPriceMinor) };
}

function CartRow(props: {
  facts: PageFacts;
  line: CartLine;
  summary: ListingSummary | undefined;
  editable: boolean;
}) {
  const { line, summary, facts } = props;
  const fmt = facts.fmt;
  const nudge = nextTier(line, summary);
  const inputId = `qty-${line.variantId}`;
  return (
    <tr>
      <td class="cart-item-cell">
        <div class="cart-item">
          {summary?.image ? (
            <img src={summary.image} alt="" width={56} height={56} loading="lazy" />
          ) : (
            <span class="no-image cart-thumb" aria-hidden="true">
              No image
            </span>
          )}
          <div>
            <a href={`/listings/${line.listingId}`}>{line.title}</a>
            <div class="muted small mono">SKU {line.sku}</div>
            {summary && (
              <div class="muted small">
                Min. {fmt.number(summary.minOrderQuantity)}
                {summary.orderIncrement > 1 ? `, in steps of ${fmt.number(summary.orderIncrement)}` : ""}
              </div>
            )}
            {line.problems.length > 0 && (
              <ul class="line-problems">
                {line.problems.map((problem) => (
                  <li>
                    <span class="badge badge-bad">Check</span> {capitalise(problem)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      </td>
      <td class="num" data-label="Unit price">
        <div class="cell">
          {fmt.money(line.unitPriceMinor, line.currency)}
          <div class="muted small">
            {fmt.number(line.tierMinQuantity)}+ {line.tierMinQuantity === 1 ? "unit" : "units"} price
          </div>
        </div>
      </td>
      <td data-label="Quantity">
        <div class="qty-cell">
          {props.editable ? (
            <div class="cart-qty">
              <form method="post" action={`/cart/lines/${line.variantId}`} class="inline-form" data-once>
                <label class="visually-hidden" for={inputId}>
                  Quantity of {line.title}
                </label>
                <input
                  id={inputId}
                  type="number"
                  name="quantity"
                  inputmode="numeric"
                  value={line.quantity}
                  min={summary?.minOrderQuantity ?? 1}
                  step={summary?.orderIncrement ?? 1}
                  max={MAX_LINE_QUANTITY}
                  required
                />
                <button class="btn btn-small" type="submit">
                  Update
                </button>
              </form>
              <form
                method="post"
                action={`/cart/lines/${line.variantId}/remove`}
                class="inline-form"
                data-once
              >
                <button class="link-button danger-link" type="submit">
                  Remove<span class="visually-hidden"> {line.title}</span>
                </button>
              </form>
            </div>
          ) : (
            fmt.number(line.quantity)
          )}
          {nudge && props.editable && (
            <form method="post" action={`/cart/lines/${line.variantId}`} class="tier-nudge" data-once>
              <input type="hidden" name="quantity" value={nudge.quantity} />
              <span>
                Add {fmt.number(nudge.more)} more for {fmt.money(nudge.unitPriceMinor, line.currency)} each
              </span>
              <button class="btn btn-small" type="submit">
                Add {fmt.number(nudge.more)}
                <span class="visually-hidden"> of {line.title}</span>
              </button>
            </form>
          )}
        </div>
      </td>
      <td class="num" data-label="Line total">
        <strong>{fmt.money(line.lineTotalMinor, line.currency)}</strong>
      </td>
    </tr>
  );
}

/**
 * What the visitor's spending limit means for this cart, from their own limits (the month's spend is
 * the checkout's to count, so a monthly limit is stated, not evaluated).
 */
export function ApprovalStatus(props: { facts: PageFacts; cart: CartView; limits: SpendingLimit[] }) {
  const { cart, limits, facts } = props;
  if (limits.length === 0 || !cart.currency) return null;
  const currency = cart.currency;
  const limit = limits.find((l) => l.currency === currency);
  if (!limit) {
    return (
      <p class="alert alert-warn small approval-status">
        <strong>Needs approval.</strong> You have spending limits, none in {currency}: checking out sends this
        cart to an approver.
      </p>
    );
  }
  if (limit.perOrderMinor !== null && cart.totalMinor > limit.perOrderMinor) {
    return (
      <p class="alert alert-warn small approval-status">
        <strong>Needs approval.</strong> The total is above your per-order limit of{" "}
        {facts.fmt.money(limit.perOrderMinor, currency)}: checking out holds the stock and sends it to an
        approver.
      </p>
    );
  }
  return (
    <p class="alert alert-info small approval-status">
      {limit.perOrderMinor !== null &&
        `Within your per-order limit of ${facts.fmt.money(limit.perOrderMinor, currency)}. `}
      {limit.perMonthMinor !== null &&
        `A checkout that takes this month's spending past your monthly limit of ${facts.fmt.money(limit.perMonthMinor, currency)} waits for an approver.`}
    </p>
  );
}

function capitalise(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

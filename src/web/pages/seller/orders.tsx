/** Incoming orders: the list, one order with its lines and history, and the seller's actions as forms. */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import type { OrderWithHistory } from "../../../contracts/orders.ts";
import { orderStatus } from "../../../db/schema/index.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { text } from "../../../routes/schemas.ts";
import { rolesFor } from "../../../services/identity/permissions.ts";
import type { MemberRole } from "../../../services/identity/principal.ts";
import { allowedActions, type OrderAction, orderMachine } from "../../../services/orders/machine.ts";
import * as orders from "../../../services/orders/orders.ts";
import { getReview, replyToReview } from "../../../services/reviews/reviews.ts";
import type { AppEnv } from "../../../types.ts";
import {
  AddressLines,
  Breadcrumbs,
  EmptyState,
  ErrorSummary,
  Field,
  type FieldErrors,
  humanise,
  PAYMENT_TERMS,
  Pager,
  StatusBadge,
  shortId,
} from "../../components.tsx";
import type { Membership, Viewer, WebContext } from "../../context.ts";
import { isUuid, pageFacts, redirectWith } from "../../context.ts";
import { attempt, field, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import { canReply, OrderReview, ReplyForm, readReplyForm } from "../reviews.tsx";
import { SellerHead, sellerActor, sellerPage } from "./shared.tsx";

export const orderPages = new Hono<AppEnv>();

const PAGE_SIZE = 25;

function canSell(org: Membership): boolean {
  return (rolesFor("orders:sell") as readonly string[]).includes(org.role as MemberRole);
}

orderPages.get("/seller/orders", async (c) => {
  const given = c.req.query("status");
  const status = (orderStatus.enumValues as readonly string[]).includes(given ?? "") ? given : undefined;
  const cursor = c.req.query("cursor")?.slice(0, 512) || undefined;
  const loaded = await sellerPage(c, (principal, orgId) =>
    orders.listOrders(serviceContext(c), principal, orgId, {
      side: "seller",
      status,
      cursor,
      limit: PAGE_SIZE,
    }),
  );
  if (loaded instanceof Response) return loaded;
  const { viewer, org, data } = loaded;
  const facts = pageFacts(c);
  const { fmt } = facts;
  const query = (extra: Record<string, string>) =>
    `/seller/orders?${new URLSearchParams({ ...(status ? { status } : {}), ...extra })}`;
  return page(
    c,
    viewer,
    { title: "Incoming orders", noindex: true, facts, scripts: ["enhance.js"] },
    <>
      <SellerHead path={facts.path} org={org} title="Incoming orders" />
      <form method="get" action="/seller/orders" class="toolbar" data-autosubmit>
        <label for="order-status">Status</label>
        <select id="order-status" name="status">
          <option value="">All statuses</option>
          {orderStatus.enumValues.map((value) => (
            <option value={value} selected={status === value}>
              {humanise(value)}
            </option>
          ))}
        </select>
        <button class="btn btn-small" type="submit" data-autosubmit-hide>
          Filter
        </button>
      </form>
      {data.items.length === 0 ? (
        <EmptyState title={status || cursor ? "No orders match" : "No orders yet"}>
          <p>
            {status || cursor ? (
              <a href="/seller/orders">Show all orders</a>
            ) : (
              <>
                Orders appear here when buyers check out your published listings.{" "}
                <a href="/seller/listings">Review your listings</a>.
              </>
            )}
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Orders received, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Buyer</th>
                <th scope="col">PO</th>
                <th scope="col">Placed</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Items
                </th>
                <th scope="col">Terms</th>
                <th scope="col" class="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((order) => (
                <tr class={order.status === "placed" ? "needs-action" : undefined}>
                  <td data-label="Order">
                    <a href={`/seller/orders/${order.id}`}>
                      <strong>#{shortId(order.id)}</strong>
                    </a>
                  </td>
                  <td data-label="Buyer">{order.buyer.name}</td>
                  <td data-label="PO">{order.poNumber ?? <span class="muted">–</span>}</td>
                  <td data-label="Placed">
                    <time datetime={order.createdAt} title={fmt.dateTime(order.createdAt)}>
                      {fmt.relative(order.createdAt, facts.now)}
                    </time>
                  </td>
                  <td data-label="Status">
                    <div>
                      <StatusBadge status={order.status} />
                      {order.status === "placed" && <span class="small action-hint"> To accept</span>}
                    </div>
                  </td>
                  <td data-label="Items" class="num">
                    {fmt.number(order.lines.reduce((sum, line) => sum + line.quantity, 0))}
                  </td>
                  <td data-label="Terms">{PAYMENT_TERMS[order.paymentTerms] ?? order.paymentTerms}</td>
                  <td data-label="Total" class="num">
                    {fmt.money(order.subtotalMinor, order.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        nextHref={data.nextCursor ? query({ cursor: data.nextCursor }) : null}
        firstHref={cursor ? query({}) : null}
      />
    </>,
  );
});

function orderIdOf(c: WebContext): string {
  const id = c.req.param("id") ?? "";
  if (!isUuid(id)) throw new ApiError("not_found", "Order not found.");
  return id.toLowerCase();
}

/** The order as its seller sees it; the buyer side of the same organisation has its own pages. */
async function sellersOrder(
  c: WebContext,
  principal: Parameters<typeof orders.getOrder>[1],
  orgId: string,
  id: string,
) {
  const ctx = serviceContext(c);
  const [order, review] = await Promise.all([
    orders.getOrder(ctx, principal, orgId, id),
    // Read beside the order (no round trip in sequence); most orders have none.
    getReview(ctx, principal, orgId, id).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  if (order.seller.id !== orgId) throw new ApiError("not_found", "Order not found.");
  return { ...order, review };
}

type SellersOrder = Awaited<ReturnType<typeof sellersOrder>>;

const ACTION_LABEL: Partial<Record<OrderAction, string>> = {
  accept: "Accept order",
  reject: "Reject order",
  ship: "Mark shipped",
  deliver: "Mark delivered",
};

function historyText(step: OrderWithHistory["transitions"][number]): string {
  const by =
    step.actorKind === "system" ? " automatically" : step.actorKind === "api_key" ? " via the API" : "";
  return `${humanise(step.to)}${by}`;
}

function Actions(props: { order: OrderWithHistory; errors: FieldErrors; values: Record<string, string> }) {
  const { order, errors } = props;
  const actions = allowedActions(order.status, "seller").filter((a) => ACTION_LABEL[a]);
  if (actions.length === 0) return <p class="muted small">Nothing for you to do on this order now.</p>;
  const action = (name: OrderAction) => `/seller/orders/${order.id}/${name}`;
  return (
    <div class="stack">
      {actions.includes("accept") && (
        <form method="post" action={action("accept")} data-once>
          <p class="small">Accepting confirms the price and the stock held for this order.</p>
          <button class="btn btn-primary" type="submit">
            {ACTION_LABEL.accept}
          </button>
        </form>
      )}
      {actions.includes("ship") && (
        <form method="post" action={action("ship")} class="form" data-once>
          <Field
            name="carrier"
            label="Carrier"
            required
            maxlength={100}
            value={props.values.carrier}
            errors={errors}
          />
          <Field
            name="trackingNumber"
            label="Tracking number"
            required
            maxlength={100}
            value={props.values.trackingNumber}
            errors={errors}
          />
          <button class="btn btn-primary" type="submit">
            {ACTION_LABEL.ship}
          </button>
        </form>
      )}
      {actions.includes("deliver") && (
        <form method="post" action={action("deliver")} data-once>
          <p class="small">Mark it delivered once the buyer has it: net-terms orders are invoiced then.</p>
          <button class="btn btn-primary" type="submit">
            {ACTION_LABEL.deliver}
          </button>
        </form>
      )}
      {actions.includes("reject") && (
        <details class="reject-box" open={errors.reason !== undefined}>
          <summary>Reject this order…</summary>
          <form method="post" action={action("reject")} class="form" data-once>
            <Field
              name="reason"
              label="Reason, shown to the buyer"
              required
              multiline
              maxlength={1000}
              value={props.values.reason}
              errors={errors}
            />
            <button class="btn btn-danger" type="submit">
              {ACTION_LABEL.reject}
            </button>
          </form>
        </details>
      )}
    </div>
  );
}

function renderOrder(
  c: WebContext,
  viewer: Viewer,
  org: Membership,
  order: SellersOrder,
  problem: {
    message?: string;
    errors?: FieldErrors;
    values?: Record<string, string>;
    status?: ContentfulStatusCode;
  } = {},
) {
  const facts = pageFacts(c);
  const { fmt } = facts;
  const title = `Order #${shortId(order.id)}`;
  return page(
    c,
    viewer,
    { title, noindex: true, facts, status: problem.status, scripts: ["enhance.js"] },
    <>
      <Breadcrumbs
        items={[
          ["Orders", "/seller/orders"],
          [title, undefined],
        ]}
      />
      <SellerHead path={facts.path} org={org} title={title} />
      <ErrorSummary
        message={problem.message}
        errors={problem.errors}
        labels={{ carrier: "Carrier", trackingNumber: "Tracking number", reason: "Reason", reply: "Reply" }}
      />
      <div class="columns aside-first">
        <div class="stack">
          <section class="panel" aria-labelledby="lines-title">
            <div class="panel-title">
              <h2 id="lines-title">Lines</h2>
              <StatusBadge status={order.status} />
            </div>
            <div class="table-wrap">
              <table class="table stack-sm">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">SKU</th>
                    <th scope="col" class="num">
                      Quantity
                    </th>
                    <th scope="col" class="num">
                      Unit price
                    </th>
                    <th scope="col" class="num">
                      Line total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {order.lines.map((line) => (
                    <tr>
                      <td data-label="Product">
                        <div>
                          <a href={`/seller/listings/${line.listingId}`}>{line.title}</a>
                          <div class="meta">Tier from {fmt.number(line.tierMinQuantity)}</div>
                        </div>
                      </td>
                      <td data-label="SKU">
                        <code>{line.sku}</code>
                      </td>
                      <td data-label="Quantity" class="num">
                        {fmt.number(line.quantity)}
                      </td>
                      <td data-label="Unit price" class="num">
                        {fmt.money(line.unitPriceMinor, order.currency)}
                      </td>
                      <td data-label="Line total" class="num">
                        {fmt.money(line.lineTotalMinor, order.currency)}
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <td colspan={4}>Total (excl. VAT)</td>
                    <td class="num">{fmt.money(order.subtotalMinor, order.currency)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </section>
          <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">History</h2>
            <ol class="timeline">
              {!order.transitions.some((step) => step.from === null) && (
                <li>
                  <strong>Placed by {order.buyer.name}</strong>{" "}
                  <time class="muted small" datetime={order.createdAt} title={fmt.dateTime(order.createdAt)}>
                    {fmt.relative(order.createdAt, facts.now)}
                  </time>
                </li>
              )}
              {order.transitions.map((step) => (
                <li>
                  <strong>{historyText(step)}</strong>{" "}
                  <time class="muted small" datetime={step.at} title={fmt.dateTime(step.at)}>
                    {fmt.relative(step.at, facts.now)}
                  </time>
                </li>
              ))}
            </ol>
          </section>
          {order.review && (
            <section class="panel" id="review" aria-labelledby="review-title">
              <h2 id="review-title">The buyer's review</h2>
              <OrderReview
                fmt={fmt}
                now={facts.now}
                review={order.review}
                byline={`Posted by ${order.buyer.name}`}
                sellerName={org.orgName}
              />
              {!order.review.reply && canReply(org) && (
                <ReplyForm
                  action={`/seller/orders/${order.id}/reply`}
                  value={problem.values?.reply}
                  errors={problem.errors ?? {}}
                />
              )}
            </section>
          )}
        </div>
        <aside class="stack" aria-label="Order details and actions">
          <section class="panel" aria-labelledby="summary-title">
            <h2 id="summary-title">Summary</h2>
            <dl class="kv small">
              <dt>Buyer</dt>
              <dd>{order.buyer.name}</dd>
              <dt>PO number</dt>
              <dd>{order.poNumber ?? <span class="muted">none given</span>}</dd>
              <dt>Ship to</dt>
              <dd>
                <AddressLines address={order.shippingAddress} />
              </dd>
              <dt>Placed</dt>
              <dd>{fmt.dateTime(order.createdAt)}</dd>
              <dt>Payment</dt>
              <dd>{PAYMENT_TERMS[order.paymentTerms] ?? order.paymentTerms}</dd>
              <dt>Total</dt>
              <dd>{fmt.money(order.subtotalMinor, order.currency)}</dd>
              {order.carrier && (
                <>
                  <dt>Shipped with</dt>
                  <dd>
                    {order.carrier}
                    {order.trackingNumber && (
                      <>
                        , tracking <code>{order.trackingNumber}</code>
                      </>
                    )}
                  </dd>
                </>
              )}
              {order.deliveredAt && (
                <>
                  <dt>Delivered</dt>
                  <dd>{fmt.dateTime(order.deliveredAt)}</dd>
                </>
              )}
            </dl>
          </section>
          {canSell(org) && (
            <section class="panel" aria-labelledby="actions-title">
              <h2 id="actions-title">Next step</h2>
              <Actions order={order} errors={problem.errors ?? {}} values={problem.values ?? {}} />
            </section>
          )}
          <p>
            <a class="btn" href={`/messages/new?subjectType=order&subjectId=${order.id}`}>
              Message {order.buyer.name}
            </a>
          </p>
        </aside>
      </div>
    </>,
  );
}

orderPages.get("/seller/orders/:id{[^/]+}", async (c) => {
  const id = orderIdOf(c);
  const loaded = await sellerPage(c, (principal, orgId) => sellersOrder(c, principal, orgId, id));
  if (loaded instanceof Response) return loaded;
  return renderOrder(c, loaded.viewer, loaded.org, loaded.data);
});

/** What each action's form may carry, checked like the API's transition body. */
const detailsSchema = z.object({
  carrier: text(1, 100).optional(),
  trackingNumber: text(1, 100).optional(),
  reason: text(1, 1000).optional(),
});

orderPages.post("/seller/orders/:id{[^/]+}/:action{accept|reject|ship|deliver}", async (c) => {
  const id = orderIdOf(c);
  const action = c.req.param("action") as "accept" | "reject" | "ship" | "deliver";
  const [actor, form] = await Promise.all([sellerActor(c), readForm(c)]);
  if (actor instanceof Response) return actor;
  const { principal, viewer, org } = actor;
  const needs: readonly string[] = (orderMachine[action] as { requires?: readonly string[] }).requires ?? [];
  const values = Object.fromEntries(needs.map((name) => [name, field(form, name)]));
  const shown = async (message: string, errors: FieldErrors, status: ContentfulStatusCode) =>
    renderOrder(c, viewer, org, await sellersOrder(c, principal, org.orgId, id), {
      message,
      errors,
      values,
      status,
    });
  const missing = Object.fromEntries(needs.filter((name) => !values[name]).map((name) => [name, "Required"]));
  const parsed = detailsSchema.safeParse(Object.fromEntries(Object.entries(values).filter(([, v]) => v)));
  if (!parsed.success || Object.keys(missing).length) {
    return shown(
      "Please fill in what this step needs.",
      { ...(parsed.success ? {} : zodErrors(parsed.error)), ...missing },
      422,
    );
  }
  // The seller's side only: an organisation that also bought this order does not act on it here.
  const done = await attempt(
    async () => {
      await sellersOrder(c, principal, org.orgId, id);
      return orders.transitionOrder(serviceContext(c), principal, org.orgId, id, action, parsed.data);
    },
    (problem) => {
      if (problem.status === 404) throw new ApiError("not_found", problem.message);
      if (problem.status === 403) throw new ApiError("forbidden", problem.message);
      return shown(problem.message, problem.errors, problem.status as ContentfulStatusCode);
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/seller/orders/${id}`, "order-updated");
});

orderPages.post("/seller/orders/:id{[^/]+}/reply", async (c) => {
  const id = orderIdOf(c);
  const [actor, form] = await Promise.all([sellerActor(c), readForm(c)]);
  if (actor instanceof Response) return actor;
  const { principal, viewer, org } = actor;
  const read = readReplyForm(form);
  const shown = async (message: string, errors: FieldErrors, status: ContentfulStatusCode) =>
    renderOrder(c, viewer, org, await sellersOrder(c, principal, org.orgId, id), {
      message,
      errors,
      values: read.values,
      status,
    });
  if (read.body === undefined) return shown("Please write your reply.", read.errors ?? {}, 422);
  const body = read.body;
  const done = await attempt(
    async () => {
      const { review } = await sellersOrder(c, principal, org.orgId, id);
      if (!review) throw new ApiError("conflict", "This order has no review to reply to.");
      return replyToReview(serviceContext(c), principal, org.orgId, review.id, body);
    },
    (problem) => {
      if (problem.status === 404) throw new ApiError("not_found", problem.message);
      return shown(problem.message, problem.errors, problem.status as ContentfulStatusCode);
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/seller/orders/${id}`, "review-replied");
});

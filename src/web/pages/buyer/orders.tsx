/**
 * Orders the buying organisation placed: the list, a checkout's group, and one order with its history and
 * the actions the state machine allows the buyer.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Invoice, Order, OrderGroup, OrderWithHistory } from "../../../contracts/orders.ts";
import type { Review } from "../../../contracts/reviews.ts";
import { orderStatus } from "../../../db/schema/index.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { text, uuidParam } from "../../../routes/schemas.ts";
import { allowedActions, type OrderAction, userOrderActions } from "../../../services/orders/machine.ts";
import {
  getGroup,
  getOrder,
  listInvoices,
  listOrders,
  transitionOrder,
} from "../../../services/orders/orders.ts";
import { getReview, putReview } from "../../../services/reviews/reviews.ts";
import type { AppEnv } from "../../../types.ts";
import {
  AddressLines,
  Breadcrumbs,
  EmptyState,
  type FieldErrors,
  PAYMENT_TERMS,
  PageHead,
  Pager,
  StatusBadge,
  shortId,
} from "../../components.tsx";
import { type PageFacts, pageFacts, redirectWith, type WebContext } from "../../context.ts";
import { attempt, field, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { canReview, OrderReview, ReviewForm, type ReviewValues, readReviewForm } from "../reviews.tsx";
import {
  type BuyerContext,
  BuyingHead,
  buyerForPost,
  buyerRead,
  canApprove,
  canPurchase,
  checkoutLabel,
  DecisionForms,
} from "./shared.tsx";

export const orderPages = new Hono<AppEnv>();

const PAGE_SIZE = 20;
const statusFilter = z.enum(orderStatus.enumValues);

orderPages.get("/orders", async (c) => {
  const status = statusFilter.safeParse(c.req.query("status")).data;
  const cursor = c.req.query("cursor") || undefined;
  const result = await buyerRead(c, async (orgId, principal) => {
    // One read: every order carries its checkout's PO number.
    return listOrders(serviceContext(c), principal, orgId, {
      side: "buyer",
      status,
      cursor,
      limit: PAGE_SIZE,
    });
  });
  if (result instanceof Response) return result;
  const facts = pageFacts(c);
  const { items, nextCursor } = result.data;
  const query = (more: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ status, ...more })) if (v) params.set(k, v);
    const text = params.toString();
    return text ? `/orders?${text}` : "/orders";
  };
  return page(
    c,
    result.viewer,
    { title: "Orders", noindex: true, facts, scripts: ["enhance.js"] },
    <>
      <BuyingHead path="/orders" title="Orders" org={result.org} />
      <form method="get" action="/orders" class="filter-bar" data-autosubmit>
        <label for="status-filter">Status</label>
        <select id="status-filter" name="status">
          <option value="">All statuses</option>
          {orderStatus.enumValues.map((value) => (
            <option value={value} selected={value === status}>
              {STATUS_LABELS[value]}
            </option>
          ))}
        </select>
        <button class="btn btn-small" type="submit" data-autosubmit-hide>
          Filter
        </button>
      </form>
      {items.length === 0 ? (
        <EmptyState title={status ? `No ${STATUS_LABELS[status].toLowerCase()} orders` : "No orders yet"}>
          {status ? (
            <p>
              <a href="/orders">Show all orders</a>
            </p>
          ) : (
            <>
              <p>Orders appear here once you check out a cart: one order per seller.</p>
              <a class="btn btn-primary" href="/search">
                Browse the catalogue
              </a>
            </>
          )}
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Orders placed by {result.org.orgName}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Seller</th>
                <th scope="col">Placed</th>
                <th scope="col">Status</th>
                <th scope="col">PO number</th>
                <th scope="col" class="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((order) => (
                <tr>
                  <td data-label="Order">
                    <a class="mono" href={`/orders/${order.id}`}>
                      {shortId(order.id)}
                    </a>
                  </td>
                  <td data-label="Seller">{order.seller.name}</td>
                  <td data-label="Placed">
                    <time datetime={order.createdAt} title={facts.fmt.dateTime(order.createdAt)}>
                      {facts.fmt.relative(order.createdAt, facts.now)}
                    </time>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={order.status} />
                  </td>
                  <td data-label="PO number">
                    <a href={`/orders/groups/${order.groupId}`}>
                      {order.poNumber ?? <span class="muted">No PO</span>}
                    </a>
                  </td>
                  <td class="num" data-label="Total">
                    {facts.fmt.money(order.subtotalMinor, order.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        nextHref={nextCursor ? query({ cursor: nextCursor }) : null}
        firstHref={cursor ? query({}) : null}
      />
    </>,
  );
});

orderPages.get("/orders/groups/:groupId", async (c) => {
  const groupId = uuidParam("groupId").safeParse(c.req.param("groupId"));
  if (!groupId.success) return c.notFound();
  const result = await buyerRead(c, (orgId, principal) =>
    getGroup(serviceContext(c), principal, orgId, groupId.data),
  );
  if (result instanceof Response) return result;
  return renderGroup(c, result, result.data);
});

export function renderGroup(
  c: WebContext,
  buyer: BuyerContext,
  group: OrderGroup,
  problem?: string,
  status: 200 | 403 | 404 | 409 = 200,
) {
  const facts = pageFacts(c);
  return page(
    c,
    buyer.viewer,
    { title: checkoutLabel(group), noindex: true, facts, status, scripts: ["enhance.js"] },
    <GroupPage facts={facts} buyer={buyer} group={group} problem={problem} />,
  );
}

function GroupPage(props: { facts: PageFacts; buyer: BuyerContext; group: OrderGroup; problem?: string }) {
  const { facts, buyer, group, problem } = props;
  const fmt = facts.fmt;
  const pending = group.status === "pending_approval";
  return (
    <>
      <Breadcrumbs
        items={[
          ["Orders", "/orders"],
          [`Checkout ${shortId(group.id)}`, undefined],
        ]}
      />
      <PageHead
        title={checkoutLabel(group)}
        subtitle={
          <>
            {group.orders.length} {group.orders.length === 1 ? "order" : "orders"} · checked out{" "}
            {fmt.dateTime(group.createdAt)}
          </>
        }
        actions={<StatusBadge status={group.status} />}
      />
      {problem && (
        <div class="alert alert-error" role="alert">
          {problem}
        </div>
      )}
      {pending && (
        <div class="alert alert-warn approval-banner">
          <p>
            <strong>Waiting for approval.</strong> This checkout is above the spending limit of the person who
            placed it. Its stock is held
            {group.approvalExpiresAt ? ` until ${fmt.dateTime(group.approvalExpiresAt)}` : ""}; if nobody
            decides by then, the orders expire.
          </p>
          {canApprove(buyer.org) ? (
            <DecisionForms groupId={group.id} back={`/orders/groups/${group.id}`} />
          ) : (
            <p class="small">Owners, admins and approvers of {buyer.org.orgName} can approve it.</p>
          )}
        </div>
      )}
      {group.status === "declined" && (
        <div class="alert alert-error">An approver declined this checkout; its stock was released.</div>
      )}
      {group.status === "approval_expired" && (
        <div class="alert alert-error">
          Nobody approved this checkout in time; it expired and its stock was released.
        </div>
      )}
      <div class="columns">
        <div class="stack tight">
          {group.orders.map((order) => (
            <section class="panel" aria-labelledby={`order-${order.id}`}>
              <div class="panel-title">
                <h2 id={`order-${order.id}`}>{order.seller.name}</h2>
                <StatusBadge status={order.status} />
              </div>
              <LinesTable facts={facts} order={order} />
              <p class="actions">
                <a class="btn btn-small" href={`/orders/${order.id}`}>
                  Order {shortId(order.id)}: history and actions
                </a>
              </p>
            </section>
          ))}
        </div>
        <aside class="stack tight" aria-label="Checkout details">
          <section class="panel">
            <h2>Details</h2>
            <dl class="kv">
              <dt>PO number</dt>
              <dd>{group.poNumber ?? "None"}</dd>
              <dt>Payment terms</dt>
              <dd>{PAYMENT_TERMS[group.paymentTerms] ?? group.paymentTerms}</dd>
              <dt>Total</dt>
              <dd>
                <strong>{fmt.money(group.totalMinor, group.currency)}</strong>
              </dd>
              {group.approvalExpiresAt && pending && (
                <>
                  <dt>Approve by</dt>
                  <dd>{fmt.dateTime(group.approvalExpiresAt)}</dd>
                </>
              )}
            </dl>
          </section>
          <section class="panel">
            <h2>Deliver to</h2>
            <AddressLines address={group.shippingAddress} />
          </section>
          {group.notes && (
            <section class="panel">
              <h2>Notes</h2>
              <p class="prewrap">{group.notes}</p>
            </section>
          )}
          <p class="muted small no-print">To keep a copy, print this page (Ctrl+P or ⌘P).</p>
        </aside>
      </div>
    </>
  );
}

function LinesTable(props: { facts: PageFacts; order: Order }) {
  const { facts, order } = props;
  const fmt = facts.fmt;
  return (
    <div class="table-wrap">
      <table class="table stack-sm">
        <caption class="visually-hidden">Lines ordered from {order.seller.name}</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
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
              <td data-label="Item">
                <a href={`/listings/${line.listingId}`}>{line.title}</a>
              </td>
              <td data-label="SKU" class="mono small">
                {line.sku}
              </td>
              <td class="num" data-label="Quantity">
                {fmt.number(line.quantity)}
              </td>
              <td class="num" data-label="Unit price">
                <div class="cell">
                  {fmt.money(line.unitPriceMinor, order.currency)}
                  <div class="muted small">{fmt.number(line.tierMinQuantity)}+ price tier</div>
                </div>
              </td>
              <td class="num" data-label="Line total">
                {fmt.money(line.lineTotalMinor, order.currency)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colspan={4} class="hide-sm">
              Subtotal
            </td>
            <td class="num" data-label="Subtotal">
              {fmt.money(order.subtotalMinor, order.currency)}
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

async function readOrder(c: WebContext, orgId: string, principal: BuyerContext["principal"], id: string) {
  const ctx = serviceContext(c);
  const [order, invoices, review] = await Promise.all([
    getOrder(ctx, principal, orgId, id),
    listInvoices(ctx, principal, orgId, "buyer"),
    // Read beside the order (no round trip in sequence); most orders have none.
    getReview(ctx, principal, orgId, id).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  ]);
  // Only the buyer's side of an order lives here (the seller's is in the seller area).
  if (order.buyer.id !== orgId) throw new ApiError("not_found", "Order not found.");
  return { order, invoice: invoices.find((i) => i.orderId === order.id), review };
}

orderPages.get("/orders/:orderId", async (c) => {
  const orderId = uuidParam("orderId").safeParse(c.req.param("orderId"));
  if (!orderId.success) return c.notFound();
  const result = await buyerRead(c, (orgId, principal) => readOrder(c, orgId, principal, orderId.data));
  if (result instanceof Response) return result;
  return renderOrder(c, result, result.data);
});

const actionInput = z.object({
  action: z.enum(userOrderActions),
  reason: text(1, 1000).optional(),
});

orderPages.post("/orders/:orderId/actions", async (c) => {
  const orderId = uuidParam("orderId").safeParse(c.req.param("orderId"));
  if (!orderId.success) return c.notFound();
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const again = async (message: string, status: 403 | 404 | 409 | 422) =>
    renderOrder(
      c,
      buyer,
      await readOrder(c, buyer.org.orgId, buyer.principal, orderId.data),
      message,
      status,
    );
  const input = actionInput.safeParse({
    action: field(form, "action"),
    reason: field(form, "reason") || undefined,
  });
  if (!input.success) return again("That action is not available for this order.", 422);
  const { action, reason } = input.data;
  const done = await attempt(
    () =>
      transitionOrder(serviceContext(c), buyer.principal, buyer.org.orgId, orderId.data, action, {
        reason,
      }),
    (p) => again(p.message, p.status as 403 | 404 | 409 | 422),
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/orders/${orderId.data}`, "order-updated");
});

orderPages.post("/orders/:orderId/review", async (c) => {
  const orderId = uuidParam("orderId").safeParse(c.req.param("orderId"));
  if (!orderId.success) return c.notFound();
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const read = readReviewForm(form);
  const again = async (message: string, errors: FieldErrors, status: 403 | 404 | 409 | 422) =>
    renderOrder(
      c,
      buyer,
      await readOrder(c, buyer.org.orgId, buyer.principal, orderId.data),
      message,
      status,
      { values: read.values, errors },
    );
  if (!read.input) return again("Please correct the highlighted fields.", read.errors ?? {}, 422);
  const input = read.input;
  const done = await attempt(
    () => putReview(serviceContext(c), buyer.principal, buyer.org.orgId, orderId.data, input),
    (p) => {
      if (p.status === 404) throw new ApiError("not_found", p.message);
      return again(p.message, p.errors, p.status as 403 | 409 | 422);
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/orders/${orderId.data}`, done.created ? "review-posted" : "review-saved");
});

type OrderData = Awaited<ReturnType<typeof readOrder>>;

function renderOrder(
  c: WebContext,
  buyer: BuyerContext,
  data: OrderData,
  problem?: string,
  status: 200 | 403 | 404 | 409 | 422 = 200,
  reviewForm?: { values: ReviewValues; errors: FieldErrors },
) {
  const facts = pageFacts(c);
  return page(
    c,
    buyer.viewer,
    { title: `Order ${shortId(data.order.id)}`, noindex: true, facts, status, scripts: ["enhance.js"] },
    <OrderPage facts={facts} buyer={buyer} data={data} problem={problem} reviewForm={reviewForm} />,
  );
}

/** What each buyer action does, in the words on its button and beside it. */
const ACTION_TEXT: Partial<Record<OrderAction, { button: string; hint: string; danger?: boolean }>> = {
  deliver: {
    button: "Mark as delivered",
    hint: "Confirm the goods arrived. On net terms the seller's invoice is issued now.",
  },
  complete: { button: "Mark as complete", hint: "Close the order once everything is in order." },
  cancel: {
    button: "Cancel order",
    hint: "Possible until the seller accepts it. The reserved stock is released.",
    danger: true,
  },
};

function OrderPage(props: {
  facts: PageFacts;
  buyer: BuyerContext;
  data: OrderData;
  problem?: string;
  reviewForm?: { values: ReviewValues; errors: FieldErrors };
}) {
  const { facts, buyer, data, problem } = props;
  const { order, invoice, review } = data;
  // The order carries its checkout's PO and address: no second read of the group.
  const group = { id: order.groupId, poNumber: order.poNumber, shippingAddress: order.shippingAddress };
  const fmt = facts.fmt;
  const actions = canPurchase(buyer.org)
    ? allowedActions(order.status, "buyer").filter((a) => ACTION_TEXT[a])
    : [];
  return (
    <>
      <Breadcrumbs
        items={[
          ["Orders", "/orders"],
          [checkoutLabel(group), `/orders/groups/${group.id}`],
          [`Order ${shortId(order.id)}`, undefined],
        ]}
      />
      <PageHead
        title={`Order ${shortId(order.id)}`}
        subtitle={
          <>
            From {order.seller.name} · placed {fmt.dateTime(order.createdAt)}
          </>
        }
        actions={<StatusBadge status={order.status} />}
      />
      {problem && (
        <div class="alert alert-error" role="alert">
          {problem}
        </div>
      )}
      <div class="columns">
        <div class="stack tight">
          <section class="panel">
            <h2>Lines</h2>
            <LinesTable facts={facts} order={order} />
          </section>
          <section class="panel">
            <h2>History</h2>
            <History facts={facts} buyer={buyer} order={order} />
          </section>
          {order.status === "completed" && (
            <ReviewPanel facts={facts} buyer={buyer} order={order} review={review} form={props.reviewForm} />
          )}
        </div>
        <aside class="stack tight" aria-label="Order details">
          {actions.length > 0 && (
            <section class="panel no-print">
              <h2>Actions</h2>
              <div class="stack tight">
                {actions.map((action) => (
                  <ActionForm orderId={order.id} action={action} />
                ))}
              </div>
            </section>
          )}
          <section class="panel">
            <h2>Details</h2>
            <dl class="kv">
              <dt>Buyer</dt>
              <dd>{order.buyer.name}</dd>
              <dt>Seller</dt>
              <dd>{order.seller.name}</dd>
              <dt>PO number</dt>
              <dd>{group.poNumber ?? "None"}</dd>
              <dt>Payment terms</dt>
              <dd>{PAYMENT_TERMS[order.paymentTerms] ?? order.paymentTerms}</dd>
              <dt>Total</dt>
              <dd>
                <strong>{fmt.money(order.subtotalMinor, order.currency)}</strong>
              </dd>
              {order.carrier && (
                <>
                  <dt>Carrier</dt>
                  <dd>{order.carrier}</dd>
                </>
              )}
              {order.trackingNumber && (
                <>
                  <dt>Tracking</dt>
                  <dd class="mono">{order.trackingNumber}</dd>
                </>
              )}
              {order.deliveredAt && (
                <>
                  <dt>Delivered</dt>
                  <dd>{fmt.dateTime(order.deliveredAt)}</dd>
                </>
              )}
              {invoice && (
                <>
                  <dt>Invoice</dt>
                  <dd>
                    <a href={`/invoices/${invoice.id}`}>INV-{shortId(invoice.id)}</a>, due{" "}
                    {fmt.date(invoice.dueAt)} <InvoiceStatus invoice={invoice} now={facts.now} />
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section class="panel">
            <h2>Deliver to</h2>
            <AddressLines address={group.shippingAddress} />
          </section>
          <section class="panel no-print">
            <h2>Questions about this order?</h2>
            <a class="btn" href={`/messages/new?subjectType=order&subjectId=${order.id}`}>
              Message {order.seller.name}
            </a>
          </section>
          <p class="muted small no-print">To keep a copy, print this page (Ctrl+P or ⌘P).</p>
        </aside>
      </div>
    </>
  );
}

/**
 * The buyer's review of the seller, once the order is completed: the form (until 30 days after posting,
 * unless moderators hid it), and the review with the seller's reply.
 */
function ReviewPanel(props: {
  facts: PageFacts;
  buyer: BuyerContext;
  order: Order;
  review: Review | null;
  form?: { values: ReviewValues; errors: FieldErrors };
}) {
  const { facts, buyer, order, review, form } = props;
  const editable =
    canReview(buyer.org) && (!review || (!review.hidden && Date.parse(review.editableUntil) > facts.now));
  const values = form?.values ?? (review ? { rating: String(review.rating), body: review.body } : {});
  return (
    <section class="panel" id="review" aria-labelledby="review-title">
      <h2 id="review-title">{review ? "Your review of the seller" : `Review ${order.seller.name}`}</h2>
      {review && (
        <OrderReview
          fmt={facts.fmt}
          now={facts.now}
          review={review}
          byline={`Posted by ${order.buyer.name}`}
          sellerName={order.seller.name}
        />
      )}
      {!review && !editable && (
        <p class="muted">Members who may buy for {order.buyer.name} can review the seller of this order.</p>
      )}
      {editable &&
        (review ? (
          <details class="review-edit" open={form !== undefined}>
            <summary>Edit your review</summary>
            <ReviewForm
              action={`/orders/${order.id}/review`}
              values={values}
              errors={form?.errors ?? {}}
              editing
              editableUntil={review.editableUntil}
              fmt={facts.fmt}
            />
          </details>
        ) : (
          <>
            <p class="muted small">
              How did this order go? Your review helps other buyers choose, and the seller may reply once.
            </p>
            <ReviewForm
              action={`/orders/${order.id}/review`}
              values={values}
              errors={form?.errors ?? {}}
              editing={false}
              fmt={facts.fmt}
            />
          </>
        ))}
    </section>
  );
}

function ActionForm(props: { orderId: string; action: OrderAction }) {
  const text = ACTION_TEXT[props.action];
  if (!text) return null;
  const id = `action-${props.action}`;
  return (
    <form method="post" action={`/orders/${props.orderId}/actions`} class="form action-form" data-once>
      <input type="hidden" name="action" value={props.action} />
      {props.action === "cancel" && (
        <div class="field">
          <label for={`${id}-reason`}>
            Reason <span class="muted small">(optional)</span>
          </label>
          <textarea id={`${id}-reason`} name="reason" maxlength={1000} rows={2} />
        </div>
      )}
      <button
        class={text.danger ? "btn btn-danger" : "btn btn-primary"}
        type="submit"
        aria-describedby={`${id}-hint`}
      >
        {text.button}
      </button>
      <span class="hint" id={`${id}-hint`}>
        {text.hint}
      </span>
    </form>
  );
}

/** Who did an action, as far as the record tells: the visitor, the seller's side, or the buyer's. */
const SELLER_ACTIONS = new Set(["accept", "reject", "ship"]);
const BUYER_ACTIONS = new Set(["cancel", "complete", "approve", "decline"]);
const TRANSITION_TEXT: Record<string, string> = {
  approve: "Approved",
  decline: "Declined",
  accept: "Accepted",
  reject: "Rejected",
  ship: "Shipped",
  deliver: "Marked delivered",
  complete: "Completed",
  cancel: "Cancelled",
  expire: "Expired",
};

function History(props: { facts: PageFacts; buyer: BuyerContext; order: OrderWithHistory }) {
  const { facts, buyer, order } = props;
  const first = order.transitions[0]?.from ?? order.status;
  const who = (t: OrderWithHistory["transitions"][number]) => {
    if (t.actorKind === "system") return "automatically";
    if (t.actorKind === "api_key") return "through an API integration";
    if (t.actorUserId === buyer.viewer.me.id) return "by you";
    if (SELLER_ACTIONS.has(t.action)) return `by ${order.seller.name}`;
    if (BUYER_ACTIONS.has(t.action)) return `by ${order.buyer.name}`;
    return "";
  };
  return (
    <ol class="timeline">
      <li>
        <strong>{first === "pending_approval" ? "Checked out, held for approval" : "Placed"}</strong>
        <span class="muted small">
          {" "}
          · <time datetime={order.createdAt}>{facts.fmt.dateTime(order.createdAt)}</time>
        </span>
      </li>
      {order.transitions.map((t) => (
        <li>
          <strong>{TRANSITION_TEXT[t.action] ?? t.action}</strong> {who(t)}
          {t.action === "ship" && order.carrier ? ` (${order.carrier} ${order.trackingNumber ?? ""})` : ""}
          <span class="muted small">
            {" "}
            ·{" "}
            <time datetime={t.at} title={facts.fmt.dateTime(t.at)}>
              {facts.fmt.relative(t.at, facts.now)}
            </time>
          </span>
        </li>
      ))}
    </ol>
  );
}

/** An invoice's state: open invoices past their due date read as overdue. */
export function InvoiceStatus(props: { invoice: Invoice; now: number }) {
  const { invoice, now } = props;
  const overdue = invoice.status === "open" && new Date(invoice.dueAt).getTime() < now;
  return <StatusBadge status={overdue ? "overdue" : invoice.status} />;
}

const STATUS_LABELS: Record<(typeof orderStatus.enumValues)[number], string> = {
  pending_approval: "Pending approval",
  placed: "Placed",
  accepted: "Accepted",
  rejected: "Rejected",
  shipped: "Shipped",
  delivered: "Delivered",
  completed: "Completed",
  cancelled: "Cancelled",
  expired: "Expired",
  declined: "Declined",
};

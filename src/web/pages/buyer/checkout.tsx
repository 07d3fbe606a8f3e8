/**
 * Checkout: PO number, payment terms and delivery address for exactly the cart shown (its ETag rides in
 * the form as If-Match does in the API), with an idempotency key made per form render, so submitting the
 * same form twice places one order group.
 */
import { Hono } from "hono";
import type { Child } from "hono/jsx";
import { serviceContext } from "../../../routes/context.ts";
import { checkoutBody } from "../../../routes/orders/orders.routes.ts";
import { getOrg } from "../../../services/identity/orgs.ts";
import { type CartView, getCart, type VersionedCart } from "../../../services/orders/cart.ts";
import { checkout } from "../../../services/orders/checkout.ts";
import { getSpendingLimits, type SpendingLimit } from "../../../services/orders/limits.ts";
import type { AppEnv } from "../../../types.ts";
import { ErrorSummary, Field, type FieldErrors, PAYMENT_TERMS, PageHead } from "../../components.tsx";
import { type PageFacts, pageFacts, redirectWith, type WebContext } from "../../context.ts";
import { attempt, type Form, field, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import { AddressFields } from "./address-fields.tsx";
import { ApprovalStatus } from "./cart.tsx";
import { type BuyerContext, buyerForPost, buyerRead, canPurchase } from "./shared.tsx";

export const checkoutPages = new Hono<AppEnv>();

const KEY = /^[\w.:-]{8,128}$/;

const LABELS: Record<string, string> = {
  poNumber: "PO number",
  paymentTerms: "Payment terms",
  "shippingAddress.name": "Recipient",
  "shippingAddress.line1": "Address line 1",
  "shippingAddress.line2": "Address line 2",
  "shippingAddress.city": "City",
  "shippingAddress.postalCode": "Postal code",
  "shippingAddress.region": "Region or state",
  "shippingAddress.country": "Country",
  notes: "Notes for the sellers",
};

const ADDRESS_FIELDS = ["name", "line1", "line2", "city", "postalCode", "region", "country"] as const;

interface CheckoutData extends VersionedCart {
  limits: SpendingLimit[];
  org: { name: string; country?: string | null };
}

/** The cart with its version, the visitor's limits and the organisation (its name and country prefill the address). */
async function readCheckout(c: WebContext, orgId: string, principal: BuyerContext["principal"]) {
  const ctx = serviceContext(c);
  const [versioned, limits, org] = await Promise.all([
    getCart(ctx, principal, orgId),
    getSpendingLimits(ctx, principal, orgId, { kind: "member", userId: principal.userId }),
    getOrg(ctx, principal, orgId),
  ]);
  return { ...versioned, limits, org };
}

checkoutPages.get("/checkout", async (c) => {
  const result = await buyerRead(c, (orgId, principal) => readCheckout(c, orgId, principal));
  if (result instanceof Response) return result;
  if (result.data.cart.sellers.length === 0) return c.redirect("/cart", 303);
  const { org } = result.data;
  const prefill = new URLSearchParams({ "shippingAddress.name": org.name });
  if (org.country) prefill.set("shippingAddress.country", org.country);
  return renderCheckout(c, result, result.data, prefill);
});

checkoutPages.post("/checkout", async (c) => {
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const again = async (problem: { message?: string; errors?: FieldErrors }, status: 409 | 412 | 422 | 403) =>
    renderCheckout(c, buyer, await readCheckout(c, buyer.org.orgId, buyer.principal), form, problem, status);

  const key = field(form, "idempotencyKey");
  const version = field(form, "cartVersion");
  if (!KEY.test(key) || !version) {
    return again({ message: "This form is out of date. Review your order and place it again." }, 422);
  }
  const parsed = checkoutBody.safeParse(bodyFrom(form));
  if (!parsed.success) return again({ errors: zodErrors(parsed.error) }, 422);

  const body = parsed.data;
  const done = await attempt(
    async () =>
      checkout(
        serviceContext(c),
        buyer.principal,
        buyer.org.orgId,
        key,
        version,
        body,
        c.var.config.APPROVAL_HOLD_HOURS,
        c.var.config.ORDER_ACCEPT_HOURS,
      ),
    (p) =>
      again(
        {
          message:
            p.status === 412
              ? "Your cart changed since this page was opened (quantities or prices): nothing was ordered. Check the summary below and place the order again."
              : p.message,
          errors: p.errors,
        },
        p.status as 409 | 412 | 422 | 403,
      ),
  );
  if (done instanceof Response) return done;
  const group = done.body;
  return redirectWith(
    c,
    `/orders/groups/${group.id}`,
    group.status === "pending_approval" ? "order-pending-approval" : "order-placed",
  );
});

/** The form as the API's checkout body: empty optional fields left out, the country in capitals. */
function bodyFrom(form: Form) {
  const optional = (name: string) => field(form, name) || undefined;
  const address: Record<string, string | undefined> = {};
  for (const name of ADDRESS_FIELDS) address[name] = optional(`shippingAddress.${name}`);
  if (address.country) address.country = address.country.toUpperCase();
  return {
    poNumber: optional("poNumber"),
    paymentTerms: field(form, "paymentTerms"),
    shippingAddress: address,
    notes: optional("notes"),
  };
}

function renderCheckout(
  c: WebContext,
  buyer: BuyerContext,
  data: CheckoutData,
  form: Form,
  problem?: { message?: string; errors?: FieldErrors },
  status: 200 | 403 | 409 | 412 | 422 = 200,
) {
  const facts = pageFacts(c);
  return page(
    c,
    buyer.viewer,
    { title: "Checkout", noindex: true, status, facts, scripts: ["enhance.js"] },
    <CheckoutPage facts={facts} buyer={buyer} data={data} form={form} problem={problem} />,
  );
}

function CheckoutPage(props: {
  facts: PageFacts;
  buyer: BuyerContext;
  data: CheckoutData;
  form: Form;
  problem?: { message?: string; errors?: FieldErrors };
}) {
  const { facts, buyer, data, form, problem } = props;
  const { cart } = data;
  const errors = problem?.errors ?? {};
  const value = (name: string) => form.get(name) ?? "";
  const empty = cart.sellers.length === 0;
  const mayBuy = canPurchase(buyer.org);
  return (
    <>
      <PageHead title="Checkout" subtitle={`Ordering for ${buyer.org.orgName}`} />
      <ErrorSummary message={problem?.message} errors={errors} labels={LABELS} />
      {empty ? (
        <div class="alert alert-info">
          Your cart is empty now. <a href="/orders">See your orders</a> or{" "}
          <a href="/search">browse the catalogue</a>.
        </div>
      ) : (
        <form method="post" action="/checkout" class="checkout" data-once>
          <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
          <input type="hidden" name="cartVersion" value={data.etag} />
          <div class="columns">
            <div class="stack tight">
              <fieldset class="panel">
                <legend>
                  <h2>Purchase order</h2>
                </legend>
                <div class="row">
                  <Field
                    name="poNumber"
                    label="PO number"
                    maxlength={64}
                    value={value("poNumber")}
                    errors={errors}
                    hint="Printed on every seller's order and invoice."
                    autocomplete="off"
                  />
                  <Field
                    name="paymentTerms"
                    label="Payment terms"
                    required
                    value={value("paymentTerms") || "net30"}
                    errors={errors}
                    options={Object.entries(PAYMENT_TERMS)}
                    hint="Net terms: the invoice is due that many days after delivery."
                  />
                </div>
              </fieldset>
              <fieldset class="panel">
                <legend>
                  <h2>Deliver to</h2>
                </legend>
                <div class="form form-wide">
                  <AddressFields value={value} errors={errors} />
                </div>
              </fieldset>
              <fieldset class="panel">
                <legend>
                  <h2>Notes</h2>
                </legend>
                <Field
                  name="notes"
                  label="Notes for the sellers"
                  multiline
                  maxlength={2000}
                  hint="Delivery windows, site access, labelling. Every seller sees them."
                  value={value("notes")}
                  errors={errors}
                />
              </fieldset>
            </div>
            <aside class="stack tight" aria-label="Order summary">
              <OrderSummary facts={facts} cart={cart}>
                <ApprovalStatus facts={facts} cart={cart} limits={data.limits} />
                {mayBuy && !buyer.viewer.me.emailVerified ? (
                  <p class="alert alert-warn small">
                    Verify your email address to place orders: open the link we sent to{" "}
                    {buyer.viewer.me.email}, or send a new one from the notice at the top of the page. Your
                    cart is kept.
                  </p>
                ) : mayBuy ? (
                  <button class="btn btn-primary btn-large btn-block" type="submit">
                    Place order
                  </button>
                ) : (
                  <p class="alert alert-info small">
                    Your role ({buyer.org.role}) cannot place orders. Purchasers, admins and owners can.
                  </p>
                )}
                <p class="muted small">
                  Stock is reserved when you place the order. Each seller accepts or rejects their part; you
                  can cancel until they accept. <a href="/cart">Change the cart</a>
                </p>
              </OrderSummary>
            </aside>
          </div>
        </form>
      )}
    </>
  );
}

function OrderSummary(props: { facts: PageFacts; cart: CartView; children?: Child }) {
  const { cart, facts } = props;
  const currency = cart.currency ?? "EUR";
  return (
    <section class="panel">
      <h2>Order summary</h2>
      {cart.sellers.map((seller) => (
        <div class="summary-seller">
          <h3>{seller.sellerName}</h3>
          <ul class="summary-lines">
            {seller.lines.map((line) => (
              <li>
                <span>
                  {line.title} <span class="muted small">× {facts.fmt.number(line.quantity)}</span>
                  {line.problems.length > 0 && (
                    <span class="badge badge-bad">{line.problems.join("; ")}</span>
                  )}
                </span>
                <span class="num">{facts.fmt.money(line.lineTotalMinor, line.currency)}</span>
              </li>
            ))}
          </ul>
          <p class="summary-subtotal">
            <span>Subtotal</span>
            <span class="num">{facts.fmt.money(seller.subtotalMinor, currency)}</span>
          </p>
        </div>
      ))}
      <p class="cart-total">
        <span>Total ({currency})</span>
        <strong>{facts.fmt.money(cart.totalMinor, currency)}</strong>
      </p>
      <p class="muted small">Excluding VAT and shipping.</p>
      {props.children}
    </section>
  );
}

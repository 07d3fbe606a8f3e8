/**
 * One quote for its buyer: every version (who sent it, totals, lines), and the buyer's moves: accept the
 * latest version (PO number and delivery address as at checkout, one idempotency key per form render, so
 * a double submit places one order), counter with prices of its own, or decline. A refusal (superseded,
 * expired, countered…) re-renders the page with the reason, the form keeping what was typed.
 */
import { Hono } from "hono";
import type { QuoteWithVersions } from "../../../contracts/negotiation.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { acceptBody } from "../../../routes/negotiation/negotiation.routes.ts";
import { uuidParam } from "../../../routes/schemas.ts";
import { acceptQuote } from "../../../services/negotiation/accept.ts";
import { getQuote, moveQuote } from "../../../services/negotiation/quotes.ts";
import type { AppEnv } from "../../../types.ts";
import { Breadcrumbs, ErrorSummary, PageHead } from "../../components.tsx";
import { pageFacts, redirectWith, type WebContext } from "../../context.ts";
import { attempt, type Form, field, intField, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import { type BuyerContext, buyerForPost, buyerRead } from "../buyer/shared.tsx";
import { ACCEPT_LABELS, AcceptFields, ADDRESS } from "./accept-form.tsx";
import {
  hasRole,
  NegotiationBadge,
  type Problem,
  ProblemAlert,
  type ProblemStatus,
  VersionHistory,
} from "./shared.tsx";
import { VersionForm } from "./version-form.tsx";
import { readNextVersionForm, type VersionValues, valuesFromForm, valuesOf } from "./version-values.ts";

export const quotePages = new Hono<AppEnv>();

const KEY = /^[\w.:-]{8,128}$/;
const quoteIdParam = uuidParam("quoteId");

function idOf(c: WebContext): string {
  const id = quoteIdParam.safeParse(c.req.param("quoteId"));
  if (!id.success) throw new ApiError("not_found", "Quote not found.");
  return id.data;
}

/** What a re-rendered page keeps: the form that failed and its problem. */
interface Again {
  form: "accept" | "counter" | "decline";
  posted: Form;
  problem: Problem;
}

quotePages.get("/quotes/:quoteId", async (c) => {
  const quoteId = idOf(c);
  const result = await buyerRead(c, (orgId, principal) =>
    getQuote(serviceContext(c), principal, orgId, quoteId),
  );
  if (result instanceof Response) return result;
  // A seller following a link lands on its own page for the RFQ.
  if (result.data.seller.id === result.org.orgId) return c.redirect(`/seller/rfqs/${result.data.rfqId}`, 302);
  return renderQuote(c, result, result.data);
});

async function rerender(
  c: WebContext,
  buyer: BuyerContext,
  quoteId: string,
  again: Again,
  status: ProblemStatus,
) {
  const quote = await getQuote(serviceContext(c), buyer.principal, buyer.org.orgId, quoteId);
  return renderQuote(c, buyer, quote, again, status);
}

function notFoundOr(status: number, message: string) {
  if (status === 404) throw new ApiError("not_found", message);
}

quotePages.post("/quotes/:quoteId/accept", async (c) => {
  const quoteId = idOf(c);
  const posted = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const fail = (problem: Problem, status: ProblemStatus) =>
    rerender(c, buyer, quoteId, { form: "accept", posted, problem }, status);
  const key = field(posted, "idempotencyKey");
  if (!KEY.test(key))
    return fail({ message: "This form is out of date. Review the quote and accept again." }, 422);
  const optional = (name: string) => field(posted, name) || undefined;
  const address: Record<string, string | undefined> = {};
  for (const name of ADDRESS) address[name] = optional(`shippingAddress.${name}`);
  if (address.country) address.country = address.country.toUpperCase();
  const parsed = acceptBody.safeParse({
    version: intField(posted, "version"),
    poNumber: optional("poNumber"),
    shippingAddress: address,
    notes: optional("notes"),
  });
  if (!parsed.success) return fail({ errors: zodErrors(parsed.error) }, 422);
  const { version, ...body } = parsed.data;
  const done = await attempt(
    async () =>
      acceptQuote(serviceContext(c), buyer.principal, buyer.org.orgId, quoteId, version, key, body, {
        approvalHoldHours: c.var.config.APPROVAL_HOLD_HOURS,
        orderAcceptHours: c.var.config.ORDER_ACCEPT_HOURS,
      }),
    (p) => {
      notFoundOr(p.status, p.message);
      return fail({ message: p.message, errors: p.errors }, p.status as ProblemStatus);
    },
  );
  if (done instanceof Response) return done;
  const group = done.body;
  return redirectWith(
    c,
    `/orders/groups/${group.id}`,
    group.status === "pending_approval" ? "order-pending-approval" : "quote-accepted",
  );
});

quotePages.post("/quotes/:quoteId/counter", async (c) => {
  const quoteId = idOf(c);
  const posted = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const fail = (problem: Problem, status: ProblemStatus) =>
    rerender(c, buyer, quoteId, { form: "counter", posted, problem }, status);
  const basedOn = intField(posted, "basedOnVersion") ?? 0;
  const { body, errors } = readNextVersionForm(posted, field(posted, "currency") || "EUR", basedOn);
  if (!body) return fail({ errors }, 422);
  const done = await attempt(
    () => moveQuote(serviceContext(c), buyer.principal, buyer.org.orgId, quoteId, "counter", body),
    (p) => {
      notFoundOr(p.status, p.message);
      return fail({ message: p.message, errors: p.errors }, p.status as ProblemStatus);
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/quotes/${quoteId}`, "quote-countered");
});

quotePages.post("/quotes/:quoteId/decline", async (c) => {
  const quoteId = idOf(c);
  const posted = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const done = await attempt(
    () => moveQuote(serviceContext(c), buyer.principal, buyer.org.orgId, quoteId, "decline"),
    (p) => {
      notFoundOr(p.status, p.message);
      return rerender(
        c,
        buyer,
        quoteId,
        { form: "decline", posted, problem: { message: p.message } },
        p.status as ProblemStatus,
      );
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/rfqs/${done.rfqId}`, "quote-declined");
});

function renderQuote(
  c: WebContext,
  buyer: BuyerContext,
  quote: QuoteWithVersions,
  again?: Again,
  status: 200 | ProblemStatus = 200,
) {
  const facts = pageFacts(c);
  const latest = quote.latest;
  const negotiates = hasRole(buyer.org, "rfqs:write");
  const purchases = hasRole(buyer.org, "orders:purchase");
  const errorsOf = (form: Again["form"]) => (again?.form === form ? again.problem.errors : undefined);
  // A first render proposes the RFQ's delivery country; a re-render keeps what was typed.
  const value = (name: string) =>
    again?.form === "accept"
      ? (again.posted.get(name) ?? "")
      : name === "shippingAddress.country"
        ? quote.deliveryCountry
        : "";
  const counterValues: VersionValues =
    again?.form === "counter" ? valuesFromForm(again.posted) : { ...valuesOf(latest), notes: "" };
  return page(
    c,
    buyer.viewer,
    { title: `Quote from ${quote.seller.name}`, noindex: true, facts, status, scripts: ["enhance.js"] },
    <>
      <Breadcrumbs
        items={[
          ["Requests for quotes", "/rfqs"],
          [quote.rfqTitle, `/rfqs/${quote.rfqId}`],
          [quote.seller.name, undefined],
        ]}
      />
      <PageHead
        title={`Quote from ${quote.seller.name}`}
        subtitle={
          <>
            <NegotiationBadge status={quote.status} /> For{" "}
            <a href={`/rfqs/${quote.rfqId}`}>{quote.rfqTitle}</a>
          </>
        }
        actions={
          negotiates &&
          (quote.status === "sent" || quote.status === "countered") && (
            <form method="post" action={`/quotes/${quote.id}/decline`} class="inline-form" data-once>
              <button class="btn btn-danger" type="submit">
                Decline quote
              </button>
            </form>
          )
        }
      />
      <ProblemAlert problem={again?.problem} />
      {quote.orderGroupId && (
        <p class="alert alert-info">
          Accepted: <a href={`/orders/groups/${quote.orderGroupId}`}>see the order</a>.
        </p>
      )}
      {quote.status === "countered" && (
        <p class="alert alert-info">Your counter-offer waits for the seller's answer.</p>
      )}
      <section class="stack tight" aria-labelledby="history-heading">
        <h2 id="history-heading">Versions</h2>
        <VersionHistory facts={facts} quote={quote} />
      </section>
      {quote.status === "sent" && (
        <div class="columns quote-moves">
          {purchases && (
            <section class="panel" id="accept" aria-labelledby="accept-heading">
              <h2 id="accept-heading">Accept version {quote.currentVersion}</h2>
              <p class="muted small">
                The order is placed at these prices ({facts.fmt.money(latest.totalMinor, latest.currency)}),
                stock is reserved, and your spending limits and approvals apply as at checkout.
              </p>
              <form method="post" action={`/quotes/${quote.id}/accept`} class="form" data-once>
                <ErrorSummary errors={errorsOf("accept")} labels={ACCEPT_LABELS} />
                <input type="hidden" name="idempotencyKey" value={crypto.randomUUID()} />
                <input type="hidden" name="version" value={String(quote.currentVersion)} />
                <AcceptFields value={value} errors={errorsOf("accept")} buyerName={quote.buyer.name} />
                <button class="btn btn-primary btn-large" type="submit">
                  Accept and place order
                </button>
              </form>
            </section>
          )}
          {negotiates && (
            <section class="panel" id="counter" aria-labelledby="counter-heading">
              <h2 id="counter-heading">Counter-offer</h2>
              <p class="muted small">
                Propose your own unit prices; the seller may accept them in a revision.
              </p>
              <VersionForm
                action={`/quotes/${quote.id}/counter`}
                mode="prices"
                currency={latest.currency}
                values={counterValues}
                errors={errorsOf("counter")}
                basedOnVersion={quote.currentVersion}
                submit="Send counter-offer"
                fmt={facts.fmt}
              />
            </section>
          )}
        </div>
      )}
    </>,
  );
}

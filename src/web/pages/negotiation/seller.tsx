/**
 * The seller console's requests for quotes: those addressed to the organisation and the open ones of its
 * categories (status filter, keyset pages), and one RFQ (never the buyer's internal notes: the service
 * leaves them out) with the quote form, or the organisation's quote with its versions, a revision form
 * and withdraw.
 */
import { Hono } from "hono";
import type { QuoteWithVersions, RfqWithQuotes } from "../../../contracts/negotiation.ts";
import { rfqStatus } from "../../../db/schema/negotiation.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { uuidParam } from "../../../routes/schemas.ts";
import { type CategoryChoice, categoryChoices } from "../../../services/negotiation/categories.ts";
import { createQuote, getQuote, moveQuote } from "../../../services/negotiation/quotes.ts";
import { getRfq, listRfqs } from "../../../services/negotiation/rfqs.ts";
import type { AppEnv } from "../../../types.ts";
import { Breadcrumbs, EmptyState, humanise, Pager } from "../../components.tsx";
import {
  type Membership,
  pageFacts,
  redirectWith,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { Format } from "../../format.ts";
import { attempt, type Form, intField, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { SellerHead, sellerActor, sellerPage } from "../seller/shared.tsx";
import {
  addressee,
  hasRole,
  NegotiationBadge,
  Notes,
  type Problem,
  ProblemAlert,
  type ProblemStatus,
  RfqFacts,
  RfqItems,
  VersionHistory,
} from "./shared.tsx";
import {
  freshValues,
  readNextVersionForm,
  readQuoteForm,
  VersionForm,
  valuesFromForm,
  valuesOf,
} from "./version-form.tsx";

export const sellerRfqPages = new Hono<AppEnv>();

const PAGE_SIZE = 25;
const STATUSES = rfqStatus.enumValues as readonly string[];
const rfqIdParam = uuidParam("rfqId");
const quoteIdParam = uuidParam("quoteId");

sellerRfqPages.get("/seller/rfqs", async (c) => {
  const given = c.req.query("status") ?? "";
  const status = STATUSES.includes(given) ? given : undefined;
  const cursor = c.req.query("cursor")?.slice(0, 512) || undefined;
  const loaded = await sellerPage(c, (principal, orgId) =>
    listRfqs(serviceContext(c), principal, orgId, { side: "seller", status, cursor, limit: PAGE_SIZE }),
  );
  if (loaded instanceof Response) return loaded;
  const facts = pageFacts(c);
  const { fmt } = facts;
  const { items, nextCursor } = loaded.data;
  const base = status ? `/seller/rfqs?status=${status}` : "/seller/rfqs";
  return page(
    c,
    loaded.viewer,
    { title: "Requests for quotes", noindex: true, facts, scripts: ["enhance.js"] },
    <>
      <SellerHead path={facts.path} org={loaded.org} title="Requests for quotes" />
      <form method="get" action="/seller/rfqs" class="toolbar" data-autosubmit>
        <label for="rfq-status">Status</label>
        <select id="rfq-status" name="status">
          <option value="">All statuses</option>
          {STATUSES.map((value) => (
            <option value={value} selected={status === value}>
              {humanise(value)}
            </option>
          ))}
        </select>
        <button class="btn btn-small" type="submit" data-autosubmit-hide>
          Filter
        </button>
      </form>
      {items.length === 0 ? (
        <EmptyState title={status || cursor ? "No requests match" : "No requests for quotes yet"}>
          <p>
            Buyers' requests about your listings, and open requests in the categories you sell in, appear
            here.
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Requests for quotes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Buyer</th>
                <th scope="col">Asked of</th>
                <th scope="col">Status</th>
                <th scope="col">Your quote</th>
                <th scope="col">Quotes until</th>
                <th scope="col">Needed by</th>
              </tr>
            </thead>
            <tbody>
              {items.map((rfq) => (
                <tr class={rfq.quoteCount === 0 && rfq.status === "open" ? "needs-action" : undefined}>
                  <td data-label="Request">
                    <a href={`/seller/rfqs/${rfq.id}`}>
                      <strong>{rfq.title}</strong>
                    </a>
                  </td>
                  <td data-label="Buyer">{rfq.buyer.name}</td>
                  <td data-label="Asked of">{rfq.seller ? "You" : addressee(rfq)}</td>
                  <td data-label="Status">
                    <NegotiationBadge status={rfq.status} />
                  </td>
                  <td data-label="Your quote">
                    {rfq.quoteCount > 0 ? "Sent" : <span class="small action-hint">To quote</span>}
                  </td>
                  <td data-label="Quotes until">
                    <time datetime={rfq.respondBy} title={fmt.dateTime(rfq.respondBy)}>
                      {fmt.relative(rfq.respondBy, facts.now)}
                    </time>
                  </td>
                  <td data-label="Needed by">{fmt.date(rfq.neededBy)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        nextHref={nextCursor ? `${base}${status ? "&" : "?"}cursor=${encodeURIComponent(nextCursor)}` : null}
        firstHref={cursor ? base : null}
      />
    </>,
  );
});

interface SellerRfq {
  rfq: RfqWithQuotes;
  quote: QuoteWithVersions | undefined;
  categories: CategoryChoice[];
}

/** The RFQ (with the organisation's own quote, if any, and its versions) and the category names. */
async function readSellerRfq(
  c: WebContext,
  principal: UserPrincipal,
  orgId: string,
  rfqId: string,
): Promise<SellerRfq> {
  const ctx = serviceContext(c);
  const [rfq, categories] = await Promise.all([getRfq(ctx, principal, orgId, rfqId), categoryChoices(ctx)]);
  const own = rfq.quotes.find((q) => q.seller.id === orgId);
  const quote = own ? await getQuote(ctx, principal, orgId, own.id) : undefined;
  return { rfq, quote, categories };
}

function idOf(c: WebContext, param: typeof rfqIdParam, name: string, what: string): string {
  const id = param.safeParse(c.req.param(name));
  if (!id.success) throw new ApiError("not_found", `${what} not found.`);
  return id.data;
}

sellerRfqPages.get("/seller/rfqs/:rfqId", async (c) => {
  const rfqId = idOf(c, rfqIdParam, "rfqId", "Request for quotes");
  const loaded = await sellerPage(c, (principal, orgId) => readSellerRfq(c, principal, orgId, rfqId));
  if (loaded instanceof Response) return loaded;
  return renderSellerRfq(c, loaded, loaded.data);
});

type Actor = { principal: UserPrincipal; viewer: Viewer; org: Membership };

async function again(
  c: WebContext,
  actor: Actor,
  rfqId: string,
  posted: Form,
  problem: Problem,
  status: ProblemStatus,
) {
  const data = await readSellerRfq(c, actor.principal, actor.org.orgId, rfqId);
  return renderSellerRfq(c, actor, data, { posted, problem }, status);
}

sellerRfqPages.post("/seller/rfqs/:rfqId/quotes", async (c) => {
  const rfqId = idOf(c, rfqIdParam, "rfqId", "Request for quotes");
  const posted = await readForm(c);
  const actor = await sellerActor(c);
  if (actor instanceof Response) return actor;
  const { body, errors } = readQuoteForm(posted, (posted.get("currency") ?? "EUR").trim());
  if (!body) return again(c, actor, rfqId, posted, { errors }, 422);
  const done = await attempt(
    () => createQuote(serviceContext(c), actor.principal, actor.org.orgId, rfqId, body),
    (p) => {
      if (p.status === 404) throw new ApiError("not_found", p.message);
      return again(
        c,
        actor,
        rfqId,
        posted,
        { message: p.message, errors: p.errors },
        p.status as ProblemStatus,
      );
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/seller/rfqs/${rfqId}`, "quote-sent");
});

for (const action of ["revise", "withdraw"] as const) {
  sellerRfqPages.post(`/seller/quotes/:quoteId/${action}`, async (c) => {
    const quoteId = idOf(c, quoteIdParam, "quoteId", "Quote");
    const posted = await readForm(c);
    const actor = await sellerActor(c);
    if (actor instanceof Response) return actor;
    const ctx = serviceContext(c);
    const fail = async (problem: Problem, status: ProblemStatus) => {
      const quote = await getQuote(ctx, actor.principal, actor.org.orgId, quoteId);
      return again(c, actor, quote.rfqId, posted, problem, status);
    };
    let version: ReturnType<typeof readNextVersionForm>["body"];
    if (action === "revise") {
      const read = readNextVersionForm(
        posted,
        (posted.get("currency") ?? "EUR").trim(),
        intField(posted, "basedOnVersion") ?? 0,
      );
      if (!read.body) return fail({ errors: read.errors }, 422);
      version = read.body;
    }
    const done = await attempt(
      () =>
        moveQuote(
          ctx,
          actor.principal,
          actor.org.orgId,
          quoteId,
          action,
          version as Parameters<typeof moveQuote>[5],
        ),
      (p) => {
        if (p.status === 404) throw new ApiError("not_found", p.message);
        return fail({ message: p.message, errors: p.errors }, p.status as ProblemStatus);
      },
    );
    if (done instanceof Response) return done;
    return redirectWith(
      c,
      `/seller/rfqs/${done.rfqId}`,
      action === "revise" ? "quote-revised" : "quote-withdrawn",
    );
  });
}

function renderSellerRfq(
  c: WebContext,
  actor: Actor,
  data: SellerRfq,
  failed?: { posted: Form; problem: Problem },
  status: 200 | ProblemStatus = 200,
) {
  const facts = pageFacts(c);
  const { rfq, quote, categories } = data;
  const quotes = hasRole(actor.org, "quotes:write");
  const live = rfq.status === "open" || rfq.status === "quoted";
  const errors = failed?.problem.errors;
  const fresh = freshValues(
    rfq.items.map((item) => ({
      variantId: item.variantId ?? undefined,
      title: item.description,
      quantity: String(item.quantity),
      price:
        item.targetUnitPriceMinor === null ? "" : Format.decimal(item.targetUnitPriceMinor, rfq.currency),
    })),
    facts.now,
  );
  const values = failed ? valuesFromForm(failed.posted) : quote ? valuesOf(quote.latest) : fresh;
  const canRevise = quote && live && (quote.status === "sent" || quote.status === "countered");
  return page(
    c,
    actor.viewer,
    { title: `${rfq.title} · RFQ`, noindex: true, facts, status, scripts: ["enhance.js"] },
    <>
      <Breadcrumbs
        items={[
          ["Requests for quotes", "/seller/rfqs"],
          [rfq.title, undefined],
        ]}
      />
      <SellerHead path={facts.path} org={actor.org} title={rfq.title} />
      <p>
        <NegotiationBadge status={rfq.status} /> <span class="muted">Asked by {rfq.buyer.name}</span>
      </p>
      <ProblemAlert problem={failed?.problem} />
      <div class="columns rfq-columns">
        <section class="panel stack tight" aria-labelledby="items-heading">
          <h2 id="items-heading">What the buyer asks for</h2>
          <RfqItems facts={facts} rfq={rfq} />
          <Notes title="Notes from the buyer" text={rfq.notes} />
        </section>
        <aside class="panel" aria-label="Terms">
          <RfqFacts facts={facts} rfq={rfq} categories={categories} />
          <p>
            <a class="btn btn-small" href={`/messages/new?subjectType=rfq&subjectId=${rfq.id}`}>
              Message the buyer
            </a>
          </p>
        </aside>
      </div>
      {quote ? (
        <section class="stack tight" aria-labelledby="quote-heading">
          <h2 id="quote-heading">
            Your quote <NegotiationBadge status={quote.status} />
          </h2>
          {quote.status === "countered" && (
            <p class="alert alert-info">The buyer countered with their own prices: answer with a revision.</p>
          )}
          {quote.orderGroupId && (
            <p class="alert alert-info">Accepted: the order is in your incoming orders.</p>
          )}
          <VersionHistory facts={facts} quote={quote} />
          {quotes && canRevise && (
            <div class="columns quote-moves">
              <section class="panel" id="revise" aria-labelledby="revise-heading">
                <h2 id="revise-heading">Revise (version {quote.currentVersion + 1})</h2>
                <VersionForm
                  action={`/seller/quotes/${quote.id}/revise`}
                  mode="full"
                  currency={rfq.currency}
                  values={values}
                  errors={errors}
                  basedOnVersion={quote.currentVersion}
                  submit="Send revision"
                />
              </section>
              <section class="panel" aria-labelledby="withdraw-heading">
                <h2 id="withdraw-heading">Withdraw</h2>
                <p class="muted small">The buyer can no longer accept it. This cannot be undone.</p>
                <form
                  method="post"
                  action={`/seller/quotes/${quote.id}/withdraw`}
                  class="inline-form"
                  data-once
                >
                  <button class="btn btn-danger" type="submit">
                    Withdraw quote
                  </button>
                </form>
              </section>
            </div>
          )}
        </section>
      ) : live && quotes ? (
        <section class="panel" id="quote" aria-labelledby="quote-heading">
          <h2 id="quote-heading">Your quote</h2>
          <p class="muted small">
            Lines start from the buyer's items and target prices. Add extra lines (tooling, freight) in the
            empty rows.
          </p>
          <VersionForm
            action={`/seller/rfqs/${rfq.id}/quotes`}
            mode="full"
            currency={rfq.currency}
            values={values}
            errors={errors}
            submit="Send quote"
          />
        </section>
      ) : (
        <p class="alert alert-info">
          {live
            ? `Your role (${actor.org.role}) cannot send quotes.`
            : "This request no longer takes quotes."}
        </p>
      )}
    </>,
  );
}

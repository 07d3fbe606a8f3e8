/**
 * One RFQ in the seller console (never the buyer's internal notes: the service leaves them out) with the
 * quote form, or the organisation's quote with its versions, a revision form and withdraw.
 */
import type { QuoteWithVersions, RfqWithQuotes } from "../../../contracts/negotiation.ts";
import { Breadcrumbs } from "../../components.tsx";
import {
  type Membership,
  pageFacts,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { Format } from "../../format.ts";
import type { Form } from "../../forms.ts";
import { page } from "../../render.tsx";
import { SellerHead } from "../seller/shared.tsx";
import {
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
import { VersionForm } from "./version-form.tsx";
import { freshValues, valuesFromForm, valuesOf } from "./version-values.ts";

export interface SellerRfq {
  rfq: RfqWithQuotes;
  quote: QuoteWithVersions | undefined;
}

export type Actor = { principal: UserPrincipal; viewer: Viewer; org: Membership };

export function renderSellerRfq(
  c: WebContext,
  actor: Actor,
  data: SellerRfq,
  failed?: { posted: Form; problem: Problem },
  status: 200 | ProblemStatus = 200,
) {
  const facts = pageFacts(c);
  const { rfq, quote } = data;
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
          <RfqFacts facts={facts} rfq={rfq} />
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
            <div class="columns quote-moves quote-moves-seller">
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

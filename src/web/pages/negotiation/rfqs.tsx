/**
 * The buyer's requests for quotes: the list (status tabs, keyset pages) and one RFQ with its items, notes
 * (internal ones marked as the organisation's own) and its quotes side by side, with withdraw or close.
 */
import { Hono } from "hono";
import type { RfqWithQuotes } from "../../../contracts/negotiation.ts";
import { rfqStatus } from "../../../db/schema/negotiation.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { uuidParam } from "../../../routes/schemas.ts";
import { type CategoryChoice, categoryChoices } from "../../../services/negotiation/categories.ts";
import { allowedRfqActions } from "../../../services/negotiation/machine.ts";
import { getRfq, listRfqs, transitionRfq } from "../../../services/negotiation/rfqs.ts";
import type { AppEnv } from "../../../types.ts";
import { Breadcrumbs, EmptyState, humanise, PAYMENT_TERMS, PageHead, Pager } from "../../components.tsx";
import { type PageFacts, pageFacts, redirectWith, type WebContext } from "../../context.ts";
import { attempt, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { type BuyerContext, buyerForPost, buyerRead } from "../buyer/shared.tsx";
import {
  addressee,
  hasRole,
  leadTimeText,
  NegotiationBadge,
  Notes,
  type Problem,
  ProblemAlert,
  RfqFacts,
  RfqItems,
} from "./shared.tsx";

export const rfqPages = new Hono<AppEnv>();

const PAGE_SIZE = 20;
const rfqIdParam = uuidParam("rfqId");
const STATUSES = rfqStatus.enumValues as readonly string[];

rfqPages.get("/rfqs", async (c) => {
  const given = c.req.query("status") ?? "";
  const status = STATUSES.includes(given) ? given : undefined;
  const cursor = c.req.query("cursor")?.slice(0, 512) || undefined;
  const result = await buyerRead(c, (orgId, principal) =>
    listRfqs(serviceContext(c), principal, orgId, { side: "buyer", status, cursor, limit: PAGE_SIZE }),
  );
  if (result instanceof Response) return result;
  const facts = pageFacts(c);
  const { fmt } = facts;
  const { items, nextCursor } = result.data;
  const base = status ? `/rfqs?status=${status}` : "/rfqs";
  const join = status ? "&" : "?";
  return page(
    c,
    result.viewer,
    { title: "Requests for quotes", noindex: true, facts },
    <>
      <PageHead
        title="Requests for quotes"
        subtitle={`Asked by ${result.org.orgName}`}
        actions={
          hasRole(result.org, "rfqs:write") && (
            <a class="btn btn-primary" href="/rfqs/new">
              New request
            </a>
          )
        }
      />
      <nav class="tabs" aria-label="RFQs by status">
        {[
          ["", "All"] as const,
          ...["open", "quoted", "awarded", "closed"].map((s) => [s, humanise(s)] as const),
        ].map(([value, label]) => (
          <a
            href={value ? `/rfqs?status=${value}` : "/rfqs"}
            aria-current={(status ?? "") === value ? "page" : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      {items.length === 0 ? (
        <EmptyState title={status || cursor ? "No requests match" : "No requests for quotes yet"}>
          <p>
            Ask a seller from a listing ("Request a quote"), or{" "}
            <a href="/rfqs/new">ask every seller of a category</a>.
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Requests for quotes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Asked of</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Quotes
                </th>
                <th scope="col">Quotes until</th>
                <th scope="col">Needed by</th>
              </tr>
            </thead>
            <tbody>
              {items.map((rfq) => (
                <tr class={rfq.status === "quoted" ? "needs-action" : undefined}>
                  <td data-label="Request">
                    <a href={`/rfqs/${rfq.id}`}>
                      <strong>{rfq.title}</strong>
                    </a>
                  </td>
                  <td data-label="Asked of">{addressee(rfq)}</td>
                  <td data-label="Status">
                    <NegotiationBadge status={rfq.status} />
                  </td>
                  <td data-label="Quotes" class="num">
                    {fmt.number(rfq.quoteCount)}
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
        nextHref={nextCursor ? `${base}${join}cursor=${encodeURIComponent(nextCursor)}` : null}
        firstHref={cursor ? base : null}
      />
    </>,
  );
});

/** The RFQ with every quote, and the category names (for an RFQ open to one), read side by side. */
function readRfq(c: WebContext, rfqId: string) {
  return (orgId: string, principal: BuyerContext["principal"]) =>
    Promise.all([
      getRfq(serviceContext(c), principal, orgId, rfqId),
      categoryChoices(serviceContext(c)),
    ]).then(([rfq, categories]) => ({ rfq, categories }));
}

function idOf(c: WebContext): string {
  const id = rfqIdParam.safeParse(c.req.param("rfqId"));
  if (!id.success) throw new ApiError("not_found", "Request for quotes not found.");
  return id.data;
}

rfqPages.get("/rfqs/:rfqId", async (c) => {
  const result = await buyerRead(c, readRfq(c, idOf(c)));
  if (result instanceof Response) return result;
  return renderRfq(c, result, result.data);
});

for (const action of ["withdraw", "close"] as const) {
  rfqPages.post(`/rfqs/:rfqId/${action}`, async (c) => {
    const rfqId = idOf(c);
    await readForm(c);
    const buyer = await buyerForPost(c);
    if (buyer instanceof Response) return buyer;
    const done = await attempt(
      () => transitionRfq(serviceContext(c), buyer.principal, buyer.org.orgId, rfqId, action),
      async (p) => {
        if (p.status === 404) throw new ApiError("not_found", p.message);
        const data = await readRfq(c, rfqId)(buyer.org.orgId, buyer.principal);
        return renderRfq(c, buyer, data, { message: p.message }, p.status as 403 | 409);
      },
    );
    if (done instanceof Response) return done;
    return redirectWith(c, `/rfqs/${rfqId}`, action === "withdraw" ? "rfq-withdrawn" : "rfq-closed");
  });
}

function renderRfq(
  c: WebContext,
  buyer: BuyerContext,
  data: { rfq: RfqWithQuotes; categories: CategoryChoice[] },
  problem?: Problem,
  status: 200 | 403 | 409 = 200,
) {
  const facts = pageFacts(c);
  const { rfq, categories } = data;
  const actions = hasRole(buyer.org, "rfqs:write") ? allowedRfqActions(rfq.status, "buyer") : [];
  return page(
    c,
    buyer.viewer,
    { title: `${rfq.title} · RFQ`, noindex: true, facts, status, scripts: ["enhance.js"] },
    <>
      <Breadcrumbs
        items={[
          ["Requests for quotes", "/rfqs"],
          [rfq.title, undefined],
        ]}
      />
      <PageHead
        title={rfq.title}
        subtitle={<NegotiationBadge status={rfq.status} />}
        actions={
          <>
            {actions.includes("withdraw") && (
              <form method="post" action={`/rfqs/${rfq.id}/withdraw`} class="inline-form" data-once>
                <button class="btn btn-danger" type="submit">
                  Withdraw request
                </button>
              </form>
            )}
            {actions.includes("close") && (
              <form method="post" action={`/rfqs/${rfq.id}/close`} class="inline-form" data-once>
                <button class="btn" type="submit">
                  Close without ordering
                </button>
              </form>
            )}
          </>
        }
      />
      <ProblemAlert problem={problem} />
      <div class="columns rfq-columns">
        <section class="panel stack tight" aria-labelledby="items-heading">
          <h2 id="items-heading">Items</h2>
          <RfqItems facts={facts} rfq={rfq} />
          <Notes title="Notes for the sellers" text={rfq.notes} />
          <Notes
            title="Internal notes"
            hint="only your organisation sees this"
            text={rfq.internalNotes}
            private
          />
        </section>
        <aside class="panel" aria-label="Terms">
          <RfqFacts facts={facts} rfq={rfq} categories={categories} />
        </aside>
      </div>
      <section aria-labelledby="quotes-heading" class="stack tight">
        <h2 id="quotes-heading">Quotes ({facts.fmt.number(rfq.quotes.length)})</h2>
        {rfq.quotes.length === 0 ? (
          <EmptyState title="No quotes yet">
            <p>Sellers can quote until {facts.fmt.date(rfq.respondBy)}. You will see each quote here.</p>
          </EmptyState>
        ) : (
          <QuoteComparison facts={facts} rfq={rfq} />
        )}
      </section>
    </>,
  );
}

/** The quotes side by side: one column each, rows for what buyers compare. */
function QuoteComparison(props: { facts: PageFacts; rfq: RfqWithQuotes }) {
  const { facts, rfq } = props;
  const { fmt } = facts;
  const quotes = rfq.quotes;
  const positions = [...new Set(quotes.flatMap((q) => q.latest.lines.map((l) => l.position)))].sort(
    (a, b) => a - b,
  );
  const lowest = Math.min(...quotes.map((q) => q.latest.totalMinor));
  return (
    <div class="table-wrap">
      <table class="table compare-table">
        <caption class="visually-hidden">Quotes compared, latest version of each</caption>
        <thead>
          <tr>
            <td />
            {quotes.map((q) => (
              <th scope="col">
                <a href={`/quotes/${q.id}`}>{q.seller.name}</a>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Status</th>
            {quotes.map((q) => (
              <td>
                <NegotiationBadge status={q.status} />{" "}
                <span class="muted small">
                  v{q.currentVersion} · {q.latest.side === "seller" ? "seller's offer" : "your counter"}
                </span>
              </td>
            ))}
          </tr>
          {positions.map((position) => (
            <tr>
              <th scope="row">
                {quotes.flatMap((q) => q.latest.lines).find((l) => l.position === position)?.title ??
                  `Line ${position + 1}`}
              </th>
              {quotes.map((q) => {
                const line = q.latest.lines.find((l) => l.position === position);
                return (
                  <td class="num">
                    {line ? (
                      <>
                        {fmt.money(line.unitPriceMinor, q.latest.currency)}
                        <span class="muted small"> × {fmt.number(line.quantity)}</span>
                      </>
                    ) : (
                      <span class="muted">–</span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
          <tr class="compare-total">
            <th scope="row">Total</th>
            {quotes.map((q) => (
              <td class="num">
                <strong>{fmt.money(q.latest.totalMinor, q.latest.currency)}</strong>
                {quotes.length > 1 && q.latest.totalMinor === lowest && (
                  <span class="badge badge-ok">Lowest</span>
                )}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Lead time</th>
            {quotes.map((q) => (
              <td>{leadTimeText(q.latest.leadTimeDays)}</td>
            ))}
          </tr>
          <tr>
            <th scope="row">Payment terms</th>
            {quotes.map((q) => (
              <td>{PAYMENT_TERMS[q.latest.paymentTerms] ?? q.latest.paymentTerms}</td>
            ))}
          </tr>
          <tr>
            <th scope="row">Valid until</th>
            {quotes.map((q) => (
              <td>{fmt.date(q.latest.validUntil)}</td>
            ))}
          </tr>
          <tr>
            <th scope="row">
              <span class="visually-hidden">Actions</span>
            </th>
            {quotes.map((q) => (
              <td>
                <QuoteActions quoteId={q.id} status={q.status} orderGroupId={q.orderGroupId} />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function QuoteActions(props: { quoteId: string; status: string; orderGroupId: string | null }) {
  const href = `/quotes/${props.quoteId}`;
  if (props.orderGroupId)
    return (
      <a class="btn btn-small" href={`/orders/groups/${props.orderGroupId}`}>
        See the order
      </a>
    );
  return (
    <div class="actions compare-actions">
      {props.status === "sent" && (
        <>
          <a class="btn btn-primary btn-small" href={`${href}#accept`}>
            Accept…
          </a>
          <a class="btn btn-small" href={`${href}#counter`}>
            Counter…
          </a>
        </>
      )}
      {(props.status === "sent" || props.status === "countered") && (
        <form method="post" action={`${href}/decline`} class="inline-form" data-once>
          <button class="btn btn-small btn-danger" type="submit">
            Decline
          </button>
        </form>
      )}
      <a class="btn btn-small" href={href}>
        History
      </a>
    </div>
  );
}

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
import { allowedRfqActions } from "../../../services/negotiation/machine.ts";
import { getRfq, listRfqs, transitionRfq } from "../../../services/negotiation/rfqs.ts";
import type { AppEnv } from "../../../types.ts";
import { Breadcrumbs, EmptyState, humanise, PageHead, Pager } from "../../components.tsx";
import { pageFacts, redirectWith, type WebContext } from "../../context.ts";
import { attempt, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { type BuyerContext, buyerForPost, buyerRead } from "../buyer/shared.tsx";
import { QuoteComparison } from "./compare.tsx";
import {
  addressee,
  hasRole,
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

/** The RFQ with every quote and its versions: one statement. */
function readRfq(c: WebContext, rfqId: string) {
  return (orgId: string, principal: BuyerContext["principal"]) =>
    getRfq(serviceContext(c), principal, orgId, rfqId).then((rfq) => ({ rfq }));
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
  data: { rfq: RfqWithQuotes },
  problem?: Problem,
  status: 200 | 403 | 409 = 200,
) {
  const facts = pageFacts(c);
  const { rfq } = data;
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
          <RfqFacts facts={facts} rfq={rfq} />
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

/** The seller console's requests for quotes: addressed to the organisation or open in its categories. */
import { Hono } from "hono";
import { rfqStatus } from "../../../db/schema/negotiation.ts";
import { serviceContext } from "../../../routes/context.ts";
import { listRfqs } from "../../../services/negotiation/rfqs.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState, humanise, Pager } from "../../components.tsx";
import { pageFacts } from "../../context.ts";
import { page } from "../../render.tsx";
import { SellerHead, sellerPage } from "../seller/shared.tsx";
import { addressee, NegotiationBadge } from "./shared.tsx";

export const sellerRfqList = new Hono<AppEnv>();

const PAGE_SIZE = 25;
const STATUSES = rfqStatus.enumValues as readonly string[];

sellerRfqList.get("/seller/rfqs", async (c) => {
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

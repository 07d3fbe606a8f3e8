/** Invoices the seller issued: due dates (absolute), overdue ones highlighted, and "Mark paid". */
import { Hono } from "hono";
import type { Invoice } from "../../../contracts/orders.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { rolesFor } from "../../../services/identity/permissions.ts";
import type { MemberRole } from "../../../services/identity/principal.ts";
import * as orders from "../../../services/orders/orders.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState, StatusBadge, shortId } from "../../components.tsx";
import { isUuid, pageFacts, redirectWith } from "../../context.ts";
import { page } from "../../render.tsx";
import { SellerHead, sellerActor, sellerPage } from "./shared.tsx";

export const invoicePages = new Hono<AppEnv>();

const isOverdue = (invoice: Invoice, now: number) =>
  invoice.status === "open" && new Date(invoice.dueAt).getTime() < now;

/** Open amounts per currency (and how much of it is overdue). */
function outstanding(invoices: Invoice[], now: number) {
  const totals = new Map<string, { open: number; overdue: number; count: number }>();
  for (const invoice of invoices) {
    if (invoice.status !== "open") continue;
    const total = totals.get(invoice.currency) ?? { open: 0, overdue: 0, count: 0 };
    total.open += invoice.amountMinor;
    total.count += 1;
    if (isOverdue(invoice, now)) total.overdue += invoice.amountMinor;
    totals.set(invoice.currency, total);
  }
  return [...totals.entries()];
}

invoicePages.get("/seller/invoices", async (c) => {
  const loaded = await sellerPage(c, (principal, orgId) =>
    orders.listInvoices(serviceContext(c), principal, orgId, "seller"),
  );
  if (loaded instanceof Response) return loaded;
  const { viewer, org, data } = loaded;
  const facts = pageFacts(c);
  const { fmt, now } = facts;
  const canMarkPaid = (rolesFor("orders:sell") as readonly string[]).includes(org.role as MemberRole);
  const totals = outstanding(data, now);
  return page(
    c,
    viewer,
    { title: "Invoices", noindex: true, facts, scripts: ["enhance.js"] },
    <>
      <SellerHead path={facts.path} org={org} title="Invoices" />
      {totals.length > 0 && (
        <div class="stat-row">
          {totals.map(([currency, total]) => (
            <div class="stat">
              <span class="stat-label">Outstanding ({currency})</span>
              <strong class="stat-value">{fmt.money(total.open, currency)}</strong>
              <span class={total.overdue ? "small text-bad" : "small muted"}>
                {total.overdue ? `${fmt.money(total.overdue, currency)} overdue` : "Nothing overdue"} ·{" "}
                {fmt.number(total.count)} open
              </span>
            </div>
          ))}
        </div>
      )}
      {data.length === 0 ? (
        <EmptyState title="No invoices yet">
          <p>
            An invoice is issued when an order on net payment terms is delivered. Mark it paid here when the
            money arrives.
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Invoices issued, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Order</th>
                <th scope="col">Issued</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((invoice) => {
                const overdue = isOverdue(invoice, now);
                return (
                  <tr class={overdue ? "overdue" : undefined}>
                    <td data-label="Invoice">
                      <strong>#{shortId(invoice.id)}</strong>
                    </td>
                    <td data-label="Order">
                      <a href={`/seller/orders/${invoice.orderId}`}>#{shortId(invoice.orderId)}</a>
                    </td>
                    <td data-label="Issued">{fmt.date(invoice.issuedAt)}</td>
                    <td data-label="Due">
                      <div>
                        <time datetime={invoice.dueAt}>{fmt.date(invoice.dueAt)}</time>
                        {overdue && <div class="meta text-bad">{fmt.relative(invoice.dueAt, now)}</div>}
                      </div>
                    </td>
                    <td data-label="Status">
                      <div>
                        <StatusBadge status={overdue ? "overdue" : invoice.status} />
                        {invoice.paidAt && <div class="meta">Paid {fmt.date(invoice.paidAt)}</div>}
                      </div>
                    </td>
                    <td data-label="Amount" class="num">
                      {fmt.money(invoice.amountMinor, invoice.currency)}
                    </td>
                    <td data-label="">
                      {canMarkPaid && invoice.status === "open" && (
                        <form method="post" action={`/seller/invoices/${invoice.id}/mark-paid`} data-once>
                          <button
                            class="btn btn-small"
                            type="submit"
                            aria-label={`Mark invoice ${shortId(invoice.id)} paid`}
                          >
                            Mark paid
                          </button>
                        </form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>,
  );
});

invoicePages.post("/seller/invoices/:id{[^/]+}/mark-paid", async (c) => {
  const id = c.req.param("id");
  if (!isUuid(id)) throw new ApiError("not_found", "Invoice not found.");
  const actor = await sellerActor(c);
  if (actor instanceof Response) return actor;
  await orders.markInvoicePaid(serviceContext(c), actor.principal, actor.org.orgId, id.toLowerCase());
  return redirectWith(c, "/seller/invoices", "invoice-paid");
});

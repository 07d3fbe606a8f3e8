/** Invoices the buying organisation owes, and one invoice as a printable document. */
import { Hono } from "hono";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { uuidParam } from "../../../routes/schemas.ts";
import { getOrder, listInvoices, listOrders } from "../../../services/orders/orders.ts";
import type { AppEnv } from "../../../types.ts";
import { AddressLines, Breadcrumbs, EmptyState, PAYMENT_TERMS, shortId } from "../../components.tsx";
import { pageFacts } from "../../context.ts";
import { page } from "../../render.tsx";
import { InvoiceStatus } from "./orders.tsx";
import { BuyingHead, buyerRead } from "./shared.tsx";

export const invoicePages = new Hono<AppEnv>();

invoicePages.get("/invoices", async (c) => {
  const result = await buyerRead(c, async (orgId, principal) => {
    const ctx = serviceContext(c);
    // Invoices name their seller by id; the recent orders beside them give the names (same round trip).
    const [invoices, orders] = await Promise.all([
      listInvoices(ctx, principal, orgId, "buyer"),
      listOrders(ctx, principal, orgId, { side: "buyer", limit: 100 }),
    ]);
    const sellers = new Map(orders.items.map((o) => [o.seller.id, o.seller.name]));
    return { invoices, sellers };
  });
  if (result instanceof Response) return result;
  const facts = pageFacts(c);
  const fmt = facts.fmt;
  const { invoices, sellers } = result.data;
  const open = invoices.filter((i) => i.status === "open");
  const overdue = open.filter((i) => new Date(i.dueAt).getTime() < facts.now);
  const owed = new Map<string, number>();
  for (const invoice of open)
    owed.set(invoice.currency, (owed.get(invoice.currency) ?? 0) + Number(invoice.amountMinor));
  return page(
    c,
    result.viewer,
    { title: "Invoices", noindex: true, facts },
    <>
      <BuyingHead path="/invoices" title="Invoices" org={result.org} />
      {invoices.length > 0 && (
        <div class="invoice-totals">
          <p>
            <span class="muted small">Open</span>
            <strong>
              {owed.size === 0
                ? fmt.money(0, invoices[0]?.currency ?? "EUR")
                : [...owed].map(([currency, minor]) => fmt.money(minor, currency)).join(" + ")}
            </strong>
            <span class="muted small">
              {open.length} {open.length === 1 ? "invoice" : "invoices"}
            </span>
          </p>
          <p class={overdue.length > 0 ? "overdue" : ""}>
            <span class="muted small">Overdue</span>
            <strong>{overdue.length}</strong>
            <span class="muted small">{overdue.length === 1 ? "invoice" : "invoices"} past due</span>
          </p>
        </div>
      )}
      {invoices.length === 0 ? (
        <EmptyState title="No invoices yet">
          <p>
            Sellers invoice an order on net terms when it is delivered. Prepaid orders have no invoice here.
          </p>
          <a href="/orders">See your orders</a>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Invoices owed by {result.org.orgName}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Seller</th>
                <th scope="col">Issued</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((invoice) => {
                const late = invoice.status === "open" && new Date(invoice.dueAt).getTime() < facts.now;
                return (
                  <tr class={late ? "row-overdue" : undefined}>
                    <td data-label="Invoice">
                      <div class="cell">
                        <a class="mono" href={`/invoices/${invoice.id}`}>
                          INV-{shortId(invoice.id)}
                        </a>
                        <div class="muted small">
                          Order <a href={`/orders/${invoice.orderId}`}>{shortId(invoice.orderId)}</a>
                        </div>
                      </div>
                    </td>
                    <td data-label="Seller">
                      {sellers.get(invoice.sellerOrgId) ?? (
                        <a href={`/orders/${invoice.orderId}`}>See the order</a>
                      )}
                    </td>
                    <td data-label="Issued">
                      <time datetime={invoice.issuedAt} title={fmt.dateTime(invoice.issuedAt)}>
                        {fmt.relative(invoice.issuedAt, facts.now)}
                      </time>
                    </td>
                    <td data-label="Due">{fmt.date(invoice.dueAt)}</td>
                    <td data-label="Status">
                      <div class="cell">
                        <InvoiceStatus invoice={invoice} now={facts.now} />
                        {invoice.paidAt && <div class="muted small">paid {fmt.date(invoice.paidAt)}</div>}
                      </div>
                    </td>
                    <td class="num" data-label="Amount">
                      <strong>{fmt.money(invoice.amountMinor, invoice.currency)}</strong>
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

invoicePages.get("/invoices/:invoiceId", async (c) => {
  const invoiceId = uuidParam("invoiceId").safeParse(c.req.param("invoiceId"));
  if (!invoiceId.success) return c.notFound();
  const result = await buyerRead(c, async (orgId, principal) => {
    const ctx = serviceContext(c);
    const invoices = await listInvoices(ctx, principal, orgId, "buyer");
    const invoice = invoices.find((i) => i.id === invoiceId.data);
    if (!invoice) throw new ApiError("not_found", "Invoice not found.");
    // The order carries its checkout's PO and address: no read of the group.
    return { invoice, order: await getOrder(ctx, principal, orgId, invoice.orderId) };
  });
  if (result instanceof Response) return result;
  const facts = pageFacts(c);
  const fmt = facts.fmt;
  const { invoice, order } = result.data;
  const number = `INV-${shortId(invoice.id)}`;
  return page(
    c,
    result.viewer,
    { title: `Invoice ${number}`, noindex: true, facts },
    <>
      <div class="no-print">
        <Breadcrumbs
          items={[
            ["Invoices", "/invoices"],
            [number, undefined],
          ]}
        />
      </div>
      <article class="panel invoice-doc" aria-labelledby="invoice-title">
        <header class="invoice-head">
          <div>
            <p class="muted small">Invoice</p>
            <h1 id="invoice-title">{number}</h1>
            <InvoiceStatus invoice={invoice} now={facts.now} />
          </div>
          <dl class="kv">
            <dt>Issued</dt>
            <dd>{fmt.date(invoice.issuedAt)}</dd>
            <dt>Due</dt>
            <dd>
              <strong>{fmt.date(invoice.dueAt)}</strong>
            </dd>
            {invoice.paidAt && (
              <>
                <dt>Paid</dt>
                <dd>{fmt.date(invoice.paidAt)}</dd>
              </>
            )}
            <dt>Terms</dt>
            <dd>{PAYMENT_TERMS[order.paymentTerms] ?? order.paymentTerms}</dd>
            <dt>PO number</dt>
            <dd>{order.poNumber ?? "None"}</dd>
            <dt>Order</dt>
            <dd>
              <a class="mono" href={`/orders/${order.id}`}>
                {shortId(order.id)}
              </a>
            </dd>
          </dl>
        </header>
        <div class="invoice-parties">
          <section>
            <h2>From</h2>
            <p>{order.seller.name}</p>
          </section>
          <section>
            <h2>Bill to</h2>
            <p>{order.buyer.name}</p>
          </section>
          <section>
            <h2>Delivered to</h2>
            <AddressLines address={order.shippingAddress} />
          </section>
        </div>
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Invoiced lines</caption>
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
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((line) => (
                <tr>
                  <td data-label="Item">{line.title}</td>
                  <td data-label="SKU" class="mono small">
                    {line.sku}
                  </td>
                  <td class="num" data-label="Quantity">
                    {fmt.number(line.quantity)}
                  </td>
                  <td class="num" data-label="Unit price">
                    {fmt.money(line.unitPriceMinor, order.currency)}
                  </td>
                  <td class="num" data-label="Amount">
                    {fmt.money(line.lineTotalMinor, order.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <td colspan={4} class="hide-sm">
                  Total due ({invoice.currency}, excluding VAT)
                </td>
                <td class="num" data-label={`Total due (${invoice.currency})`}>
                  {fmt.money(invoice.amountMinor, invoice.currency)}
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
        <p class="muted small no-print">
          To keep a copy or send it to accounts payable, print this page (Ctrl+P or ⌘P).
        </p>
      </article>
    </>,
  );
});

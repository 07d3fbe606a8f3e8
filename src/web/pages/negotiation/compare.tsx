/** The buyer's quotes side by side (latest version of each) with each quote's moves. */
import type { RfqWithQuotes } from "../../../contracts/negotiation.ts";
import { PAYMENT_TERMS } from "../../components.tsx";
import type { PageFacts } from "../../context.ts";
import { leadTimeText, NegotiationBadge } from "./shared.tsx";

/** The quotes side by side: one column each, rows for what buyers compare. */
export function QuoteComparison(props: { facts: PageFacts; rfq: RfqWithQuotes }) {
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

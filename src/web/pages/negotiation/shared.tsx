/** What the RFQ and quote pages share: badges, the RFQ's facts and items, a quote's lines and versions. */
import type { Child } from "hono/jsx";
import type { Quote, QuoteWithVersions, Rfq } from "../../../contracts/negotiation.ts";
import { rolesFor } from "../../../services/identity/permissions.ts";
import { humanise, PAYMENT_TERMS } from "../../components.tsx";
import type { Membership, PageFacts } from "../../context.ts";
import { countryName } from "../../format.ts";

/** A problem to show at the top of a page that re-renders after a refused action (409s included). */
export interface Problem {
  message?: string;
  errors?: Record<string, string>;
}

export type ProblemStatus = 400 | 403 | 404 | 409 | 412 | 422 | 429;

const TONE: Record<string, string> = {
  open: "warn",
  quoted: "info",
  awarded: "ok",
  sent: "info",
  countered: "warn",
  accepted: "ok",
  declined: "bad",
  expired: "bad",
  withdrawn: "",
  closed: "",
};

/** An RFQ's or quote's status as a badge. */
export function NegotiationBadge(props: { status: string }) {
  const tone = TONE[props.status];
  return <span class={tone ? `badge badge-${tone}` : "badge"}>{humanise(props.status)}</span>;
}

export function hasRole(org: Membership, capability: "rfqs:write" | "quotes:write" | "orders:purchase") {
  return (rolesFor(capability) as readonly string[]).includes(org.role);
}

/** Whom the RFQ asks: its seller, or the sellers of its category. */
export function addressee(rfq: Rfq): string {
  if (rfq.seller) return rfq.seller.name;
  return rfq.category ? `Sellers of ${rfq.category.name}` : "Sellers of a category";
}

export function leadTimeText(days: number): string {
  return days === 0 ? "From stock" : days === 1 ? "1 day" : `${days} days`;
}

/** The RFQ's terms as a definition list. */
export function RfqFacts(props: { facts: PageFacts; rfq: Rfq }) {
  const { facts, rfq } = props;
  const { fmt } = facts;
  return (
    <dl class="kv rfq-facts">
      <dt>Asked of</dt>
      <dd>{addressee(rfq)}</dd>
      <dt>Buyer</dt>
      <dd>{rfq.buyer.name}</dd>
      <dt>Needed by</dt>
      <dd>{fmt.date(rfq.neededBy)}</dd>
      <dt>Quotes until</dt>
      <dd>
        {fmt.date(rfq.respondBy)} <span class="muted small">({fmt.relative(rfq.respondBy, facts.now)})</span>
      </dd>
      <dt>Deliver to</dt>
      <dd>{countryName(rfq.deliveryCountry)}</dd>
      <dt>Currency</dt>
      <dd>{rfq.currency}</dd>
      <dt>Asked</dt>
      <dd>
        <time datetime={rfq.createdAt} title={fmt.dateTime(rfq.createdAt)}>
          {fmt.relative(rfq.createdAt, facts.now)}
        </time>
      </dd>
    </dl>
  );
}

/** The items asked for, with the buyer's target prices. */
export function RfqItems(props: { facts: PageFacts; rfq: Rfq }) {
  const { fmt } = props.facts;
  const { rfq } = props;
  return (
    <div class="table-wrap">
      <table class="table stack-sm">
        <caption class="visually-hidden">Items asked for</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col" class="num">
              Target unit price
            </th>
          </tr>
        </thead>
        <tbody>
          {rfq.items.map((item) => (
            <tr>
              <td data-label="Item">{item.description}</td>
              <td data-label="Quantity" class="num">
                {fmt.number(item.quantity)}
              </td>
              <td data-label="Target unit price" class="num">
                {item.targetUnitPriceMinor === null ? (
                  <span class="muted">–</span>
                ) : (
                  fmt.money(item.targetUnitPriceMinor, rfq.currency)
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Notes as text with their line breaks (JSX escapes them). */
export function Notes(props: { title: string; text: string | null; hint?: string; private?: boolean }) {
  if (!props.text) return null;
  return (
    <section class={props.private ? "rfq-notes rfq-notes-private" : "rfq-notes"}>
      <h3>
        {props.title}
        {props.hint && <span class="muted small"> · {props.hint}</span>}
      </h3>
      <p class="prewrap">{props.text}</p>
    </section>
  );
}

type Version = Quote["latest"];

/** One version's lines and totals. */
export function QuoteLines(props: { facts: PageFacts; version: Version }) {
  const { fmt } = props.facts;
  const { version } = props;
  return (
    <div class="table-wrap">
      <table class="table stack-sm quote-lines">
        <caption class="visually-hidden">Lines of version {version.version}</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col" class="num">
              Unit price
            </th>
            <th scope="col" class="num">
              Line total
            </th>
          </tr>
        </thead>
        <tbody>
          {version.lines.map((line) => (
            <tr>
              <td data-label="Item">
                {line.title}
                {line.sku && <span class="muted small mono"> {line.sku}</span>}
              </td>
              <td data-label="Quantity" class="num">
                {fmt.number(line.quantity)}
              </td>
              <td data-label="Unit price" class="num">
                {fmt.money(line.unitPriceMinor, version.currency)}
              </td>
              <td data-label="Line total" class="num">
                {fmt.money(line.lineTotalMinor, version.currency)}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colspan={3}>
              Total ({version.currency}, excl. VAT)
            </th>
            <td class="num" data-label={`Total (${version.currency}, excl. VAT)`}>
              <strong>{fmt.money(version.totalMinor, version.currency)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** A version's terms: validity, lead time, payment terms, notes. */
export function VersionTerms(props: { facts: PageFacts; version: Version }) {
  const { fmt } = props.facts;
  const { version } = props;
  return (
    <dl class="kv">
      <dt>Valid until</dt>
      <dd>{fmt.date(version.validUntil)}</dd>
      <dt>Lead time</dt>
      <dd>{leadTimeText(version.leadTimeDays)}</dd>
      <dt>Payment terms</dt>
      <dd>{PAYMENT_TERMS[version.paymentTerms] ?? version.paymentTerms}</dd>
      {version.notes && (
        <>
          <dt>Notes</dt>
          <dd class="prewrap">{version.notes}</dd>
        </>
      )}
    </dl>
  );
}

/** Every version of a quote, oldest first: who sent it, when, and its total. */
export function VersionHistory(props: { facts: PageFacts; quote: QuoteWithVersions; children?: Child }) {
  const { facts, quote } = props;
  const { fmt } = facts;
  return (
    <ol class="version-history">
      {quote.versions.map((version) => (
        <li class={version.version === quote.currentVersion ? "version version-current" : "version"}>
          <p class="version-head">
            <strong>Version {version.version}</strong>
            <span class="muted small">
              {" "}
              ·{" "}
              {version.side === "seller"
                ? `offer from ${quote.seller.name}`
                : `counter from ${quote.buyer.name}`}{" "}
              ·{" "}
              <time datetime={version.createdAt} title={fmt.dateTime(version.createdAt)}>
                {fmt.relative(version.createdAt, facts.now)}
              </time>
            </span>
            <span class="num version-total">{fmt.money(version.totalMinor, version.currency)}</span>
          </p>
          <details open={version.version === quote.currentVersion}>
            <summary>Lines and terms</summary>
            <QuoteLines facts={facts} version={version} />
            <VersionTerms facts={facts} version={version} />
          </details>
        </li>
      ))}
    </ol>
  );
}

/** The alert a refused action leaves on the page it re-renders. */
export function ProblemAlert(props: { problem?: Problem }) {
  if (!props.problem?.message || Object.keys(props.problem.errors ?? {}).length > 0) return null;
  return (
    <div class="alert alert-error" role="alert" tabindex={-1}>
      <strong>{props.problem.message}</strong>
    </div>
  );
}

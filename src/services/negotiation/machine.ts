/**
 * The RFQ and quote lifecycles, as data (like the order machine in services/orders/machine.ts): for each
 * action, the states it may start from, the state it leads to and which side may fire it. Services, the
 * API's action enums and the conformance tests all read these tables.
 */
export type RfqStatus = "open" | "quoted" | "awarded" | "closed" | "expired" | "withdrawn";
export type QuoteStatus = "sent" | "countered" | "accepted" | "declined" | "expired" | "withdrawn" | "closed";
export type Side = "buyer" | "seller" | "system";

export interface RfqTransition {
  from: RfqStatus[];
  to: RfqStatus;
  by: Side[];
  /** Moves the RFQ's live quotes to `closed` with it. */
  endsQuotes?: "closed";
}

export const rfqMachine = {
  /** A seller's first quote on it (fired by sending the quote). */
  quote: { from: ["open", "quoted"], to: "quoted", by: ["seller"] },
  /** The buyer accepted one of its quotes (fired by accepting; the other live quotes close). */
  award: { from: ["quoted"], to: "awarded", by: ["buyer"], endsQuotes: "closed" },
  /** The buyer ends it without an award after quotes came in. */
  close: { from: ["quoted"], to: "closed", by: ["buyer"], endsQuotes: "closed" },
  /** The buyer takes it back before any quote. */
  withdraw: { from: ["open"], to: "withdrawn", by: ["buyer"] },
  /** Its response date passed and no quote is still live (the cron): nothing was awarded. */
  expire: { from: ["open", "quoted"], to: "expired", by: ["system"] },
} as const satisfies Record<string, RfqTransition>;

export type RfqAction = keyof typeof rfqMachine;
export const rfqActions = Object.keys(rfqMachine) as RfqAction[];
/** What the buyer fires through `POST …/rfqs/{rfqId}/transitions`; the rest follow from quotes and time. */
export const userRfqActions = ["close", "withdraw"] as const satisfies readonly RfqAction[];

export interface QuoteTransition {
  from: QuoteStatus[];
  to: QuoteStatus;
  by: Side[];
  /** Adds a new immutable version (with its own lines and prices). */
  newVersion?: boolean;
  /** Places the order at the latest version's prices (checkout's path). */
  placesOrder?: boolean;
}

export const quoteMachine = {
  /** The seller sends a new version (its answer to a counter, or a better offer). */
  revise: { from: ["sent", "countered"], to: "sent", by: ["seller"], newVersion: true },
  /** The buyer answers a seller's version with prices of its own. */
  counter: { from: ["sent"], to: "countered", by: ["buyer"], newVersion: true },
  /** The buyer takes the seller's latest version: the order is placed. */
  accept: { from: ["sent"], to: "accepted", by: ["buyer"], placesOrder: true },
  decline: { from: ["sent", "countered"], to: "declined", by: ["buyer"] },
  withdraw: { from: ["sent", "countered"], to: "withdrawn", by: ["seller"] },
  /** The latest version's validity ran out (the cron; acceptance checks the time itself). */
  expire: { from: ["sent", "countered"], to: "expired", by: ["system"] },
  /** The RFQ was awarded to another quote, or closed or expired. */
  close: { from: ["sent", "countered"], to: "closed", by: ["system"] },
  /**
   * An acceptance whose order waited for the buyer's approver, declined (or its hold ran out): the deal is
   * off and the RFQ, never awarded, stays open to the other quotes.
   */
  approval_declined: { from: ["accepted"], to: "declined", by: ["buyer"] },
  approval_expired: { from: ["accepted"], to: "expired", by: ["system"] },
} as const satisfies Record<string, QuoteTransition>;

export type QuoteAction = keyof typeof quoteMachine;
export const quoteActions = Object.keys(quoteMachine) as QuoteAction[];
/** Actions `side` may fire on a quote in `status`. */
export function allowedQuoteActions(status: string, side: Side): QuoteAction[] {
  return quoteActions.filter((action) => {
    const transition: QuoteTransition = quoteMachine[action];
    return transition.by.includes(side) && transition.from.includes(status as QuoteStatus);
  });
}

/** Actions `side` may fire on an RFQ in `status`. */
export function allowedRfqActions(status: string, side: Side): RfqAction[] {
  return rfqActions.filter((action) => {
    const transition: RfqTransition = rfqMachine[action];
    return transition.by.includes(side) && transition.from.includes(status as RfqStatus);
  });
}

/** Limits a demanding buyer would still find generous, and an attacker small. */
export const NEGOTIATION_LIMITS = {
  items: 50,
  lines: 50,
  /** Versions per quote: a negotiation that needs more is a phone call. */
  versions: 30,
  respondByMaxDays: 90,
  validityMaxDays: 180,
  leadTimeMaxDays: 365,
  text: 4000,
} as const;

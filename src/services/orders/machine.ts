/**
 * The per-seller order state machine, as data: for each action, the states it may start from, the state
 * it leads to, which side may fire it, what it needs, and its effects. Everything else reads this table.
 */
export type OrderStatus =
  | "pending_approval"
  | "placed"
  | "accepted"
  | "rejected"
  | "shipped"
  | "delivered"
  | "completed"
  | "cancelled"
  | "expired"
  | "declined";
export type Side = "buyer" | "seller" | "system";

export interface Transition {
  from: OrderStatus[];
  to: OrderStatus;
  by: Side[];
  /** Body fields the action needs. */
  requires?: ("carrier" | "trackingNumber" | "reason")[];
  /** Puts the reserved stock back. */
  releasesStock?: boolean;
  /** Creates the invoice for net payment terms. */
  invoices?: boolean;
}

export const orderMachine = {
  accept: { from: ["placed"], to: "accepted", by: ["seller"] },
  // A seller may also refuse an order still waiting for the buyer's approval: its stock is not held hostage.
  reject: {
    from: ["placed", "pending_approval"],
    to: "rejected",
    by: ["seller"],
    requires: ["reason"],
    releasesStock: true,
  },
  ship: { from: ["accepted"], to: "shipped", by: ["seller"], requires: ["carrier", "trackingNumber"] },
  deliver: { from: ["shipped"], to: "delivered", by: ["seller", "buyer"], invoices: true },
  complete: { from: ["delivered"], to: "completed", by: ["buyer"] },
  cancel: { from: ["placed", "pending_approval"], to: "cancelled", by: ["buyer"], releasesStock: true },
  expire: { from: ["placed", "pending_approval"], to: "expired", by: ["system"], releasesStock: true },
} as const satisfies Record<string, Transition>;

export type OrderAction = keyof typeof orderMachine;
export const orderActions = Object.keys(orderMachine) as OrderAction[];
/** The actions people fire through the API (`expire` belongs to the cron). */
export const userOrderActions = [
  "accept",
  "reject",
  "ship",
  "deliver",
  "complete",
  "cancel",
] as const satisfies readonly OrderAction[];

/** Actions `side` may fire from `status`. */
export function allowedActions(status: string, side: Side): OrderAction[] {
  return orderActions.filter((action) => {
    const transition: Transition = orderMachine[action];
    return transition.by.includes(side) && transition.from.includes(status as OrderStatus);
  });
}

/** Net terms: days from delivery to the invoice's due date. */
export const termDays = { prepaid: 0, net30: 30, net60: 60 } as const;

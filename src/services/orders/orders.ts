/** The order services, by concern: reads, transitions (and expiry), approvals, invoices. */
export { decideGroup } from "./approvals.ts";
export { listInvoices, markInvoicePaid } from "./invoices.ts";
export { getGroup, getOrder, listOrders } from "./reads.ts";
export { expireStaleOrders, transitionOrder } from "./transitions.ts";

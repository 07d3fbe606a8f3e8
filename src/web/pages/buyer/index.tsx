import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";
import { approvalPages } from "./approvals.tsx";
import { cartPages } from "./cart.tsx";
import { checkoutPages } from "./checkout.tsx";
import { invoicePages } from "./invoices.tsx";
import { orderPages } from "./orders.tsx";

/**
 * The buyer area of the web app: cart, checkout, orders, approvals and invoices, always for the visitor's
 * active buying organisation.
 */
export const buyerPages = new Hono<AppEnv>()
  .route("/", cartPages)
  .route("/", checkoutPages)
  .route("/", orderPages)
  .route("/", approvalPages)
  .route("/", invoicePages);

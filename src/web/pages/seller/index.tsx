/**
 * The seller area of the web app (/seller): listings (create, edit, images, submit for review), incoming
 * orders and invoices, for the visitor's active seller organisation.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";
import { invoicePages } from "./invoices.tsx";
import { listingEditor } from "./listing-edit.tsx";
import { listingsTable } from "./listings.tsx";
import { orderPages } from "./orders.tsx";

export const sellerPages = new Hono<AppEnv>();

sellerPages.get("/seller", (c) => c.redirect("/seller/listings", 302));
sellerPages
  .route("/", listingsTable)
  .route("/", listingEditor)
  .route("/", orderPages)
  .route("/", invoicePages);

/**
 * Requests for quotes and quotes in the web app: the buyer's (/rfqs, /rfqs/new, /rfqs/:id, /quotes/:id)
 * and the seller console's (/seller/rfqs, /seller/rfqs/:id), calling the negotiation services directly.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";
import { quotePages } from "./quotes.tsx";
import { rfqNewPages } from "./rfq-new.tsx";
import { rfqPages } from "./rfqs.tsx";
import { sellerRfqPages } from "./seller.tsx";

// /rfqs/new before /rfqs/:rfqId.
export const negotiationPages = new Hono<AppEnv>()
  .route("/", rfqNewPages)
  .route("/", rfqPages)
  .route("/", quotePages)
  .route("/", sellerRfqPages);

import { Hono } from "hono";
import type { AppEnv } from "../../../types.ts";
import { accountPages } from "./account.tsx";
import { apiKeyPages } from "./api-keys.tsx";
import { invitationPages } from "./invitations.tsx";
import { limitPages } from "./limits.tsx";
import { memberPages } from "./members.tsx";
import { overviewPages } from "./overview.tsx";
import { webhookDeliveryPages } from "./webhook-delivery.tsx";
import { webhookEndpointPages } from "./webhook-endpoint.tsx";
import { webhookListPages } from "./webhooks.tsx";

/**
 * The org area of the web app: the organisation the visitor acts for (overview, members, invitations, API
 * keys, webhooks, spending limits), accepting an invitation, and the visitor's own account.
 */
export const orgPages = new Hono<AppEnv>()
  .route("/", overviewPages)
  .route("/", memberPages)
  .route("/", invitationPages)
  .route("/", apiKeyPages)
  .route("/", webhookListPages)
  .route("/", webhookEndpointPages)
  .route("/", webhookDeliveryPages)
  .route("/", limitPages)
  .route("/", accountPages);

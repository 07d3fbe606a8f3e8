/**
 * Who may do what, in one table: each capability lists the member roles that hold it and the API-key
 * scope that grants it (null: API keys may not). Every organisation-scoped route declares the capability
 * it needs (`x-capability` in the OpenAPI document); its service checks exactly that capability inside the
 * route's one query or batch (no extra round trip). The role matrix test (test/permissions.test.ts) is
 * generated from this table × the routes in the OpenAPI document.
 */
import type { ApiKeyScope, MemberRole } from "./principal.ts";

const everyone = ["owner", "admin", "buyer", "seller", "viewer", "approver"] as const;
const admins = ["owner", "admin"] as const;

export const capabilities = {
  /** See the organisation. */
  "org:read": { roles: everyone, scope: "org:read" },
  /** Edit the organisation's name and details. */
  "org:manage": { roles: admins, scope: "org:write" },
  /** See the members. */
  "members:read": { roles: everyone, scope: "members:read" },
  /** Change roles and remove members (only owners touch the owner role; see orgs.ts). */
  "members:manage": { roles: admins, scope: null },
  /** Leave the organisation (remove oneself; the last owner cannot). */
  "members:leave": { roles: everyone, scope: null },
  /** Invite members and see or revoke invitations. */
  "invitations:manage": { roles: admins, scope: null },
  /** Create, list and revoke API keys. */
  "api-keys:manage": { roles: admins, scope: null },
  /** Manage webhook endpoints, their secrets and deliveries. */
  "webhooks:manage": { roles: admins, scope: null },
  /** See the organisation's own listings, drafts included. */
  "listings:read": { roles: ["owner", "admin", "seller", "viewer"], scope: "listings:read" },
  /** Create, edit, submit and archive listings; upload their files. */
  "listings:write": { roles: ["owner", "admin", "seller"], scope: "listings:write" },
  /** Get a presigned link to one of the organisation's documents. */
  "files:read": { roles: everyone, scope: "listings:read" },
  /** See the cart (approvers see what they will be asked to approve). */
  "cart:read": { roles: ["owner", "admin", "buyer", "approver"], scope: "orders:read" },
  /** Fill the cart and check out. */
  "orders:purchase": { roles: ["owner", "admin", "buyer"], scope: "orders:write" },
  /** See orders, order groups and invoices. */
  "orders:read": { roles: everyone, scope: "orders:read" },
  /** Act on orders received and mark invoices paid (the seller side of an order). */
  "orders:sell": { roles: ["owner", "admin", "seller"], scope: "orders:write" },
  /** Approve or decline checkouts held above a spending limit (four eyes: never one's own). */
  "orders:approve": { roles: ["owner", "admin", "approver"], scope: null },
  /** See a member's spending limits (every member also sees their own). */
  "limits:read": { roles: admins, scope: null },
  /** Set a member's spending limits (never one's own). */
  "limits:manage": { roles: admins, scope: null },
  /** See requests for quotes and quotes, on either side (the buyer's internal notes only on its own). */
  "rfqs:read": { roles: everyone, scope: "orders:read" },
  /** Ask for quotes (create, withdraw, close RFQs) and negotiate them (counter, decline). Accepting is `orders:purchase`. */
  "rfqs:write": { roles: ["owner", "admin", "buyer"], scope: "orders:write" },
  /** Upload documents for negotiations (RFQ attachments), on either side. */
  "negotiation:files": { roles: ["owner", "admin", "buyer", "seller"], scope: "orders:write" },
  /** Answer RFQs with quotes: send, revise, withdraw (the seller side). */
  "quotes:write": { roles: ["owner", "admin", "seller"], scope: "orders:write" },
  /** Read the organisation's conversation threads and their messages. */
  "messages:read": { roles: everyone, scope: "orders:read" },
  /** Start threads and post messages (buyers and sellers talk; viewers and approvers read). */
  "messages:write": { roles: ["owner", "admin", "buyer", "seller"], scope: "orders:write" },
  /** Review a seller after a completed order, and edit the review within its window. */
  "reviews:write": { roles: ["owner", "admin", "buyer"], scope: "orders:write" },
  /** Reply, once, to a review of the organisation as a seller. */
  "reviews:reply": { roles: ["owner", "admin", "seller"], scope: "orders:write" },
  /** See and set the limits on API-key checkouts. */
  "api-key-limits:manage": { roles: ["owner"], scope: null },
} as const satisfies Record<string, { roles: readonly MemberRole[]; scope: ApiKeyScope | null }>;

export type Capability = keyof typeof capabilities;

/** The roles that hold a capability. */
export function rolesFor(capability: Capability): readonly MemberRole[] {
  return capabilities[capability].roles;
}

/** The API-key scope that grants a capability, or undefined when keys may not. */
export function scopeFor(capability: Capability): ApiKeyScope | undefined {
  return capabilities[capability].scope ?? undefined;
}

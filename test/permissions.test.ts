/**
 * The role matrix, generated: every organisation-scoped route of the OpenAPI document × every member
 * role, an outsider and an API key with every scope, judged against the one permission table
 * (src/services/identity/permissions.ts) through the capability the route declares (`x-capability`).
 * A role without the capability gets 403; with it, anything but 401/403; an outsider 404; an API key 403
 * exactly when the capability grants no scope. A new org-scoped route without a capability, or without a
 * request below, fails here.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type Capability, capabilities } from "../src/services/identity/permissions.ts";
import { apiKeyScopes, type MemberRole, memberRoles } from "../src/services/identity/principal.ts";
import { reviewedMatrix } from "./permissions.matrix.ts";
import { validListing } from "./support/catalog.ts";
import { addMember, api, createOrg, json, signUp, type TestUser, uniqueEmail } from "./support/identity.ts";
import { quoteBody, rfqBody } from "./support/negotiation.ts";
import {
  checkout,
  checkoutBody,
  type GroupBody,
  newBuyer,
  newSeller,
  product,
  putLine,
  setMemberLimits,
} from "./support/orders.ts";

interface Operation {
  operationId: string;
  "x-capability"?: Capability;
}
interface Request {
  path: string;
  method: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const random = () => crypto.randomUUID();
let orgId: string;
let members: Record<MemberRole, TestUser>;
let outsider: TestUser;
let apiKey: string;
let orderId: string;
let groupId: string;
let supplierId: string;
const quote = quoteBody([{ title: "Bracket", quantity: 10, unitPriceMinor: 100 }]);

/** A valid request for each org-scoped operation (so the answer is about access, not input). */
const requests: Record<string, () => Request> = {
  getOrg: () => ({ method: "GET", path: `/v1/orgs/${orgId}` }),
  updateOrg: () => ({ method: "PATCH", path: `/v1/orgs/${orgId}`, body: { name: "Matrix Co" } }),
  listMembers: () => ({ method: "GET", path: `/v1/orgs/${orgId}/members` }),
  updateMember: () => ({
    method: "PATCH",
    path: `/v1/orgs/${orgId}/members/${random()}`,
    body: { role: "viewer" },
  }),
  removeMember: () => ({ method: "DELETE", path: `/v1/orgs/${orgId}/members/${random()}` }),
  createInvitation: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/invitations`,
    body: { email: uniqueEmail("invitee"), role: "viewer" },
  }),
  listInvitations: () => ({ method: "GET", path: `/v1/orgs/${orgId}/invitations` }),
  revokeInvitation: () => ({ method: "DELETE", path: `/v1/orgs/${orgId}/invitations/${random()}` }),
  createApiKey: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/api-keys`,
    body: { name: "matrix", scopes: ["org:read"] },
  }),
  listApiKeys: () => ({ method: "GET", path: `/v1/orgs/${orgId}/api-keys` }),
  revokeApiKey: () => ({ method: "DELETE", path: `/v1/orgs/${orgId}/api-keys/${random()}` }),
  createWebhook: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/webhooks`,
    body: { url: "https://hooks.example.com/matrix", eventTypes: ["order.placed"] },
  }),
  listWebhooks: () => ({ method: "GET", path: `/v1/orgs/${orgId}/webhooks` }),
  getWebhook: () => ({ method: "GET", path: `/v1/orgs/${orgId}/webhooks/${random()}` }),
  updateWebhook: () => ({
    method: "PATCH",
    path: `/v1/orgs/${orgId}/webhooks/${random()}`,
    body: { description: "matrix" },
  }),
  deleteWebhook: () => ({ method: "DELETE", path: `/v1/orgs/${orgId}/webhooks/${random()}` }),
  rotateWebhookSecret: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/webhooks/${random()}/secret-rotations`,
    body: {},
  }),
  listWebhookDeliveries: () => ({ method: "GET", path: `/v1/orgs/${orgId}/webhooks/${random()}/deliveries` }),
  getWebhookDelivery: () => ({
    method: "GET",
    path: `/v1/orgs/${orgId}/webhooks/${random()}/deliveries/${random()}`,
  }),
  pingWebhook: () => ({ method: "POST", path: `/v1/orgs/${orgId}/webhooks/${random()}/pings` }),
  redeliverWebhook: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/webhooks/${random()}/deliveries/${random()}/redeliveries`,
  }),
  createListing: () => ({ method: "POST", path: `/v1/orgs/${orgId}/listings`, body: validListing() }),
  listListings: () => ({ method: "GET", path: `/v1/orgs/${orgId}/listings` }),
  getOwnListing: () => ({ method: "GET", path: `/v1/orgs/${orgId}/listings/${random()}` }),
  updateListing: () => ({
    method: "PATCH",
    path: `/v1/orgs/${orgId}/listings/${random()}`,
    headers: { "if-match": '"1"' },
    body: { title: "Renamed part" },
  }),
  submitListing: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/listings/${random()}/submit`,
    headers: { "if-match": '"1"' },
  }),
  archiveListing: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/listings/${random()}/archive`,
    headers: { "if-match": '"1"' },
  }),
  createUpload: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/uploads`,
    body: { purpose: "image", contentType: "image/png", contentLength: 2048, filename: "a.png" },
  }),
  completeUpload: () => ({ method: "POST", path: `/v1/orgs/${orgId}/uploads/${random()}/complete` }),
  documentUrl: () => ({ method: "GET", path: `/v1/orgs/${orgId}/files/${random()}/url` }),
  getCart: () => ({ method: "GET", path: `/v1/orgs/${orgId}/cart` }),
  setCartLine: () => ({
    method: "PUT",
    path: `/v1/orgs/${orgId}/cart/lines/${random()}`,
    body: { quantity: 10 },
  }),
  removeCartLine: () => ({ method: "DELETE", path: `/v1/orgs/${orgId}/cart/lines/${random()}` }),
  checkout: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/checkout`,
    headers: { "idempotency-key": random(), "if-match": '"stale"' },
    body: checkoutBody,
  }),
  listOrders: () => ({ method: "GET", path: `/v1/orgs/${orgId}/orders` }),
  getOrder: () => ({ method: "GET", path: `/v1/orgs/${orgId}/orders/${random()}` }),
  transitionOrder: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/orders/${orderId}/transitions`,
    body: { action: "accept" },
  }),
  getGroup: () => ({ method: "GET", path: `/v1/orgs/${orgId}/order-groups/${random()}` }),
  decideGroup: () => ({ method: "POST", path: `/v1/orgs/${orgId}/order-groups/${groupId}/decline` }),
  getMemberSpendingLimits: () => ({
    method: "GET",
    path: `/v1/orgs/${orgId}/members/${random()}/spending-limits`,
  }),
  setMemberSpendingLimits: () => ({
    method: "PUT",
    path: `/v1/orgs/${orgId}/members/${random()}/spending-limits`,
    body: { limits: [] },
  }),
  getApiKeySpendingLimits: () => ({ method: "GET", path: `/v1/orgs/${orgId}/spending-limits/api-keys` }),
  setApiKeySpendingLimits: () => ({
    method: "PUT",
    path: `/v1/orgs/${orgId}/spending-limits/api-keys`,
    body: { limits: [] },
  }),
  listInvoices: () => ({ method: "GET", path: `/v1/orgs/${orgId}/invoices` }),
  markInvoicePaid: () => ({ method: "POST", path: `/v1/orgs/${orgId}/invoices/${random()}/mark-paid` }),
  createRfq: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/rfqs`,
    body: rfqBody({ sellerOrgId: supplierId }),
  }),
  listRfqs: () => ({ method: "GET", path: `/v1/orgs/${orgId}/rfqs` }),
  getRfq: () => ({ method: "GET", path: `/v1/orgs/${orgId}/rfqs/${random()}` }),
  transitionRfq: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/rfqs/${random()}/transitions`,
    body: { action: "withdraw" },
  }),
  createQuote: () => ({ method: "POST", path: `/v1/orgs/${orgId}/rfqs/${random()}/quotes`, body: quote }),
  listQuotes: () => ({ method: "GET", path: `/v1/orgs/${orgId}/quotes` }),
  getQuote: () => ({ method: "GET", path: `/v1/orgs/${orgId}/quotes/${random()}` }),
  reviseQuote: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/quotes/${random()}/revisions`,
    body: { ...quote, basedOnVersion: 1 },
  }),
  counterQuote: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/quotes/${random()}/counters`,
    body: { ...quote, basedOnVersion: 1 },
  }),
  declineQuote: () => ({ method: "POST", path: `/v1/orgs/${orgId}/quotes/${random()}/decline` }),
  withdrawQuote: () => ({ method: "POST", path: `/v1/orgs/${orgId}/quotes/${random()}/withdraw` }),
  acceptQuote: () => {
    const { paymentTerms: _terms, ...address } = checkoutBody;
    return {
      method: "POST",
      path: `/v1/orgs/${orgId}/quotes/${random()}/accept`,
      headers: { "idempotency-key": random() },
      body: { ...address, version: 1 },
    };
  },
  createNegotiationUpload: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/negotiation-files`,
    body: {
      purpose: "rfq-attachment",
      contentType: "application/pdf",
      contentLength: 2048,
      filename: "a.pdf",
    },
  }),
  completeNegotiationUpload: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/negotiation-files/${random()}/complete`,
  }),
  rfqAttachmentUrl: () => ({
    method: "GET",
    path: `/v1/orgs/${orgId}/rfqs/${random()}/attachments/${random()}/url`,
  }),
  putReview: () => ({
    method: "PUT",
    path: `/v1/orgs/${orgId}/orders/${random()}/review`,
    body: { rating: 4, body: "Arrived on time, well packed." },
  }),
  getReview: () => ({ method: "GET", path: `/v1/orgs/${orgId}/orders/${random()}/review` }),
  replyToReview: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/reviews/${random()}/reply`,
    body: { body: "Thank you for your order." },
  }),
  startThread: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/threads`,
    body: { subjectType: "order", subjectId: orderId, body: "About this order" },
  }),
  listThreads: () => ({ method: "GET", path: `/v1/orgs/${orgId}/threads` }),
  listMessages: () => ({ method: "GET", path: `/v1/orgs/${orgId}/threads/${random()}/messages` }),
  postMessage: () => ({
    method: "POST",
    path: `/v1/orgs/${orgId}/threads/${random()}/messages`,
    body: { body: "Hello" },
  }),
  markThreadRead: () => ({ method: "POST", path: `/v1/orgs/${orgId}/threads/${random()}/read` }),
  messageAttachmentUrl: () => ({
    method: "GET",
    path: `/v1/orgs/${orgId}/threads/${random()}/attachments/${random()}/url`,
  }),
};

async function orgOperations() {
  const doc = (await (await exports.default.fetch("http://api.test/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith("/v1/orgs/{orgId}"))
    .flatMap(([, methods]) => Object.values(methods));
}

function send(request: Request, token: string) {
  return api(request.path, {
    method: request.method,
    token,
    body: request.body,
    headers: request.headers,
  });
}

beforeAll(async () => {
  const owner = await signUp();
  orgId = (await createOrg(owner, "both", "Matrix Co")).id;
  const others = memberRoles.filter((role) => role !== "owner");
  const added = await Promise.all(others.map((role) => addMember(owner, orgId, role)));
  members = { owner, ...Object.fromEntries(others.map((role, i) => [role, added[i]])) } as Record<
    MemberRole,
    TestUser
  >;
  outsider = await signUp();
  const key = await api(`/v1/orgs/${orgId}/api-keys`, {
    token: owner.token,
    body: { name: "every scope", scopes: [...apiKeyScopes] },
  });
  apiKey = (await json<{ key: string }>(key)).key;

  // An order this organisation received (for transitions, a seller-side action) …
  const { variantId: ownVariant } = await product({ owner, orgId });
  const customer = await newBuyer();
  await putLine(customer, ownVariant, 20);
  const placed = await checkout(customer);
  orderId = (await json<GroupBody>(placed)).orders[0]?.id ?? "";
  // … and a checkout of its own held for approval (for decisions).
  const supplier = await newSeller();
  supplierId = supplier.orgId;
  const { variantId } = await product(supplier);
  const purchaser = members.buyer;
  await setMemberLimits({ owner, orgId }, purchaser.id, [{ currency: "EUR", perOrderMinor: 1 }]);
  await putLine({ owner, orgId }, variantId, 20, purchaser.token);
  const held = await checkout({ owner, orgId }, checkoutBody, random(), purchaser.token);
  groupId = (await json<GroupBody>(held)).id;
  expect([orderId, groupId].every(Boolean)).toBe(true);
}, 120_000);

describe("the role matrix (OpenAPI routes × the permission table)", () => {
  it("every org-scoped route declares a capability from the table and has a request here", async () => {
    const operations = await orgOperations();
    expect(operations.length).toBeGreaterThanOrEqual(35);
    for (const operation of operations) {
      expect(Object.keys(capabilities), operation.operationId).toContain(operation["x-capability"]);
      expect(Object.keys(requests), operation.operationId).toContain(operation.operationId);
    }
  });

  it("matches the reviewed matrix: a change to who may do what is deliberate (update test/permissions.matrix.ts)", async () => {
    const lines = (await orgOperations())
      .map((operation) => {
        const spec = capabilities[operation["x-capability"] as Capability];
        const roles = memberRoles.map((role) =>
          (spec.roles as readonly string[]).includes(role) ? role : "-",
        );
        return `${operation.operationId.padEnd(24)} ${roles.join(" ").padEnd(42)} key:${spec.scope ?? "-"}`;
      })
      .sort();
    expect(`${lines.join("\n")}\n`).toBe(reviewedMatrix);
  });

  for (const role of [...memberRoles, "outsider", "api key"] as const) {
    it(`answers ${role} exactly as the table says`, async () => {
      const wrong: string[] = [];
      for (const operation of await orgOperations()) {
        const capability = operation["x-capability"] as Capability;
        const make = requests[operation.operationId];
        if (!make) throw new Error(`no request for ${operation.operationId}`);
        const token =
          role === "outsider" ? outsider.token : role === "api key" ? apiKey : members[role].token;
        const res = await send(make(), token);
        await res.body?.cancel();
        const spec = capabilities[capability];
        const allowed =
          role === "api key"
            ? spec.scope !== null
            : role !== "outsider" && (spec.roles as readonly string[]).includes(role);
        const ok =
          role === "outsider"
            ? res.status === 404
            : allowed
              ? ![401, 403].includes(res.status)
              : res.status === 403;
        if (!ok)
          wrong.push(
            `${operation.operationId} (${capability}): ${res.status}, expected ${allowed ? "access" : role === "outsider" ? 404 : 403}`,
          );
      }
      expect(wrong).toEqual([]);
    }, 120_000);
  }
});

/**
 * What every page handler needs: who is visiting (the same `__Host-session` cookie as the API, resolved
 * from KV), which of their organisations they act for, and the visitor's formats. Nothing here is kept
 * between requests.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { ApiError } from "../lib/problem.ts";
import { isTrustedOrigin, resolvePrincipal } from "../middleware/auth.ts";
import { clearSessionCookie, serviceContext } from "../routes/context.ts";
import { getMe, type Me } from "../services/identity/me.ts";
import type { Principal } from "../services/identity/principal.ts";
import type { AppEnv } from "../types.ts";
import { Format, negotiateLocale } from "./format.ts";

export type UserPrincipal = Extract<Principal, { kind: "user" }>;
export type Membership = Me["memberships"][number];
export type WebContext = Context<AppEnv>;

/** The organisation the visitor acts for (a preference, not a credential: services check membership). */
export const ORG_COOKIE = "org";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether text is a UUID in any letter case (ids in paths and forms; services get them lower-cased). */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** Who is visiting; a bad or expired session cookie makes an anonymous visitor (the cookie is cleared). */
export async function visitor(c: WebContext): Promise<UserPrincipal | undefined> {
  try {
    const principal = await resolvePrincipal(c);
    return principal?.kind === "user" ? principal : undefined;
  } catch (error) {
    if (error instanceof ApiError && error.code === "unauthorized") {
      c.set("principal", null);
      clearSessionCookie(c);
      return undefined;
    }
    throw error;
  }
}

/** Whether the request carries a session cookie at all (anonymous pages may then be served from cache). */
export function hasSessionCookie(c: WebContext): boolean {
  return getCookie(c, "__Host-session") !== undefined;
}

/** Forms that sign in or sign up: refuse cross-site posts (no page elsewhere may sign a visitor in). */
export function assertSameSiteForm(c: WebContext) {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  if ((origin && !isTrustedOrigin(c, origin)) || site === "cross-site") {
    throw new ApiError("forbidden", "This form was sent from another site.");
  }
}

/** The signed-in user of a private page, or a redirect to sign-in that comes back here. */
export class SignInRequired extends Error {
  readonly next: string;
  constructor(next: string) {
    super("sign in required");
    this.next = next;
  }
}

export async function requireVisitor(c: WebContext): Promise<UserPrincipal> {
  const principal = await visitor(c);
  if (!principal) throw new SignInRequired(c.req.method === "GET" ? pathWithQuery(c) : "/");
  return principal;
}

export function pathWithQuery(c: WebContext): string {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

/** A same-site path to go back to after signing in; anything else (//evil, https://…) becomes "/". */
export function safeNext(next: string | undefined): string {
  // Printable ASCII only: browsers drop tabs and newlines while parsing, so "/\t/evil" would become
  // "//evil" (another site), and CR/LF cannot go into a Location header at all.
  if (!next || next.length > 500 || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return "/";
  return next;
}

/** The org cookie's value when it looks like an id. */
export function preferredOrgId(c: WebContext): string | undefined {
  const value = getCookie(c, ORG_COOKIE, "host");
  return value && isUuid(value) ? value.toLowerCase() : undefined;
}

export function setPreferredOrg(c: WebContext, orgId: string) {
  setCookie(c, ORG_COOKIE, orgId, {
    prefix: "host",
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Lax",
    maxAge: 60 * 60 * 24 * 365,
  });
}

export function forgetPreferredOrg(c: WebContext) {
  deleteCookie(c, ORG_COOKIE, { prefix: "host", path: "/", secure: true });
}

export type OrgSide = "buyer" | "seller";

/** Whether an organisation of this kind acts on that side of the marketplace. */
export function actsAs(membership: Membership, side: OrgSide): boolean {
  return membership.orgKind === side || membership.orgKind === "both";
}

/**
 * The organisation the visitor acts for: the preferred one if they belong to it (and it acts on `side`,
 * when given), else their first organisation that does.
 */
export function activeOrg(me: Me, preferred: string | undefined, side?: OrgSide): Membership | undefined {
  const fits = (m: Membership) => (side ? actsAs(m, side) : true);
  return (
    me.memberships.find((m) => m.orgId === preferred && fits(m)) ??
    me.memberships.find((m) => fits(m)) ??
    undefined
  );
}

/** What the layout shows of a signed-in visitor. */
export interface Viewer {
  me: Me;
  org: Membership | undefined;
}

/** The signed-in visitor's account and memberships: one round trip (run it beside the page's own read). */
export async function loadViewer(c: WebContext, principal: UserPrincipal, side?: OrgSide): Promise<Viewer> {
  const me = await getMe(serviceContext(c), principal);
  return { me, org: activeOrg(me, preferredOrgId(c), side) };
}

/** Per-request page facts: formats, the path, and a notice to show after a redirect. */
export interface PageFacts {
  fmt: Format;
  path: string;
  now: number;
  notice: string | undefined;
}

/** Notices a redirect may ask for (`?notice=…`); only these fixed texts are ever shown. */
export const NOTICES = {
  "signed-in": "Welcome back.",
  "email-verified": "Your email address is verified. Welcome!",
  "email-already-verified": "Your email address is already verified.",
  "verification-sent": "We have emailed you a new link to verify your address. It works for 24 hours.",
  "verification-throttled":
    "We have already sent several links in the last hour: use the newest one in your inbox (or spam folder), or try again later.",
  "signed-out": "You have signed out.",
  "cart-updated": "Cart updated.",
  "cart-line-removed": "Line removed from your cart.",
  "order-placed": "Order placed. The sellers have been notified.",
  "order-pending-approval": "Order submitted for approval: it is held until an approver decides.",
  "order-updated": "Order updated.",
  approved: "Approved: the orders have been placed.",
  rejected: "Rejected: the held stock has been released.",
  declined: "Declined: nothing was ordered and the held stock has been released.",
  "invoice-paid": "Invoice marked as paid.",
  "listing-created": "Listing created as a draft.",
  "listing-saved": "Listing saved.",
  "listing-submitted": "Listing submitted for review.",
  "listing-archived": "Listing archived.",
  "image-added": "Image added.",
  "image-removed": "Image removed from the listing.",
  "images-reordered": "Images reordered.",
  "org-created": "Organisation created.",
  "org-switched": "Switched organisation.",
  "org-saved": "Organisation details saved.",
  "member-updated": "Member updated.",
  "member-removed": "Member removed.",
  "member-left": "You have left the organisation.",
  "invitation-sent": "Invitation sent.",
  "invitation-revoked": "Invitation revoked.",
  "invitation-accepted": "You have joined the organisation.",
  "key-revoked": "API key revoked.",
  "webhook-saved": "Webhook endpoint saved.",
  "webhook-enabled": "Webhook endpoint enabled: new events are delivered to it again.",
  "webhook-disabled": "Webhook endpoint disabled: no events are sent to it until it is enabled.",
  "webhook-deleted": "Webhook endpoint deleted with its delivery log.",
  "webhook-ping-queued": "Test event queued: it arrives within seconds and shows in the log below.",
  "webhook-redelivery-queued": "Redelivery queued: the event is sent again within seconds.",
  "limits-saved": "Spending limits saved.",
  "password-changed": "Password changed. Other sessions have been signed out.",
  "password-reset":
    "Your password has been changed and every session signed out. Sign in with the new password.",
  "session-revoked": "Session revoked.",
  "sessions-revoked": "All other sessions revoked.",
  "listing-approved": "Listing approved and published.",
  "listing-rejected": "Listing rejected; the seller sees your reason.",
  "category-created": "Category created.",
  "review-posted": "Thank you: your review is posted on the seller's page.",
  "review-saved": "Your review is saved.",
  "review-replied": "Your reply is posted under the review.",
  "message-sent": "Message sent.",
  "rfq-created": "Request for quotes sent: sellers can quote until its response date.",
  "rfq-withdrawn": "Request for quotes withdrawn.",
  "rfq-closed": "Request for quotes closed: its open quotes were closed with it.",
  "quote-sent": "Quote sent to the buyer.",
  "quote-revised": "Revision sent to the buyer.",
  "quote-withdrawn": "Quote withdrawn.",
  "quote-countered": "Counter-offer sent to the seller.",
  "quote-declined": "Quote declined.",
  "quote-accepted": "Quote accepted: the order is placed at the quoted prices.",
} as const;
export type Notice = keyof typeof NOTICES;

export function pageFacts(c: WebContext): PageFacts {
  const url = new URL(c.req.url);
  const notice = url.searchParams.get("notice");
  return {
    fmt: new Format(negotiateLocale(c.req.header("accept-language"))),
    path: url.pathname,
    now: c.var.now(),
    notice: notice && notice in NOTICES ? NOTICES[notice as Notice] : undefined,
  };
}

/** POST → redirect → GET, with a fixed notice for the next page. */
export function redirectWith(c: WebContext, path: string, notice?: Notice): Response {
  const target = notice ? `${path}${path.includes("?") ? "&" : "?"}notice=${notice}` : path;
  return c.redirect(target, 303);
}

/** What every buyer page shares: the buying organisation, the area's tabs, and a few small views. */
import type { OrderGroup } from "../../../contracts/orders.ts";
import { ApiError } from "../../../lib/problem.ts";
import { rolesFor } from "../../../services/identity/permissions.ts";
import { EmptyState, PageHead, shortId, Tabs } from "../../components.tsx";
import {
  loadViewer,
  type Membership,
  preferredOrgId,
  requireVisitor,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { page } from "../../render.tsx";

export interface BuyerContext {
  principal: UserPrincipal;
  viewer: Viewer;
  org: Membership;
}

export interface BuyerRead<T> extends BuyerContext {
  data: T;
}

/**
 * The visitor's buying organisation and the page's own read of it. When the org cookie names one, the
 * read runs beside loadViewer (one round trip of latency); if the cookie turns out not to name a buying
 * organisation of theirs, the read is repeated for the one they act for. Answers a page explaining how to
 * create a buyer organisation when they have none.
 */
export async function buyerRead<T>(
  c: WebContext,
  read: (orgId: string, principal: UserPrincipal) => Promise<T>,
): Promise<BuyerRead<T> | Response> {
  const principal = await requireVisitor(c);
  const preferred = preferredOrgId(c);
  if (preferred) {
    const [viewer, guess] = await Promise.all([
      loadViewer(c, principal, "buyer"),
      read(preferred, principal)
        .then((data) => ({ data }))
        .catch((error: unknown) => ({ error })),
    ]);
    if (!viewer.org) return noBuyerOrg(c, viewer);
    if (viewer.org.orgId === preferred) {
      if ("error" in guess) throw guess.error;
      return { principal, viewer, org: viewer.org, data: guess.data };
    }
    return { principal, viewer, org: viewer.org, data: await read(viewer.org.orgId, principal) };
  }
  const viewer = await loadViewer(c, principal, "buyer");
  if (!viewer.org) return noBuyerOrg(c, viewer);
  return { principal, viewer, org: viewer.org, data: await read(viewer.org.orgId, principal) };
}

/** The buying organisation for a form post (no read to overlap with). */
export async function buyerForPost(c: WebContext): Promise<BuyerContext | Response> {
  const principal = await requireVisitor(c);
  const viewer = await loadViewer(c, principal, "buyer");
  if (!viewer.org) return noBuyerOrg(c, viewer);
  return { principal, viewer, org: viewer.org };
}

function noBuyerOrg(c: WebContext, viewer: Viewer) {
  return page(
    c,
    viewer,
    { title: "Set up buying", noindex: true },
    <div class="panel auth-card">
      <h1>Set up a buyer organisation</h1>
      <p>
        Carts, orders, approvals and invoices belong to an organisation, so your colleagues can see them and
        spending limits apply.{" "}
        {viewer.me.memberships.length > 0 ? "None of your organisations buys yet." : ""}
      </p>
      <ol class="steps">
        <li>Create an organisation that buys (or buys and sells).</li>
        <li>Invite colleagues and give approvers their role.</li>
        <li>Add products to the cart from the catalogue and check out with your PO number.</li>
      </ol>
      <div class="actions">
        <a class="btn btn-primary" href="/org/new">
          Create a buyer organisation
        </a>
        <a class="btn" href="/search">
          Browse the catalogue
        </a>
      </div>
      <p class="muted small">
        Were you invited? Open the link in the invitation email to join your company's organisation.
      </p>
    </div>,
  );
}

/** Whether a member's role may approve or decline held checkouts (the same table the service checks). */
export function canApprove(org: Membership): boolean {
  return (rolesFor("orders:approve") as readonly string[]).includes(org.role);
}

/** Whether a member's role may buy (edit the cart, check out, act on orders). */
export function canPurchase(org: Membership): boolean {
  return (rolesFor("orders:purchase") as readonly string[]).includes(org.role);
}

const TABS = [
  ["/orders", "Orders"],
  ["/approvals", "Approvals"],
  ["/invoices", "Invoices"],
] as const;

/** The heading and tabs of the orders area. */
export function BuyingHead(props: { path: string; title: string; org: Membership; actions?: unknown }) {
  return (
    <>
      <PageHead
        title={props.title}
        subtitle={`Purchasing for ${props.org.orgName}`}
        actions={
          <a class="btn" href="/cart">
            View cart
          </a>
        }
      />
      <Tabs path={props.path} items={TABS} label="Purchasing" />
    </>
  );
}

/** An ApiError that a page turns into a 404, whatever the service said (another org's object). */
export function notFound(what: string): never {
  throw new ApiError("not_found", `${what} not found.`);
}

export function NothingYet(props: { title: string; children?: unknown }) {
  return <EmptyState title={props.title}>{props.children as never}</EmptyState>;
}

/** Approve and decline buttons for a held checkout (owners, admins and approvers; never its purchaser). */
export function DecisionForms(props: { groupId: string; back: string; label?: string }) {
  const suffix = props.label ? <span class="visually-hidden"> {props.label}</span> : null;
  return (
    <div class="decision-forms">
      <form method="post" action={`/approvals/${props.groupId}`} class="inline-form" data-once>
        <input type="hidden" name="decision" value="approve" />
        <input type="hidden" name="back" value={props.back} />
        <button class="btn btn-primary btn-small" type="submit">
          Approve{suffix}
        </button>
      </form>
      <form method="post" action={`/approvals/${props.groupId}`} class="inline-form" data-once>
        <input type="hidden" name="decision" value="decline" />
        <input type="hidden" name="back" value={props.back} />
        <button class="btn btn-danger btn-small" type="submit">
          Decline{suffix}
        </button>
      </form>
    </div>
  );
}

/** How a checkout is named on pages: by its PO number ("PO 4411", or as typed when it says PO itself). */
export function checkoutLabel(group: Pick<OrderGroup, "id" | "poNumber">): string {
  if (!group.poNumber) return `Checkout ${shortId(group.id)}`;
  return /^po\b|^po[-_ ]?\d/i.test(group.poNumber) ? group.poNumber : `PO ${group.poNumber}`;
}

/** What every seller page shares: the seller organisation the visitor acts for, the tabs, short ids. */
import type { Child } from "hono/jsx";
import { EmptyState, PageHead, Tabs } from "../../components.tsx";
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

export interface SellerPage<T> {
  principal: UserPrincipal;
  viewer: Viewer;
  org: Membership;
  data: T;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T,>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/**
 * The signed-in visitor, their seller organisation and the page's own read. When the org cookie names the
 * organisation, the read runs beside the viewer's (one round trip of latency); otherwise it follows it.
 * Returns a page explaining what to do when the visitor has no seller organisation.
 */
export async function sellerPage<T>(
  c: WebContext,
  read: (principal: UserPrincipal, orgId: string) => Promise<T>,
): Promise<SellerPage<T> | Response> {
  const principal = await requireVisitor(c);
  const guess = preferredOrgId(c);
  const [viewer, early] = await Promise.all([
    loadViewer(c, principal, "seller"),
    guess ? settle(read(principal, guess)) : undefined,
  ]);
  const org = viewer.org;
  if (!org) return noSellerOrg(c, viewer);
  if (early && guess === org.orgId) {
    if (!early.ok) throw early.error;
    return { principal, viewer, org, data: early.value };
  }
  return { principal, viewer, org, data: await read(principal, org.orgId) };
}

/** The visitor and their seller organisation, for form posts (the service checks the role). */
export async function sellerActor(
  c: WebContext,
): Promise<{ principal: UserPrincipal; viewer: Viewer; org: Membership } | Response> {
  const principal = await requireVisitor(c);
  const viewer = await loadViewer(c, principal, "seller");
  if (!viewer.org) return noSellerOrg(c, viewer);
  return { principal, viewer, org: viewer.org };
}

function noSellerOrg(c: WebContext, viewer: Viewer) {
  return page(
    c,
    viewer,
    { title: "Selling", noindex: true },
    <>
      <PageHead title="Selling on Tradeyard" />
      <EmptyState title="You are not a member of a seller organisation">
        <p>
          Listings, incoming orders and invoices belong to a seller organisation. Create one for your company,
          or ask a colleague to invite you to theirs.
        </p>
        <p>
          <a class="btn btn-primary" href="/org/new">
            Create a seller organisation
          </a>
        </p>
      </EmptyState>
    </>,
  );
}

/** The seller area's heading and tabs. */
export function SellerHead(props: { path: string; org: Membership; title: string; actions?: Child }) {
  const section = ["/seller/orders", "/seller/rfqs", "/seller/invoices"].find((prefix) =>
    props.path.startsWith(prefix),
  );
  return (
    <>
      <PageHead title={props.title} subtitle={`Selling as ${props.org.orgName}`} actions={props.actions} />
      <Tabs
        label="Seller console"
        path={section ?? "/seller/listings"}
        items={[
          ["/seller/listings", "Listings"],
          ["/seller/orders", "Orders"],
          ["/seller/rfqs", "Quotes"],
          ["/seller/invoices", "Invoices"],
        ]}
      />
    </>
  );
}

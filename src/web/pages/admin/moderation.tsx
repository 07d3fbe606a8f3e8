/** The moderation queue (platform admins): listings waiting for review, approved or rejected with a reason. */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { rejectListing } from "../../../routes/listings/seller.routes.ts";
import { transitionListing } from "../../../services/catalog/lifecycle.ts";
import { pendingListings } from "../../../services/catalog/search.ts";
import type { ListingView } from "../../../services/catalog/views.ts";
import type { AppEnv } from "../../../types.ts";
import { dropListingPages } from "../../cache.ts";
import { EmptyState, Field, type FieldErrors } from "../../components.tsx";
import {
  loadViewer,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
  type WebContext,
} from "../../context.ts";
import type { Format } from "../../format.ts";
import { attempt, field, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import { formStatus, uuidParam } from "../org/shell.tsx";
import { AdminShell } from "./shell.tsx";

export const moderationPages = new Hono<AppEnv>();

const rejectBody = rejectListing.request.body.content["application/json"].schema;

/** How many pending listings the queue shows, oldest first (the API's largest page). */
const QUEUE_PAGE = 100;

interface ItemProblem {
  listingId: string;
  reason: string;
  errors?: FieldErrors;
  message?: string;
}

function attributeText(value: string | number | boolean): string {
  if (typeof value === "boolean") return value ? "Yes" : "No";
  return String(value);
}

function QueueItem(props: { listing: ListingView; fmt: Format; now: number; problem?: ItemProblem }) {
  const { listing, fmt, now, problem } = props;
  const reasonId = `reason-${listing.id}`;
  const errors = problem?.errors ? { reason: problem.errors.reason ?? "" } : undefined;
  return (
    <article class="panel queue-item" id={`listing-${listing.id}`} aria-labelledby={`title-${listing.id}`}>
      <div class="queue-head">
        {listing.images[0] ? (
          <img class="queue-thumb" src={listing.images[0].url} alt="" width={96} height={96} loading="lazy" />
        ) : (
          <div class="queue-thumb no-image" aria-hidden="true">
            No image
          </div>
        )}
        <div class="queue-summary">
          <h2 id={`title-${listing.id}`}>{listing.title}</h2>
          <p class="meta">
            <strong>{listing.seller.name}</strong>
            {listing.seller.country && <> ({listing.seller.country})</>} · {listing.category.name} · submitted{" "}
            <time datetime={listing.updatedAt} title={fmt.dateTime(listing.updatedAt)}>
              {fmt.relative(listing.updatedAt, now)}
            </time>
          </p>
          {listing.publishedAt ? (
            <p class="small">
              <span class="badge badge-info">Changed after approval</span> Published{" "}
              {fmt.date(listing.publishedAt)}, edited since (version {fmt.number(listing.version)}). Earlier
              versions are not kept, so this is the listing as it is now.
            </p>
          ) : (
            <p class="small">
              <span class="badge">New listing</span> Never published before.
            </p>
          )}
        </div>
      </div>
      <div class="queue-body">
        <div>
          <h3>Price tiers ({listing.currency})</h3>
          <table class="table tier-table">
            <thead>
              <tr>
                <th scope="col">From quantity</th>
                <th scope="col" class="num">
                  Unit price
                </th>
              </tr>
            </thead>
            <tbody>
              {listing.priceTiers.map((tier) => (
                <tr>
                  <td>{fmt.number(tier.minQuantity)}</td>
                  <td class="num">{fmt.money(tier.unitPriceMinor, listing.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="small muted">
            Minimum order {fmt.number(listing.minOrderQuantity)}, in steps of{" "}
            {fmt.number(listing.orderIncrement)} · lead time {fmt.number(listing.leadTimeDays)} days ·{" "}
            {fmt.number(listing.variants.length)} variant
            {listing.variants.length === 1 ? "" : "s"}
          </p>
        </div>
        <div class="queue-text">
          <h3>Description</h3>
          <p class="description">{listing.description}</p>
          {Object.keys(listing.attributes).length > 0 && (
            <dl class="kv">
              {Object.entries(listing.attributes).map(([key, value]) => (
                <>
                  <dt>{key}</dt>
                  <dd>{attributeText(value)}</dd>
                </>
              ))}
            </dl>
          )}
          <details class="queue-details">
            <summary>
              {fmt.number(listing.variants.length)} variant{listing.variants.length === 1 ? "" : "s"} and{" "}
              {fmt.number(listing.images.length)} image{listing.images.length === 1 ? "" : "s"}
            </summary>
            {listing.variants.length > 0 && (
              <table class="table stack-sm">
                <thead>
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col">Attributes</th>
                    <th scope="col" class="num">
                      Stock
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listing.variants.map((variant) => (
                    <tr>
                      <td data-label="SKU" class="mono">
                        {variant.sku}
                      </td>
                      <td data-label="Attributes">
                        {Object.entries(variant.attributes)
                          .map(([key, value]) => `${key}: ${attributeText(value)}`)
                          .join(", ") || "—"}
                      </td>
                      <td data-label="Stock" class="num">
                        {fmt.number(variant.stock)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {listing.images.length > 0 && (
              <ul class="image-strip">
                {listing.images.map((image, index) => (
                  <li>
                    <img
                      src={image.url}
                      alt={`${listing.title}, view ${index + 1}`}
                      width={120}
                      height={120}
                      loading="lazy"
                    />
                  </li>
                ))}
              </ul>
            )}
          </details>
        </div>
      </div>
      {problem?.message && (
        <div class="alert alert-error" role="alert">
          {problem.message}
        </div>
      )}
      <div class="queue-actions">
        <form method="post" action={`/admin/listings/${listing.id}/approve`} data-once>
          <button class="btn btn-primary" type="submit" aria-label={`Approve and publish ${listing.title}`}>
            Approve and publish
          </button>
        </form>
        <form
          method="post"
          action={`/admin/listings/${listing.id}/reject`}
          class="form reject-form"
          data-once
        >
          <Field
            name="reason"
            id={reasonId}
            label="Reason for rejecting"
            multiline
            required
            maxlength={1000}
            hint="The seller sees this. Say what to change."
            value={problem?.reason}
            errors={errors}
          />
          <div class="actions">
            <button class="btn btn-danger" type="submit" aria-label={`Reject ${listing.title}`}>
              Reject
            </button>
          </div>
        </form>
      </div>
    </article>
  );
}

async function queuePage(
  c: WebContext,
  principal: UserPrincipal,
  problem?: ItemProblem & { status: number },
) {
  const [viewer, queue] = await Promise.all([
    loadViewer(c, principal),
    pendingListings(serviceContext(c), principal.userId, QUEUE_PAGE),
  ]);
  const { fmt, now } = pageFacts(c);
  // A problem with a listing the page does not show (beyond the first page, or gone meanwhile) goes on top.
  const offPage = problem && !queue.some((listing) => listing.id === problem.listingId);
  return page(
    c,
    viewer,
    { title: "Moderation queue", noindex: true, status: problem ? formStatus(problem.status) : 200 },
    <AdminShell path="/admin" count={queue.length}>
      {offPage && (
        <div class="alert alert-error" role="alert">
          {problem.message ?? problem.errors?.reason ?? "That did not work."}
        </div>
      )}
      {queue.length === 0 ? (
        <EmptyState title="Nothing to review">
          <p>Listings sellers submit for review appear here, oldest first.</p>
        </EmptyState>
      ) : (
        <div class="stack">
          <p class="muted">
            {fmt.number(queue.length)} listing{queue.length === 1 ? "" : "s"} waiting, oldest first
            {queue.length === QUEUE_PAGE ? ` (the first ${QUEUE_PAGE} shown)` : ""}.
          </p>
          {queue.map((listing) => (
            <QueueItem
              listing={listing}
              fmt={fmt}
              now={now}
              problem={problem?.listingId === listing.id ? problem : undefined}
            />
          ))}
        </div>
      )}
    </AdminShell>,
  );
}

moderationPages.get("/admin", async (c) => queuePage(c, await requireVisitor(c)));

moderationPages.post("/admin/listings/:listingId/approve", async (c) => {
  const principal = await requireVisitor(c);
  const listingId = uuidParam(c.req.param("listingId"), "Listing");
  const done = await attempt(
    () => transitionListing(serviceContext(c), principal, { admin: true }, listingId, "approve"),
    // A non-admin's problem re-renders the queue, whose read answers them with the 403 page.
    (problem) =>
      queuePage(c, principal, { listingId, reason: "", message: problem.message, status: problem.status }),
  );
  if (done instanceof Response) return done;
  dropListingPages(c, listingId);
  return redirectWith(c, "/admin", "listing-approved");
});

moderationPages.post("/admin/listings/:listingId/reject", async (c) => {
  const principal = await requireVisitor(c);
  const listingId = uuidParam(c.req.param("listingId"), "Listing");
  const reason = field(await readForm(c), "reason");
  const parsed = rejectBody.safeParse({ reason });
  if (!parsed.success) {
    const errors = zodErrors(parsed.error);
    if (!reason) errors.reason = "Give the seller a reason.";
    return queuePage(c, principal, { listingId, reason, errors, status: 422 });
  }
  const done = await attempt(
    () =>
      transitionListing(serviceContext(c), principal, { admin: true }, listingId, "reject", {
        reason: parsed.data.reason,
      }),
    (problem) =>
      queuePage(c, principal, { listingId, reason, message: problem.message, status: problem.status }),
  );
  if (done instanceof Response) return done;
  dropListingPages(c, listingId);
  return redirectWith(c, "/admin", "listing-rejected");
});

/** The seller's listings table: status, stock and price at a glance, filtered by status, keyset pages. */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { listOwnListings } from "../../../services/catalog/listings.ts";
import type { ListingStatus, ListingView } from "../../../services/catalog/views.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState, Pager, StatusBadge } from "../../components.tsx";
import { pageFacts } from "../../context.ts";
import { page } from "../../render.tsx";
import { SellerHead, sellerPage } from "./shared.tsx";

export const listingsTable = new Hono<AppEnv>();

const STATUSES: readonly (readonly [ListingStatus | "", string])[] = [
  ["", "All statuses"],
  ["draft", "Draft"],
  ["pending_review", "Pending review"],
  ["published", "Published"],
  ["rejected", "Rejected"],
  ["archived", "Archived"],
];
const PAGE_SIZE = 20;

function statusOf(value: string | undefined): ListingStatus | undefined {
  return STATUSES.some(([status]) => status && status === value) ? (value as ListingStatus) : undefined;
}

function ListingRow(props: { listing: ListingView; fmt: ReturnType<typeof pageFacts>["fmt"]; now: number }) {
  const { listing, fmt } = props;
  const stock = listing.variants.reduce((sum, v) => sum + v.stock, 0);
  const image = listing.images[0];
  return (
    <tr>
      <td data-label="Listing">
        <div class="listing-cell">
          {image ? (
            <img class="thumb" src={image.url} alt="" width={44} height={44} loading="lazy" />
          ) : (
            <span class="thumb no-image" aria-hidden="true" />
          )}
          <div>
            <a href={`/seller/listings/${listing.id}`}>
              <strong>{listing.title}</strong>
            </a>
            <div class="meta">{listing.category.name}</div>
          </div>
        </div>
      </td>
      <td data-label="Status">
        <div>
          <StatusBadge status={listing.status} />
          {listing.status === "rejected" && listing.rejectionReason && (
            <div class="rejection small">Reason: {listing.rejectionReason}</div>
          )}
        </div>
      </td>
      <td data-label="SKUs" class="num">
        {fmt.number(listing.variants.length)}
      </td>
      <td data-label="Stock" class="num">
        {stock === 0 ? <span class="text-bad">Out of stock</span> : fmt.number(stock)}
      </td>
      <td data-label="Price from" class="num">
        {fmt.money(listing.minUnitPriceMinor, listing.currency)}
      </td>
      <td data-label="Updated">
        <time datetime={listing.updatedAt} title={fmt.dateTime(listing.updatedAt)}>
          {fmt.relative(listing.updatedAt, props.now)}
        </time>
      </td>
    </tr>
  );
}

listingsTable.get("/seller/listings", async (c) => {
  const status = statusOf(c.req.query("status"));
  const cursor = c.req.query("cursor")?.slice(0, 512) || undefined;
  const loaded = await sellerPage(c, (principal, orgId) =>
    listOwnListings(serviceContext(c), principal, orgId, { status, cursor, limit: PAGE_SIZE }),
  );
  if (loaded instanceof Response) return loaded;
  const { viewer, org, data } = loaded;
  const facts = pageFacts(c);
  const query = (extra: Record<string, string>) =>
    `/seller/listings?${new URLSearchParams({ ...(status ? { status } : {}), ...extra })}`;
  const newButton = (
    <a class="btn btn-primary" href="/seller/listings/new">
      New listing
    </a>
  );
  return page(
    c,
    viewer,
    { title: "Listings", noindex: true, facts, scripts: ["enhance.js"] },
    <>
      <SellerHead path={facts.path} org={org} title="Listings" actions={newButton} />
      <form method="get" action="/seller/listings" class="toolbar" data-autosubmit>
        <label for="status-filter">Status</label>
        <select id="status-filter" name="status">
          {STATUSES.map(([value, label]) => (
            <option value={value} selected={(status ?? "") === value}>
              {label}
            </option>
          ))}
        </select>
        <button class="btn btn-small" type="submit" data-autosubmit-hide>
          Filter
        </button>
      </form>
      {data.items.length === 0 ? (
        status || cursor ? (
          <EmptyState title="No listings match">
            <p>
              <a href="/seller/listings">Show all listings</a>
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="You have no listings yet">
            <p>
              Create a listing with its variants and volume prices, add photos, then submit it for review. It
              appears in the catalogue once approved.
            </p>
            <p>{newButton}</p>
          </EmptyState>
        )
      ) : (
        <div class="table-wrap">
          <table class="table stack-sm">
            <caption class="visually-hidden">Your listings, most recently updated first</caption>
            <thead>
              <tr>
                <th scope="col">Listing</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  SKUs
                </th>
                <th scope="col" class="num">
                  Stock
                </th>
                <th scope="col" class="num">
                  Price from
                </th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((listing) => (
                <ListingRow listing={listing} fmt={facts.fmt} now={facts.now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        nextHref={data.nextCursor ? query({ cursor: data.nextCursor }) : null}
        firstHref={cursor ? query({}) : null}
      />
    </>,
  );
});

/**
 * A seller's public profile: who they are, where, since when, their rating, what they sell, their listings
 * and their reviews with replies.
 */
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { cursorParam } from "../../../routes/schemas.ts";
import { searchListings } from "../../../services/catalog/search.ts";
import { getPublicSeller } from "../../../services/catalog/sellers.ts";
import { sellerReviews } from "../../../services/reviews/public.ts";
import { Breadcrumbs, EmptyState, Pager } from "../../components.tsx";
import { isUuid, loadViewer, pageFacts, visitor, type WebContext } from "../../context.ts";
import { countryName } from "../../format.ts";
import { page } from "../../render.tsx";
import { RatingSummary, ReviewBody } from "../reviews.tsx";
import { ProductGrid, ProductTable, plural } from "./parts.tsx";

const PAGE_SIZE = 24;
const REVIEWS_PAGE_SIZE = 10;
const GONE = "This seller does not exist or does not sell on Tradeyard.";

export async function sellerPage(c: WebContext) {
  const orgId = (c.req.param("orgId") ?? "").toLowerCase();
  if (!isUuid(orgId)) throw new ApiError("not_found", GONE);
  const cursor = cursorParam.safeParse(c.req.query("cursor"));
  const reviewsCursor = cursorParam.safeParse(c.req.query("reviews"));
  if (!cursor.success || !reviewsCursor.success)
    throw new ApiError("validation_failed", "That page link is not valid.");
  const view = c.req.query("view") === "list" ? "list" : "grid";
  const principal = await visitor(c);
  const [viewer, seller, listings, reviews] = await Promise.all([
    principal ? loadViewer(c, principal) : null,
    getPublicSeller(serviceContext(c), orgId).catch((error) => {
      throw error instanceof ApiError && error.status === 404 ? new ApiError("not_found", GONE) : error;
    }),
    searchListings(serviceContext(c), {
      seller: orgId,
      sort: "newest",
      cursor: cursor.data,
      limit: PAGE_SIZE,
      attributes: {},
    }),
    // A page of reviews, beside the other reads (the seller's 404 comes from getPublicSeller above).
    sellerReviews(serviceContext(c), orgId, { cursor: reviewsCursor.data, limit: REVIEWS_PAGE_SIZE }).catch(
      (error) => {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      },
    ),
  ]);
  const facts = pageFacts(c);
  const { fmt } = facts;
  const country = countryName(seller.country);
  const since = new Intl.DateTimeFormat(fmt.locale, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(seller.memberSince));
  const count = `${fmt.number(listings.total)}${listings.exact ? "" : "+"}`;
  const base = `/sellers/${seller.id}`;
  const withView = (href: string, list: boolean) =>
    list ? `${href}${href.includes("?") ? "&" : "?"}view=list` : href;
  const website = seller.website && /^https?:\/\//i.test(seller.website) ? seller.website : undefined;

  return page(
    c,
    viewer,
    {
      facts,
      title: `${seller.name}: supplier profile`,
      description: `${seller.name}${country ? `, ${country}` : ""}: ${count} listings on Tradeyard, with volume prices, minimum order quantities and lead times.`,
      canonical: `${c.var.config.PUBLIC_URL}${base}`,
      query: "",
    },
    <>
      <Breadcrumbs
        items={[
          ["Home", "/"],
          ["Sellers", undefined],
          [seller.name, undefined],
        ]}
      />
      <section class="panel seller-profile" aria-labelledby="seller-name">
        <div class="seller-mark" aria-hidden="true">
          {seller.name.trim().charAt(0).toUpperCase()}
        </div>
        <div>
          <h1 id="seller-name">{seller.name}</h1>
          <dl class="seller-facts">
            {country && (
              <div>
                <dt>Country</dt>
                <dd>{country}</dd>
              </div>
            )}
            <div>
              <dt>Member since</dt>
              <dd>{since}</dd>
            </div>
            <div>
              <dt>Rating</dt>
              <dd>
                <RatingSummary
                  fmt={fmt}
                  rating={seller.rating}
                  href={seller.rating.count > 0 ? "#reviews" : undefined}
                />
              </dd>
            </div>
            <div>
              <dt>Published listings</dt>
              <dd>{count}</dd>
            </div>
            {website && (
              <div>
                <dt>Website</dt>
                <dd>
                  <a href={website} rel="nofollow ugc noopener" target="_blank">
                    {website.replace(/^https?:\/\//i, "").replace(/\/$/, "")}
                  </a>
                </dd>
              </div>
            )}
          </dl>
        </div>
      </section>
      {listings.facets.categories.length > 0 && (
        <nav class="chips seller-categories" aria-label="Categories this seller lists in">
          {listings.facets.categories.map((cat) => (
            <a class="chip" href={`/search?seller=${seller.id}&category=${cat.slug}`}>
              {cat.name} <span class="count">{fmt.number(cat.count)}</span>
            </a>
          ))}
        </nav>
      )}
      <section aria-labelledby="listings-heading">
        <div class="results-head">
          <h2 id="listings-heading">{plural(fmt, listings.total, "listing", "listings")}</h2>
          <div class="results-tools">
            <a href={`/search?seller=${seller.id}`}>Search and filter their listings →</a>
            <nav class="view-toggle" aria-label="View">
              <a href={base} aria-current={view === "grid" ? "page" : undefined}>
                Grid
              </a>
              <a href={withView(base, true)} aria-current={view === "list" ? "page" : undefined}>
                List
              </a>
            </nav>
          </div>
        </div>
        {listings.hits.length === 0 ? (
          <EmptyState title="No listings on sale right now">
            <p>
              This seller has nothing published at the moment. <a href="/search">Browse the catalogue</a>.
            </p>
          </EmptyState>
        ) : view === "list" ? (
          <ProductTable fmt={fmt} hits={listings.hits} showSeller={false} />
        ) : (
          <ProductGrid fmt={fmt} hits={listings.hits} showSeller={false} />
        )}
        <Pager
          nextHref={
            listings.nextCursor
              ? withView(`${base}?cursor=${encodeURIComponent(listings.nextCursor)}`, view === "list")
              : null
          }
          firstHref={cursor.data ? withView(base, view === "list") : null}
        />
      </section>
      <section id="reviews" class="panel" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">Reviews</h2>
        <p>
          <RatingSummary fmt={fmt} rating={seller.rating} />
        </p>
        {!reviews || reviews.items.length === 0 ? (
          <p class="muted">No reviews yet. Buyers review a seller after an order with them is completed.</p>
        ) : (
          <ol class="review-list">
            {reviews.items.map((review) => (
              <li>
                <ReviewBody
                  fmt={fmt}
                  now={facts.now}
                  rating={review.rating}
                  body={review.body}
                  byline={`${review.reviewer} · verified purchase`}
                  createdAt={review.createdAt}
                  edited={review.edited}
                  reply={review.reply}
                  sellerName={seller.name}
                />
              </li>
            ))}
          </ol>
        )}
        <Pager
          nextHref={
            reviews?.nextCursor ? `${base}?reviews=${encodeURIComponent(reviews.nextCursor)}#reviews` : null
          }
          firstHref={reviewsCursor.data ? `${base}#reviews` : null}
        />
      </section>
    </>,
  );
}

/** The home page: what the marketplace is, its categories with live counts, the newest listings. */
import type { Category } from "../../../contracts/catalog.ts";
import { serviceContext } from "../../../routes/context.ts";
import { type SearchResult, searchListings } from "../../../services/catalog/search.ts";
import { categoriesCached } from "../../cache.ts";
import { loadViewer, pageFacts, visitor, type WebContext } from "../../context.ts";
import type { Format } from "../../format.ts";
import { BRAND } from "../../layout.tsx";
import { page } from "../../render.tsx";
import { ProductGrid, plural } from "./parts.tsx";

const NEWEST = 12;

function CategoryCard(props: { fmt: Format; root: Category; counts: Map<string, number> }) {
  const { fmt, root, counts } = props;
  const total = root.children.reduce((sum, child) => sum + (counts.get(child.slug) ?? 0), 0);
  return (
    <section class="category-card">
      <h3>
        <a class="category-title" href={`/search?category=${root.slug}`}>
          {root.name}
        </a>
      </h3>
      <span class="meta">{plural(fmt, total + (counts.get(root.slug) ?? 0), "listing", "listings")}</span>
      {root.children.length > 0 && (
        <ul class="category-links">
          {root.children.map((child) => (
            <li>
              <a href={`/search?category=${child.slug}`}>{child.name}</a>{" "}
              <span class="meta">{fmt.number(counts.get(child.slug) ?? 0)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export async function homePage(c: WebContext) {
  const principal = await visitor(c);
  const [viewer, tree, newest] = await Promise.all([
    principal ? loadViewer(c, principal) : null,
    categoriesCached(c),
    searchListings(serviceContext(c), { sort: "newest", limit: NEWEST, attributes: {} }),
  ]);
  const facts = pageFacts(c);
  const { fmt } = facts;
  const counts = new Map(newest.facets.categories.map((cat) => [cat.slug, cat.count]));
  return page(
    c,
    viewer,
    {
      facts,
      title: BRAND,
      description:
        "Tradeyard is a B2B marketplace for procurement teams: industrial, packaging, electronic and office " +
        "supplies from verified sellers, with volume pricing, clear lead times and one checkout.",
      canonical: `${c.var.config.PUBLIC_URL}/`,
    },
    <>
      <section class="hero">
        <div>
          <h1>Source supplies for your business</h1>
          <p>
            Tradeyard is a marketplace for procurement teams: compare volume prices from verified suppliers,
            order from several of them in one checkout, and pay on invoice with your PO number.
          </p>
          <p class="hero-stat">{heroStat(fmt, newest)}</p>
        </div>
        <ul class="hero-points">
          <li>
            <strong>Volume pricing</strong> on every listing: the more you order, the less each unit costs.
          </li>
          <li>
            <strong>Clear terms</strong>: minimum order, order increment and lead time before you order.
          </li>
          <li>
            <strong>Reviewed listings</strong> from registered businesses, with approvals and spending limits
            for your team.
          </li>
        </ul>
      </section>

      <section aria-labelledby="categories-heading">
        <div class="section-head">
          <h2 id="categories-heading">Shop by category</h2>
          <a href="/search">Browse the whole catalogue →</a>
        </div>
        <div class="category-grid">
          {tree.map((root) => (
            <CategoryCard fmt={fmt} root={root} counts={counts} />
          ))}
        </div>
      </section>

      <section aria-labelledby="newest-heading">
        <div class="section-head">
          <h2 id="newest-heading">Newest listings</h2>
          <a href="/search?sort=newest">See all newest →</a>
        </div>
        {newest.hits.length ? (
          <ProductGrid fmt={fmt} hits={newest.hits} />
        ) : (
          <p class="empty">
            <strong>No listings yet</strong>
            Sellers' listings appear here as soon as they are approved.
          </p>
        )}
      </section>
    </>,
  );
}

function heroStat(fmt: Format, result: SearchResult): string {
  const listings = `${fmt.number(result.total)}${result.exact ? "" : "+"} listings`;
  return `${listings} in ${plural(fmt, result.facets.categories.length, "category", "categories")}`;
}

/**
 * The search page: URL-driven and shareable (q, category, minPrice/maxPrice, currency, seller, minRating,
 * attr.<key>, sort, cursor, view). It reads the query exactly as the API's search does (the same schema and
 * attribute-filter parsing) and costs the same single round trip; a query it cannot read is a 400 page
 * saying what to fix, never a 500.
 */
import type { Category } from "../../../contracts/catalog.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { searchInput } from "../../../routes/listings/public.handlers.ts";
import { searchListingsQuery } from "../../../routes/listings/public.routes.ts";
import { type SearchResult, searchListings } from "../../../services/catalog/search.ts";
import { canonicalQuery, categoriesIfCached } from "../../cache.ts";
import { Breadcrumbs, EmptyState, humanise, Pager } from "../../components.tsx";
import { loadViewer, pageFacts, type Viewer, visitor, type WebContext } from "../../context.ts";
import type { Format } from "../../format.ts";
import { page } from "../../render.tsx";
import {
  type AttributeDefinition,
  attributeLabel,
  attributeValue,
  definitionsFor,
  ProductGrid,
  ProductTable,
  parentOf,
} from "./parts.tsx";

const PAGE_SIZE = 24;
/** Parameters the page reads itself, beside the API's. */
const PAGE_PARAMS: ReadonlySet<string> = new Set(["view"]);

/**
 * The URL a submitted filter form means, when it differs from the one asked for: a GET form sends its
 * empty controls, and a price band as `price=<min>-<max>`; the canonical URL carries neither (so it
 * reads well, and equal searches share a cache entry), nor the default sort. Undefined when the URL is
 * already canonical.
 */
export function canonicalSearch(params: URLSearchParams): string | undefined {
  const out = new URLSearchParams();
  let changed = false;
  const band = /^(\d{1,15})-(\d{0,15})$/.exec(params.get("price") ?? "");
  const defaultSort = params.get("q") ? "relevance" : "newest";
  for (const [name, value] of params) {
    const dropped =
      value === "" ||
      name === "price" ||
      (band && (name === "minPrice" || name === "maxPrice")) ||
      (name === "view" && value === "grid") ||
      (name === "sort" && value === defaultSort && params.getAll("sort").length === 1);
    if (dropped) changed = true;
    else out.append(name, value);
  }
  if (band?.[1]) {
    out.set("minPrice", band[1]);
    if (band[2]) out.set("maxPrice", band[2]);
  }
  return changed ? out.toString() : undefined;
}

const FIELD_HELP: Record<string, string> = {
  q: "Search text can be at most 200 characters of ordinary text.",
  category: "That category is not one we know.",
  minPrice: "Prices must be whole numbers of cents, the minimum not above the maximum.",
  maxPrice: "Prices must be whole numbers of cents, the minimum not above the maximum.",
  currency: "Currency must be a three-letter code, such as EUR.",
  seller: "That seller link is not valid.",
  sort: "Sort by relevance needs search text; otherwise sort by price, newest or seller rating.",
  minRating: "A seller rating filter is a number of stars from 1 to 5.",
  cursor: "That page link has expired or belongs to another search. Start again from the first page.",
};

/** What a person reads for each field the query got wrong (one line per field). */
function explain(errors: readonly { field: string; message: string }[]): string[] {
  const lines = new Set<string>();
  for (const { field } of errors) {
    const name = field.replace(/^query\.?/, "");
    const attr = /^attr\.(.+)$/.exec(name)?.[1];
    if (attr) lines.add(`The filter “${humanise(attr)}” has a value we cannot use.`);
    else if (FIELD_HELP[name]) lines.add(FIELD_HELP[name]);
    else if (name) lines.add(`“${name.slice(0, 60)}” is not a filter we know.`);
    else lines.add("There are more filters than we can apply at once (at most 10).");
  }
  return [...lines];
}

class SearchLink {
  readonly #params: URLSearchParams;
  constructor(params: URLSearchParams) {
    this.#params = params;
  }
  /** This search with some parameters changed (null removes one); any change starts at the first page. */
  with(changes: Record<string, string | null>): string {
    const next = new URLSearchParams(this.#params);
    next.delete("cursor");
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) next.delete(name);
      else next.set(name, value);
    }
    const query = next.toString();
    return query ? `/search?${query}` : "/search";
  }
}

export async function searchPage(c: WebContext) {
  const url = new URL(c.req.url);
  const canonical = canonicalSearch(url.searchParams);
  if (canonical !== undefined) return c.redirect(canonical ? `/search?${canonical}` : "/search", 302);

  // Read exactly as the API's validator does: a repeated parameter is a list (and so invalid).
  const queries = c.req.queries();
  const raw = Object.fromEntries(Object.entries(queries).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
  const parsed = searchListingsQuery.safeParse(raw);
  const principal = await visitor(c);
  const facts = pageFacts(c);
  const view = url.searchParams.get("view") === "list" ? "list" : "grid";
  const q = parsed.success ? parsed.data.q : undefined;

  let viewer: Viewer | null = null;
  let result: SearchResult | undefined;
  let tree: Category[] | undefined;
  let problems: string[] = [];
  try {
    if (!parsed.success) {
      throw new ApiError("validation_failed", "invalid query", {
        errors: parsed.error.issues.map((issue) => ({ field: String(issue.path[0] ?? ""), message: "" })),
      });
    }
    const input = searchInput(parsed.data, queries, { limit: PAGE_SIZE, otherParams: PAGE_PARAMS });
    [viewer, result, tree] = await Promise.all([
      principal ? loadViewer(c, principal) : null,
      searchListings(serviceContext(c), input),
      input.category ? categoriesIfCached(c) : undefined,
    ]);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    problems = explain(error.errors ?? [{ field: "", message: "" }]);
    viewer = principal ? await loadViewer(c, principal) : null;
  }

  const link = new SearchLink(url.searchParams);
  if (!result || !parsed.success) {
    return page(
      c,
      viewer,
      { facts, title: "Search", status: 400, noindex: true, query: typeof raw.q === "string" ? raw.q : "" },
      <div class="panel search-problem">
        <h1>We could not read that search</h1>
        <div class="alert alert-error" role="alert">
          <strong>Some filters in this address cannot be used:</strong>
          <ul>
            {problems.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
        </div>
        <div class="actions">
          <a class="btn btn-primary" href={q ? `/search?q=${encodeURIComponent(q)}` : "/search"}>
            {q ? `Search “${q}” without filters` : "Browse the catalogue"}
          </a>
          <a class="btn" href="/">
            Home
          </a>
        </div>
      </div>,
    );
  }

  const query = parsed.data;
  const { fmt } = facts;
  const categoryName =
    result.facets.categories.find((cat) => cat.slug === query.category)?.name ??
    tree?.flatMap((root) => [root, ...root.children]).find((cat) => cat.slug === query.category)?.name ??
    (query.category ? humanise(query.category) : undefined);
  const parent = query.category ? parentOf(tree, query.category) : undefined;
  const definitions = definitionsFor(tree, query.category);
  const sort = query.sort ?? (q ? "relevance" : "newest");
  const title = q ? `“${q}”` : (categoryName ?? "All products");
  const count = `${fmt.number(result.total)}${result.exact ? "" : "+"} ${result.total === 1 && result.exact ? "result" : "results"}`;
  const filters = activeFilters(query, url.searchParams, definitions, fmt, result, categoryName);
  const currency = query.currency ?? mostCommonCurrency(result);
  const selfQuery = new URLSearchParams(url.searchParams);
  selfQuery.delete("cursor");

  return page(
    c,
    viewer,
    {
      facts,
      title: q ? `${title} · Search` : title,
      description: `${count} for ${q ? title : (categoryName ?? "business supplies")} from verified suppliers on Tradeyard, with volume prices, MOQ and lead times.`,
      canonical: `${c.var.config.PUBLIC_URL}/search${canonicalQuery(selfQuery) ? `?${canonicalQuery(selfQuery)}` : ""}`,
      scripts: ["enhance.js"],
      query: q ?? "",
    },
    <>
      <Breadcrumbs
        items={[
          ["Home", "/"],
          ["Catalogue", "/search"],
          ...(parent ? [[parent.name, `/search?category=${parent.slug}`] as const] : []),
          ...(categoryName ? [[categoryName, `/search?category=${query.category}`] as const] : []),
          ...(q ? [[`“${q}”`, undefined] as const] : []),
        ]}
      />
      <div class="page-head">
        <div>
          <h1>{q ? `Results for “${q}”` : title}</h1>
          {q && categoryName && <p class="muted">in {categoryName}</p>}
        </div>
      </div>
      <form method="get" action="/search" class="search-layout" data-autosubmit>
        {q && <input type="hidden" name="q" value={q} />}
        {view === "list" && <input type="hidden" name="view" value="list" />}
        {query.currency && <input type="hidden" name="currency" value={query.currency} />}
        {query.seller && <input type="hidden" name="seller" value={query.seller} />}
        <aside class="facets" id="filters" aria-labelledby="filters-heading">
          <h2 id="filters-heading" class="facets-title">
            Filters
          </h2>
          <CategoryFacet result={result} selected={query.category} name={categoryName} fmt={fmt} />
          <PriceFacet
            result={result}
            min={query.minPrice}
            max={query.maxPrice}
            currency={currency}
            fmt={fmt}
          />
          <RatingFacet min={query.minRating} fmt={fmt} />
          {Object.entries(result.facets.attributes).map(([key, values]) => (
            <AttributeFacet
              name={key}
              values={values}
              selected={url.searchParams.get(`attr.${key}`) ?? undefined}
              definition={definitions.get(key)}
              fmt={fmt}
            />
          ))}
          <button type="submit" class="btn btn-primary" data-autosubmit-hide>
            Apply filters
          </button>
        </aside>
        <section class="results" aria-labelledby="results-heading">
          <div class="results-head">
            <h2 id="results-heading" class="results-count">
              {count}
            </h2>
            <div class="results-tools">
              <a class="filters-jump" href="#filters">
                Filters{filters.length ? ` (${filters.length})` : ""}
              </a>
              <label for="sort">Sort by</label>
              <select id="sort" name="sort">
                {q && (
                  <option value="relevance" selected={sort === "relevance"}>
                    Best match
                  </option>
                )}
                <option value="price" selected={sort === "price"}>
                  Lowest price
                </option>
                <option value="newest" selected={sort === "newest"}>
                  Newest
                </option>
                <option value="rating" selected={sort === "rating"}>
                  Seller rating
                </option>
              </select>
              <button type="submit" class="btn btn-small" data-autosubmit-hide>
                Sort
              </button>
              <nav class="view-toggle" aria-label="View">
                <a href={link.with({ view: null })} aria-current={view === "grid" ? "page" : undefined}>
                  Grid
                </a>
                <a href={link.with({ view: "list" })} aria-current={view === "list" ? "page" : undefined}>
                  List
                </a>
              </nav>
            </div>
          </div>
          {filters.length > 0 && (
            <ul class="chips" aria-label="Active filters">
              {filters.map(([label, param]) => (
                <li>
                  <a
                    class="chip"
                    href={link.with(Object.fromEntries(param.map((p) => [p, null])))}
                    aria-label={`Remove filter ${label}`}
                  >
                    {label} <span aria-hidden="true">×</span>
                  </a>
                </li>
              ))}
              <li>
                <a href={q ? `/search?q=${encodeURIComponent(q)}` : "/search"}>Clear all</a>
              </li>
            </ul>
          )}
          {result.hits.length === 0 ? (
            <EmptyState title="No listings match">
              <p>
                {filters.length ? "Try removing a filter, or " : "Try other words, or "}
                <a href={q && filters.length ? `/search?q=${encodeURIComponent(q)}` : "/search"}>
                  {filters.length ? "clear filters" : "browse the whole catalogue"}
                </a>
                .
              </p>
            </EmptyState>
          ) : view === "list" ? (
            <ProductTable fmt={fmt} hits={result.hits} />
          ) : (
            <ProductGrid fmt={fmt} hits={result.hits} />
          )}
          <Pager
            nextHref={result.nextCursor ? link.with({ cursor: result.nextCursor }) : null}
            firstHref={query.cursor ? link.with({}) : null}
          />
        </section>
      </form>
    </>,
  );
}

/** Active filters as [label, parameters that remove it]. */
function activeFilters(
  query: {
    category?: string;
    minPrice?: number;
    maxPrice?: number;
    currency?: string;
    seller?: string;
    minRating?: number;
  },
  params: URLSearchParams,
  definitions: Map<string, AttributeDefinition>,
  fmt: Format,
  result: SearchResult,
  categoryName: string | undefined,
): [string, string[]][] {
  const currency = query.currency ?? mostCommonCurrency(result);
  const out: [string, string[]][] = [];
  if (query.category) out.push([`Category: ${categoryName}`, ["category"]]);
  if (query.minPrice !== undefined || query.maxPrice !== undefined)
    out.push([
      `Price: ${priceLabel(fmt, currency, query.minPrice, query.maxPrice)}`,
      ["minPrice", "maxPrice"],
    ]);
  if (query.currency) out.push([`Currency: ${query.currency}`, ["currency"]]);
  if (query.minRating !== undefined)
    out.push([`Seller rating: ${fmt.number(query.minRating)}+ stars`, ["minRating"]]);
  if (query.seller) {
    const name = result.hits.find((hit) => hit.seller.id === query.seller?.toLowerCase())?.seller.name;
    out.push([`Seller: ${name ?? "one seller"}`, ["seller"]]);
  }
  for (const [name, value] of params) {
    const key = /^attr\.(.+)$/.exec(name)?.[1];
    if (!key) continue;
    const definition = definitions.get(key);
    out.push([`${attributeLabel(key, definition)}: ${attributeValue(fmt, value, definition)}`, [name]]);
  }
  return out;
}

function mostCommonCurrency(result: SearchResult): string {
  const counts = new Map<string, number>();
  for (const hit of result.hits) counts.set(hit.currency, (counts.get(hit.currency) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "EUR";
}

function priceLabel(fmt: Format, currency: string, min: number | undefined, max: number | undefined): string {
  if ((min ?? 0) === 0 && max !== undefined) return `under ${fmt.money(max + 1, currency)}`;
  if (max === undefined) return `${fmt.money(min ?? 0, currency)} and above`;
  return `${fmt.money(min ?? 0, currency)} – ${fmt.money(max + 1, currency)}`;
}

function Option(props: { name: string; value: string; checked: boolean; label: string; count?: string }) {
  const id = `${props.name}-${props.value || "any"}`.replace(/[^\w-]/g, "-");
  return (
    <div class="facet-option">
      <input type="radio" id={id} name={props.name} value={props.value} checked={props.checked} />
      <label for={id}>
        <span>{props.label}</span>
        {props.count !== undefined && <span class="count">{props.count}</span>}
      </label>
    </div>
  );
}

/** Sellers rated at least this many stars (the average as shown, one decimal). */
function RatingFacet(props: { min?: number; fmt: Format }) {
  const { min, fmt } = props;
  const choices = [4.5, 4, 3];
  return (
    <fieldset>
      <legend>Seller rating</legend>
      <Option name="minRating" value="" checked={min === undefined} label="Any rating" />
      {min !== undefined && !choices.includes(min) && (
        <Option name="minRating" value={String(min)} checked label={`${fmt.number(min)} stars and up`} />
      )}
      {choices.map((stars) => (
        <Option
          name="minRating"
          value={String(stars)}
          checked={min === stars}
          label={`${fmt.number(stars)} stars and up`}
        />
      ))}
    </fieldset>
  );
}

function CategoryFacet(props: { result: SearchResult; selected?: string; name?: string; fmt: Format }) {
  const { result, selected, fmt } = props;
  const options = result.facets.categories;
  return (
    <fieldset>
      <legend>Category</legend>
      <Option name="category" value="" checked={!selected} label="All categories" />
      {selected && !options.some((cat) => cat.slug === selected) && (
        <Option name="category" value={selected} checked label={props.name ?? selected} />
      )}
      {options.map((cat) => (
        <Option
          name="category"
          value={cat.slug}
          checked={cat.slug === selected}
          label={cat.name}
          count={fmt.number(cat.count)}
        />
      ))}
    </fieldset>
  );
}

function PriceFacet(props: {
  result: SearchResult;
  min?: number;
  max?: number;
  currency: string;
  fmt: Format;
}) {
  const { result, min, max, currency, fmt } = props;
  const value = (lo: number, hi: number | null) => `${lo}-${hi === null ? "" : hi - 1}`;
  const isBand = (lo: number, hi: number | null) =>
    (min ?? 0) === lo && (hi === null ? max === undefined : max === hi - 1);
  const bands = result.facets.priceBands.filter((band) => band.count > 0 || isBand(band.min, band.max));
  const custom =
    (min !== undefined || max !== undefined) && !bands.some((band) => isBand(band.min, band.max));
  return (
    <fieldset>
      <legend>Unit price ({currency})</legend>
      <Option name="price" value="" checked={min === undefined && max === undefined} label="Any price" />
      {custom && (
        <Option
          name="price"
          value={`${min ?? 0}-${max ?? ""}`}
          checked
          label={priceLabel(fmt, currency, min, max === undefined ? undefined : max)}
        />
      )}
      {bands.map((band) => (
        <Option
          name="price"
          value={value(band.min, band.max)}
          checked={isBand(band.min, band.max)}
          label={priceLabel(fmt, currency, band.min, band.max === null ? undefined : band.max - 1)}
          count={fmt.number(band.count)}
        />
      ))}
    </fieldset>
  );
}

function AttributeFacet(props: {
  name: string;
  values: { value: string; count: number }[];
  selected?: string;
  definition?: AttributeDefinition;
  fmt: Format;
}) {
  const { name, values, selected, definition, fmt } = props;
  const param = `attr.${name}`;
  return (
    <fieldset>
      <legend>{attributeLabel(name, definition)}</legend>
      <Option name={param} value="" checked={!selected} label="Any" />
      {selected && !values.some((v) => v.value === selected) && (
        <Option name={param} value={selected} checked label={attributeValue(fmt, selected, definition)} />
      )}
      {values.map((v) => (
        <Option
          name={param}
          value={v.value}
          checked={v.value === selected}
          label={attributeValue(fmt, v.value, definition)}
          count={fmt.number(v.count)}
        />
      ))}
    </fieldset>
  );
}

/** Pieces the storefront pages share: product cards and rows, tier arithmetic, attribute labels. */
import type { Category } from "../../../contracts/catalog.ts";
import type { ListingHit } from "../../../services/catalog/search.ts";
import { humanise } from "../../components.tsx";
import type { Format } from "../../format.ts";
import { RatingSummary } from "../reviews.tsx";

export interface Tier {
  minQuantity: number;
  unitPriceMinor: number;
}

/** Tiers in quantity order (stored so; sorted again so a page never depends on it). */
export function sortedTiers(tiers: readonly Tier[]): Tier[] {
  return [...tiers].sort((a, b) => a.minQuantity - b.minQuantity);
}

/** The tier a quantity falls in: the one with the largest minimum at or below it (else the first). */
export function tierFor(tiers: readonly Tier[], quantity: number): Tier | undefined {
  const sorted = sortedTiers(tiers);
  return sorted.filter((t) => t.minQuantity <= quantity).at(-1) ?? sorted[0];
}

/** The lowest unit price and the quantity it starts at ("from €0.39 / unit at 1,000+"). */
export function lowestTier(tiers: readonly Tier[]): Tier | undefined {
  return sortedTiers(tiers).reduce<Tier | undefined>(
    (best, t) => (!best || t.unitPriceMinor < best.unitPriceMinor ? t : best),
    undefined,
  );
}

/** "100–999", "1,000+" for tier i of the sorted tiers. */
export function tierRange(fmt: Format, tiers: readonly Tier[], index: number): string {
  const tier = tiers[index];
  const next = tiers[index + 1];
  if (!tier) return "";
  return next
    ? `${fmt.number(tier.minQuantity)}–${fmt.number(next.minQuantity - 1)}`
    : `${fmt.number(tier.minQuantity)}+`;
}

export function leadTime(days: number): string {
  if (days <= 0) return "Ships same day";
  return `Ships in ${days} ${days === 1 ? "day" : "days"}`;
}

export function plural(fmt: Format, n: number, one: string, many: string): string {
  return `${fmt.number(n)} ${n === 1 ? one : many}`;
}

export type AttributeDefinition = Category["attributes"][number];

/** Attribute definitions by key for a category slug (its own and its parent's), from the tree. */
export function definitionsFor(tree: readonly Category[] | undefined, slug: string | undefined) {
  const definitions = new Map<string, AttributeDefinition>();
  if (!tree || !slug) return definitions;
  for (const root of tree) {
    const leaf = root.slug === slug ? root : root.children.find((c) => c.slug === slug);
    if (!leaf) continue;
    for (const d of [...(leaf === root ? [] : root.attributes), ...leaf.attributes])
      definitions.set(d.key, d);
  }
  return definitions;
}

/** The top-level category a slug sits under (for breadcrumbs), when the tree is at hand. */
export function parentOf(tree: readonly Category[] | undefined, slug: string): Category | undefined {
  return tree?.find((root) => root.children.some((c) => c.slug === slug));
}

/** "Length (mm)" from its definition, else the key made readable ("length_mm" → "Length mm"). */
export function attributeLabel(key: string, definition: AttributeDefinition | undefined): string {
  if (!definition) return humanise(key);
  return definition.unit ? `${definition.label} (${definition.unit})` : definition.label;
}

/** An attribute value for people: yes/no, numbers in the visitor's format, enum options readable. */
export function attributeValue(
  fmt: Format,
  value: string | number | boolean,
  definition: AttributeDefinition | undefined,
): string {
  if (typeof value === "boolean" || value === "true" || value === "false")
    return value === true || value === "true" ? "Yes" : "No";
  const number =
    typeof value === "number" ? value : /^-?\d{1,15}(\.\d{1,6})?$/.test(value) ? Number(value) : NaN;
  if (!Number.isNaN(number) && (typeof value === "number" || definition?.type === "number")) {
    return definition?.unit ? `${fmt.number(number)} ${definition.unit}` : fmt.number(number);
  }
  return definition?.type === "enum" ? humanise(String(value)) : String(value);
}

/** "from €0.39 / unit", and where that price starts ("at 1,000+"). */
export function PriceFrom(props: { fmt: Format; hit: Pick<ListingHit, "priceTiers" | "currency"> }) {
  const best = lowestTier(props.hit.priceTiers);
  if (!best) return null;
  return (
    <div class="price-from">
      <small>from </small>
      {props.fmt.money(best.unitPriceMinor, props.hit.currency)}
      <small> / unit at {props.fmt.number(best.minQuantity)}+</small>
    </div>
  );
}

export function ProductCard(props: {
  fmt: Format;
  hit: ListingHit;
  heading?: "h2" | "h3";
  showSeller?: boolean;
}) {
  const { fmt, hit } = props;
  const Heading = props.heading ?? "h3";
  return (
    <a class="product-card" href={`/listings/${hit.id}`}>
      {hit.image ? (
        <img src={hit.image} alt={hit.title} loading="lazy" decoding="async" width={320} height={320} />
      ) : (
        <span class="no-image">No image</span>
      )}
      <div class="product-card-body">
        <Heading>{hit.title}</Heading>
        <PriceFrom fmt={fmt} hit={hit} />
        <div class="meta">
          MOQ {fmt.number(hit.minOrderQuantity)} · {leadTime(hit.leadTimeDays)}
        </div>
        {props.showSeller !== false && <div class="meta card-seller">{hit.seller.name}</div>}
        <div class="meta">
          <RatingSummary fmt={fmt} rating={hit.seller.rating} />
        </div>
      </div>
    </a>
  );
}

export function ProductGrid(props: { fmt: Format; hits: ListingHit[]; showSeller?: boolean }) {
  return (
    <div class="product-grid">
      {props.hits.map((hit) => (
        <ProductCard fmt={props.fmt} hit={hit} showSeller={props.showSeller} />
      ))}
    </div>
  );
}

/** The dense view buyers like: one row per listing with its prices and terms. */
export function ProductTable(props: { fmt: Format; hits: ListingHit[]; showSeller?: boolean }) {
  const { fmt } = props;
  return (
    <div class="table-wrap">
      <table class="table stack-sm product-table">
        <thead>
          <tr>
            <th scope="col">Product</th>
            {props.showSeller !== false && <th scope="col">Seller</th>}
            <th scope="col" class="num">
              Price at MOQ
            </th>
            <th scope="col" class="num">
              Best price
            </th>
            <th scope="col" class="num">
              MOQ
            </th>
            <th scope="col">Lead time</th>
          </tr>
        </thead>
        <tbody>
          {props.hits.map((hit) => {
            const tiers = sortedTiers(hit.priceTiers);
            const atMoq = tierFor(tiers, hit.minOrderQuantity);
            const best = lowestTier(tiers);
            return (
              <tr>
                <td data-label="Product">
                  <span class="product-cell">
                    {hit.image ? (
                      <img src={hit.image} alt="" loading="lazy" width={40} height={40} />
                    ) : (
                      <span class="no-image thumb" aria-hidden="true" />
                    )}
                    <span>
                      <a href={`/listings/${hit.id}`}>{hit.title}</a>
                      <span class="meta block">{hit.category.name}</span>
                    </span>
                  </span>
                </td>
                {props.showSeller !== false && (
                  <td data-label="Seller">
                    {hit.seller.name}
                    <span class="meta block">
                      <RatingSummary fmt={fmt} rating={hit.seller.rating} />
                    </span>
                  </td>
                )}
                <td data-label="Price at MOQ" class="num">
                  {atMoq ? fmt.money(atMoq.unitPriceMinor, hit.currency) : "—"}
                </td>
                <td data-label="Best price" class="num">
                  {best ? (
                    <>
                      {fmt.money(best.unitPriceMinor, hit.currency)}{" "}
                      <span class="meta">at {fmt.number(best.minQuantity)}+</span>
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td data-label="MOQ" class="num">
                  {fmt.number(hit.minOrderQuantity)}
                </td>
                <td data-label="Lead time">{leadTime(hit.leadTimeDays)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

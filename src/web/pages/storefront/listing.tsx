/**
 * A listing's page: gallery, terms, volume pricing with the chosen quantity's tier highlighted, a buy box
 * (add to cart for buyers, sign-in for everyone else), description, specification and variants, and
 * schema.org Product/AggregateOffer JSON-LD. The listing comes from the API's edge copy when warm.
 */
import { ApiError } from "../../../lib/problem.ts";
import type { ListingView } from "../../../services/catalog/views.ts";
import { categoriesIfCached, listingPath, publishedListingCached } from "../../cache.ts";
import { Breadcrumbs } from "../../components.tsx";
import { isUuid, loadViewer, pageFacts, type Viewer, visitor, type WebContext } from "../../context.ts";
import { countryName, Format } from "../../format.ts";
import { page } from "../../render.tsx";
import { RatingSummary } from "../reviews.tsx";
import {
  attributeLabel,
  attributeValue,
  definitionsFor,
  leadTime,
  lowestTier,
  parentOf,
  sortedTiers,
  type Tier,
  tierFor,
  tierRange,
} from "./parts.tsx";

const GONE = "This listing does not exist or is no longer on sale.";

type Variant = ListingView["variants"][number];
type Stock = "in" | "low" | "out";

/** Stock as buyers need it (not raw numbers): out when the minimum order cannot be met. */
function stockOf(variant: Variant, moq: number): Stock {
  if (variant.stock < moq) return "out";
  return variant.stock < moq * 10 ? "low" : "in";
}
const STOCK_TEXT: Record<Stock, [string, string]> = {
  in: ["In stock", "badge badge-ok"],
  low: ["Low stock", "badge badge-warn"],
  out: ["Out of stock", "badge badge-bad"],
};

/** A quantity the buyer may order: at least the MOQ, on an increment step (rounded up). */
export function orderableQuantity(text: string | undefined, moq: number, increment: number): number {
  const asked = text && /^\d{1,9}$/.test(text) ? Number(text) : moq;
  if (asked <= moq) return moq;
  const step = Math.max(1, increment);
  return moq + Math.ceil((asked - moq) / step) * step;
}

/** About 155 characters of the description for the meta description, cut at a word. */
export function summary(text: string, length = 155): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= length) return flat;
  const cut = flat.slice(0, length - 1);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), length - 40)).replace(/[\s,.;:–-]+$/, "")}…`;
}

function productJsonLd(listing: ListingView, canonical: string, origin: string) {
  const tiers = listing.priceTiers.map((t) => t.unitPriceMinor);
  const available = listing.variants.some((v) => stockOf(v, listing.minOrderQuantity) !== "out");
  return {
    "@context": "https://schema.org",
    "@type": "Product",
    name: listing.title,
    description: listing.description.slice(0, 5000),
    sku: listing.variants[0]?.sku,
    image: listing.images.map((image) => `${origin}${image.url}`),
    category: listing.category.name,
    brand: { "@type": "Brand", name: listing.seller.name },
    url: canonical,
    offers: {
      "@type": "AggregateOffer",
      priceCurrency: listing.currency,
      lowPrice: Format.decimal(Math.min(...tiers), listing.currency),
      highPrice: Format.decimal(Math.max(...tiers), listing.currency),
      offerCount: Math.max(1, listing.variants.length),
      availability: available ? "https://schema.org/InStock" : "https://schema.org/OutOfStock",
      eligibleQuantity: { "@type": "QuantitativeValue", minValue: listing.minOrderQuantity, unitCode: "C62" },
      seller: { "@type": "Organization", name: listing.seller.name },
      url: canonical,
    },
  };
}

function Gallery(props: { listing: ListingView }) {
  const { images, title } = props.listing;
  if (images.length === 0) {
    return (
      <div class="gallery">
        <div class="gallery-track">
          <span class="no-image gallery-main">No image yet</span>
        </div>
      </div>
    );
  }
  return (
    <div class="gallery">
      <div class="gallery-track">
        {images.map((image, i) => (
          <img
            id={`image-${i + 1}`}
            class="gallery-main"
            src={image.url}
            alt={i === 0 ? title : `${title}, view ${i + 1} of ${images.length}`}
            width={640}
            height={640}
            loading={i === 0 ? "eager" : "lazy"}
            decoding="async"
          />
        ))}
      </div>
      {images.length > 1 && (
        <ul class="gallery-thumbs">
          {images.map((image, i) => (
            <li>
              <a href={`#image-${i + 1}`}>
                <img
                  src={image.url}
                  alt={`Show view ${i + 1} of ${images.length}`}
                  width={72}
                  height={72}
                  loading="lazy"
                />
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Paragraphs(props: { text: string }) {
  const blocks = props.text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean);
  return (
    <>
      {blocks.map((block) => {
        const lines = block.split("\n");
        return <p>{lines.flatMap((line, i) => (i === 0 ? [line] : [<br />, line]))}</p>;
      })}
    </>
  );
}

function TierTable(props: { fmt: Format; tiers: Tier[]; currency: string; active: Tier | undefined }) {
  const { fmt, tiers, currency, active } = props;
  const first = tiers[0]?.unitPriceMinor ?? 0;
  return (
    <table class="table tier-table">
      <caption class="visually-hidden">Unit price by quantity</caption>
      <thead>
        <tr>
          <th scope="col">Quantity (units)</th>
          <th scope="col" class="num">
            Unit price
          </th>
          <th scope="col" class="num">
            Saving
          </th>
        </tr>
      </thead>
      <tbody>
        {tiers.map((tier, i) => {
          const saving = first > 0 ? Math.round((1 - tier.unitPriceMinor / first) * 100) : 0;
          const current = tier === active;
          return (
            <tr
              class={current ? "highlight" : undefined}
              data-tier-min={tier.minQuantity}
              data-unit-price={tier.unitPriceMinor}
              aria-current={current ? "true" : undefined}
            >
              <th scope="row">{tierRange(fmt, tiers, i)}</th>
              <td class="num">{fmt.money(tier.unitPriceMinor, currency)}</td>
              <td class="num">{saving > 0 ? `−${fmt.number(saving)} %` : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function BuyBox(props: {
  fmt: Format;
  listing: ListingView;
  viewer: Viewer | null;
  quantity: number;
  variantId: string | undefined;
  tier: Tier | undefined;
}) {
  const { fmt, listing, viewer, quantity, tier } = props;
  const path = listingPath(listing.id);
  const orderable = listing.variants.filter((v) => stockOf(v, listing.minOrderQuantity) !== "out");
  const chosen =
    listing.variants.find((v) => v.id === props.variantId) ?? orderable[0] ?? listing.variants[0];
  const canOrder = Boolean(viewer?.org) && orderable.length > 0;
  const unit = tier?.unitPriceMinor ?? listing.minUnitPriceMinor;
  const variantControl =
    listing.variants.length > 1 ? (
      <div class="field">
        <label for="variant">Variant</label>
        <select id="variant" name={canOrder ? "variantId" : "variant"}>
          {listing.variants.map((v) => {
            const stock = stockOf(v, listing.minOrderQuantity);
            return (
              <option value={v.id} selected={v.id === chosen?.id} disabled={canOrder && stock === "out"}>
                {v.sku}
                {variantOptions(v) ? ` · ${variantOptions(v)}` : ""} · {STOCK_TEXT[stock][0]}
              </option>
            );
          })}
        </select>
      </div>
    ) : (
      chosen && canOrder && <input type="hidden" name="variantId" value={chosen.id} />
    );
  const quantityControl = (
    <div class="field">
      <label for="quantity">Quantity (units)</label>
      <div class="stepper">
        <input
          id="quantity"
          name="quantity"
          type="number"
          inputmode="numeric"
          min={listing.minOrderQuantity}
          step={listing.orderIncrement}
          value={quantity}
          required
          aria-describedby="quantity-hint"
          data-quantity
        />
      </div>
      <span class="hint" id="quantity-hint">
        Minimum {fmt.number(listing.minOrderQuantity)}
        {listing.orderIncrement > 1 ? `, in steps of ${fmt.number(listing.orderIncrement)}` : ""}.
      </span>
    </div>
  );
  const totals = (
    <dl class="buy-total">
      <dt>Line total</dt>
      <dd data-line-total>{fmt.money(unit * quantity, listing.currency)}</dd>
    </dl>
  );
  const stepperData = {
    "data-stepper": "",
    "data-currency": listing.currency,
    "data-locale": fmt.locale,
  };
  return (
    <aside class="buy-box panel" aria-labelledby="buy-heading">
      <h2 id="buy-heading" class="visually-hidden">
        Order
      </h2>
      <p class="unit-price">
        <span data-unit-price-text>{fmt.money(unit, listing.currency)}</span>
        <span class="unit-suffix"> / unit</span>
      </p>
      <p class="muted small">
        at <span data-tier-label>{fmt.number(quantity)}</span> units · excl. VAT
      </p>
      <dl class="kv buy-terms">
        <dt>Minimum order</dt>
        <dd>{fmt.number(listing.minOrderQuantity)} units</dd>
        <dt>Order in steps of</dt>
        <dd>{fmt.number(listing.orderIncrement)}</dd>
        <dt>Lead time</dt>
        <dd>{leadTime(listing.leadTimeDays)}</dd>
        <dt>Availability</dt>
        <dd>
          {chosen ? (
            <span class={STOCK_TEXT[stockOf(chosen, listing.minOrderQuantity)][1]}>
              {STOCK_TEXT[stockOf(chosen, listing.minOrderQuantity)][0]}
            </span>
          ) : (
            "Not available"
          )}
        </dd>
      </dl>
      {canOrder ? (
        <form method="post" action="/cart/lines" class="form buy-form" data-once {...stepperData}>
          <input type="hidden" name="listingId" value={listing.id} />
          <input type="hidden" name="next" value={path} />
          {variantControl}
          {quantityControl}
          {totals}
          <button type="submit" class="btn btn-primary btn-large">
            Add to cart
          </button>
        </form>
      ) : (
        <>
          <form method="get" action={path} class="form buy-form" {...stepperData}>
            {variantControl}
            {quantityControl}
            {totals}
            <button type="submit" class="btn" data-stepper-hide>
              Update price
            </button>
          </form>
          {!viewer ? (
            <a class="btn btn-primary btn-large buy-signin" href={`/signin?next=${encodeURIComponent(path)}`}>
              Sign in to order
            </a>
          ) : orderable.length === 0 ? (
            <p class="alert alert-warn">Out of stock: this listing cannot be ordered right now.</p>
          ) : (
            <p class="alert alert-info">
              To order, act for a buying organisation. <a href="/org/new">Create one</a> or switch in the
              account menu.
            </p>
          )}
          {!viewer && (
            <p class="muted small">
              New to Tradeyard? <a href="/signup">Create a business account</a> to order and pay on invoice.
            </p>
          )}
        </>
      )}
    </aside>
  );
}

function variantOptions(variant: Variant): string {
  return Object.entries(variant.attributes)
    .map(([key, value]) => `${key.replace(/_/g, " ")}: ${value}`)
    .join(", ");
}

export async function listingPage(c: WebContext) {
  const id = c.req.param("id") ?? "";
  if (!isUuid(id)) throw new ApiError("not_found", GONE);
  if (id !== id.toLowerCase()) return c.redirect(listingPath(id), 301);
  const principal = await visitor(c);
  const [viewer, listing, tree] = await Promise.all([
    principal ? loadViewer(c, principal, "buyer") : null,
    publishedListingCached(c, id).catch((error) => {
      throw error instanceof ApiError && error.status === 404 ? new ApiError("not_found", GONE) : error;
    }),
    categoriesIfCached(c),
  ]);
  const facts = pageFacts(c);
  const { fmt } = facts;
  const tiers = sortedTiers(listing.priceTiers);
  const quantity = orderableQuantity(
    c.req.query("quantity"),
    listing.minOrderQuantity,
    listing.orderIncrement,
  );
  const tier = tierFor(tiers, quantity);
  const best = lowestTier(tiers);
  const top = tiers.at(-1);
  const definitions = definitionsFor(tree, listing.category.slug);
  const parent = parentOf(tree, listing.category.slug);
  const origin = c.var.config.PUBLIC_URL;
  const canonical = `${origin}${listingPath(listing.id)}`;
  const country = countryName(listing.seller.country);
  const sells = viewer?.me.memberships.some((m) => m.orgId === listing.orgId);
  const attributes = Object.entries(listing.attributes);
  const hasWeight = listing.variants.some((v) => v.weightGrams !== null);

  return page(
    c,
    viewer,
    {
      facts,
      title: listing.title,
      description: summary(listing.description),
      canonical,
      jsonLd: productJsonLd(listing, canonical, origin),
      scripts: ["stepper.js", "enhance.js"],
    },
    <>
      <Breadcrumbs
        items={[
          ["Home", "/"],
          ...(parent ? [[parent.name, `/search?category=${parent.slug}`] as const] : []),
          [listing.category.name, `/search?category=${listing.category.slug}`],
          [listing.title, undefined],
        ]}
      />
      <div class="product">
        <Gallery listing={listing} />
        <div class="product-info">
          <h1>{listing.title}</h1>
          <p class="seller-line">
            Sold by <a href={`/sellers/${listing.seller.id}`}>{listing.seller.name}</a>
            {country ? ` · ${country}` : ""}
            {" · "}
            <RatingSummary
              fmt={fmt}
              rating={listing.seller.rating}
              href={`/sellers/${listing.seller.id}#reviews`}
            />
          </p>
          {sells && <p class="alert alert-info">Your organisation sells this listing.</p>}
          {best && (
            <p class="price-from">
              <small>from </small>
              {fmt.money(best.unitPriceMinor, listing.currency)}
              <small>
                {" "}
                / unit at {fmt.number(best.minQuantity)}+ · MOQ {fmt.number(listing.minOrderQuantity)} ·{" "}
                {leadTime(listing.leadTimeDays)}
              </small>
            </p>
          )}
          <section aria-labelledby="pricing-heading" class="product-section">
            <h2 id="pricing-heading">Volume pricing</h2>
            <TierTable fmt={fmt} tiers={tiers} currency={listing.currency} active={tier} />
            <p class="muted small">Prices per unit in {listing.currency}, excluding VAT.</p>
            {top && !sells && (
              <p class={quantity >= top.minQuantity ? "rfq-nudge rfq-nudge-strong" : "rfq-nudge"}>
                <span>
                  Need more than {fmt.number(top.minQuantity)} units or custom terms?{" "}
                  <span class="muted small">The seller answers with a quote you can compare and accept.</span>
                </span>
                <a
                  class={quantity >= top.minQuantity ? "btn btn-primary" : "btn"}
                  href={`/rfqs/new?${new URLSearchParams({
                    listingId: listing.id,
                    ...(c.req.query("variant") ? { variant: c.req.query("variant") ?? "" } : {}),
                    ...(quantity >= top.minQuantity ? { quantity: String(quantity) } : {}),
                  })}`}
                >
                  Request a quote
                </a>
              </p>
            )}
          </section>
          {attributes.length > 0 && (
            <section aria-labelledby="specs-heading" class="product-section">
              <h2 id="specs-heading">Specification</h2>
              <table class="table spec-table">
                <tbody>
                  {attributes.map(([key, value]) => (
                    <tr>
                      <th scope="row">{attributeLabel(key, definitions.get(key))}</th>
                      <td>{attributeValue(fmt, value, definitions.get(key))}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </div>
        <BuyBox
          fmt={fmt}
          listing={listing}
          viewer={viewer}
          quantity={quantity}
          variantId={c.req.query("variant")}
          tier={tier}
        />
      </div>
      <div class="product-details">
        <section aria-labelledby="description-heading" class="panel">
          <h2 id="description-heading">Description</h2>
          <Paragraphs text={listing.description} />
        </section>
        {listing.variants.length > 0 && (
          <section aria-labelledby="variants-heading" class="panel">
            <h2 id="variants-heading">Variants</h2>
            <div class="table-wrap">
              <table class="table stack-sm">
                <thead>
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col">Options</th>
                    {hasWeight && (
                      <th scope="col" class="num">
                        Weight per unit
                      </th>
                    )}
                    <th scope="col">Availability</th>
                  </tr>
                </thead>
                <tbody>
                  {listing.variants.map((variant) => {
                    const [text, badge] = STOCK_TEXT[stockOf(variant, listing.minOrderQuantity)];
                    return (
                      <tr>
                        <td data-label="SKU" class="mono">
                          {variant.sku}
                        </td>
                        <td data-label="Options">{variantOptions(variant) || "Standard"}</td>
                        {hasWeight && (
                          <td data-label="Weight per unit" class="num">
                            {variant.weightGrams === null ? "—" : `${fmt.number(variant.weightGrams)} g`}
                          </td>
                        )}
                        <td data-label="Availability">
                          <span class={badge}>{text}</span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        )}
        <section aria-labelledby="seller-heading" class="panel seller-card">
          <h2 id="seller-heading">About the seller</h2>
          <p>
            <a href={`/sellers/${listing.seller.id}`}>{listing.seller.name}</a>
            {country ? ` · ${country}` : ""}
          </p>
          <p>
            <RatingSummary
              fmt={fmt}
              rating={listing.seller.rating}
              href={`/sellers/${listing.seller.id}#reviews`}
            />
          </p>
          <p class="muted small">
            Orders are placed with the seller directly; they confirm, ship and invoice them.{" "}
            <a href={`/sellers/${listing.seller.id}`}>See all their listings</a>.
          </p>
          <p>
            <a class="btn" href={`/messages/new?subjectType=listing&subjectId=${listing.id}`}>
              Message the seller
            </a>
          </p>
        </section>
      </div>
    </>,
  );
}

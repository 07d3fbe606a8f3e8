/**
 * Asking for quotes: about a listing (its seller, one of its variants) or open to the sellers of a
 * category with free-text items (three rows without JavaScript; blank rows are ignored). Validated with
 * the API's own body schema; refusals re-render the form with what was typed.
 */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { rfqBody } from "../../../routes/negotiation/negotiation.routes.ts";
import type { ListingView } from "../../../services/catalog/views.ts";
import { getOrg } from "../../../services/identity/orgs.ts";
import { type CategoryChoice, categoryChoices } from "../../../services/negotiation/categories.ts";
import { createRfq } from "../../../services/negotiation/rfqs.ts";
import type { AppEnv } from "../../../types.ts";
import { publishedListingCached } from "../../cache.ts";
import { Breadcrumbs, ErrorSummary, Field, type FieldErrors, PageHead } from "../../components.tsx";
import { isUuid, redirectWith, type WebContext } from "../../context.ts";
import { parseDecimal } from "../../format.ts";
import { attempt, type Form, field, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import { countryOptions } from "../buyer/checkout.tsx";
import { type BuyerContext, buyerForPost, buyerRead } from "../buyer/shared.tsx";
import { hasRole } from "./shared.tsx";

export const rfqNewPages = new Hono<AppEnv>();

const ROWS = 3;
const CURRENCIES = ["EUR", "USD", "GBP", "CHF", "PLN", "SEK", "DKK", "CZK", "JPY"] as const;
const LABELS: Record<string, string> = {
  title: "Title",
  categoryId: "Category",
  currency: "Currency",
  deliveryCountry: "Delivery country",
  neededBy: "Needed by",
  notes: "Notes for the sellers",
  internalNotes: "Internal notes",
  items: "Items",
  "items.0.variantId": "Variant",
  "items.0.quantity": "Quantity",
  "items.0.targetUnitPriceMinor": "Target unit price",
};

interface NewData {
  listing?: ListingView;
  categories: CategoryChoice[];
}

/** The listing asked about (from the edge copy), or the categories to choose from. */
async function readNew(c: WebContext, listingId: string | undefined): Promise<NewData> {
  if (listingId) return { listing: await publishedListingCached(c, listingId), categories: [] };
  return { categories: await categoryChoices(serviceContext(c)) };
}

function listingIdOf(text: string | undefined): string | undefined {
  return text && isUuid(text) ? text.toLowerCase() : undefined;
}

rfqNewPages.get("/rfqs/new", async (c) => {
  const listingId = listingIdOf(c.req.query("listingId"));
  const result = await buyerRead(c, async (orgId, principal) => {
    const [org, data] = await Promise.all([
      getOrg(serviceContext(c), principal, orgId),
      readNew(c, listingId),
    ]);
    return { org, ...data };
  });
  if (result instanceof Response) return result;
  const { listing, org } = result.data;
  const prefill = new URLSearchParams();
  if (org.country) prefill.set("deliveryCountry", org.country);
  if (listing) {
    prefill.set("title", `Quote for ${listing.title}`.slice(0, 200));
    const variant = listing.variants.find((v) => v.id === c.req.query("variant")) ?? listing.variants[0];
    if (variant) prefill.set("items.0.variantId", variant.id);
    const top = listing.priceTiers.reduce((max, tier) => Math.max(max, tier.minQuantity), 0);
    prefill.set(
      "items.0.quantity",
      c.req.query("quantity") ?? String(Math.max(top, listing.minOrderQuantity)),
    );
  }
  return renderNew(c, result, result.data, prefill);
});

/** The form as the API's RFQ body; the row numbers of item errors follow the rows shown. */
function bodyFrom(form: Form, listing: ListingView | undefined) {
  const currency = listing?.currency ?? field(form, "currency");
  const errors: FieldErrors = {};
  const items: Record<string, unknown>[] = [];
  const positions: number[] = [];
  for (let i = 0; i < 50; i++) {
    const description = listing ? listing.title : field(form, `items.${i}.description`);
    const quantity = field(form, `items.${i}.quantity`);
    const target = field(form, `items.${i}.targetUnitPriceMinor`);
    if (!form.has(`items.${i}.quantity`)) break;
    if (!listing && !description && !quantity && !target) continue;
    const targetMinor = target ? parseDecimal(target, currency || "EUR") : undefined;
    if (target && targetMinor === undefined)
      errors[`items.${i}.targetUnitPriceMinor`] = "enter a price like 12.50, or leave it empty";
    positions.push(i);
    const variantId = field(form, `items.${i}.variantId`);
    items.push({
      ...(variantId ? { variantId } : {}),
      description,
      quantity: /^\d{1,9}$/.test(quantity) ? Number(quantity) : Number.NaN,
      ...(targetMinor !== undefined ? { targetUnitPriceMinor: targetMinor } : {}),
    });
  }
  const optional = (name: string) => (form.get(name) ?? "").replace(/\r\n?/g, "\n").trim() || undefined;
  const body = {
    title: field(form, "title"),
    ...(listing ? { listingId: listing.id } : { categoryId: field(form, "categoryId") || undefined }),
    currency,
    deliveryCountry: field(form, "deliveryCountry").toUpperCase(),
    neededBy: field(form, "neededBy"),
    notes: optional("notes"),
    internalNotes: optional("internalNotes"),
    items,
  };
  const parsed = rfqBody.safeParse(body);
  if (!parsed.success) {
    for (const [key, message] of Object.entries(zodErrors(parsed.error))) {
      const name = key.replace(/^items\.(\d+)/, (_, n: string) => `items.${positions[Number(n)] ?? n}`);
      errors[name === "items" ? (listing ? "items.0.quantity" : "items.0.description") : name] ??=
        name === "items" ? "add at least one item" : message;
    }
  }
  return parsed.success && Object.keys(errors).length === 0 ? { body: parsed.data, errors } : { errors };
}

rfqNewPages.post("/rfqs/new", async (c) => {
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const data = await readNew(c, listingIdOf(field(form, "listingId")));
  const again = (problem: { message?: string; errors?: FieldErrors }, status: 403 | 404 | 409 | 422) =>
    renderNew(c, buyer, data, form, problem, status);
  const { body, errors } = bodyFrom(form, data.listing);
  if (!body) return again({ errors }, 422);
  const done = await attempt(
    () => createRfq(serviceContext(c), buyer.principal, buyer.org.orgId, body),
    // The service's own validation (a date in the past) is a form error like the schema's.
    (p) =>
      again(
        { message: p.message, errors: p.errors },
        (p.status === 400 ? 422 : p.status) as 403 | 404 | 409 | 422,
      ),
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/rfqs/${done.id}`, "rfq-created");
});

function renderNew(
  c: WebContext,
  buyer: BuyerContext,
  data: NewData,
  form: Form,
  problem?: { message?: string; errors?: FieldErrors },
  status: 200 | 403 | 404 | 409 | 422 = 200,
) {
  const { listing } = data;
  const errors = problem?.errors ?? {};
  const value = (name: string) => form.get(name) ?? "";
  const rows = Math.max(
    ROWS,
    ...[...form.keys()].map((k) => Number(/^items\.(\d+)\./.exec(k)?.[1] ?? -1) + 1),
  );
  const title = listing ? "Request a quote" : "Request quotes from a category";
  return page(
    c,
    buyer.viewer,
    { title, noindex: true, status, scripts: ["enhance.js"] },
    <>
      <Breadcrumbs
        items={[
          ["Requests for quotes", "/rfqs"],
          [title, undefined],
        ]}
      />
      <PageHead
        title={title}
        subtitle={
          listing ? (
            <>
              About <a href={`/listings/${listing.id}`}>{listing.title}</a>, from {listing.seller.name}
            </>
          ) : (
            `Every seller with listings in the category may quote. Asking for ${buyer.org.orgName}.`
          )
        }
      />
      <ErrorSummary message={problem?.message} errors={errors} labels={LABELS} />
      {!hasRole(buyer.org, "rfqs:write") && (
        <p class="alert alert-info">
          Your role ({buyer.org.role}) cannot ask for quotes. Buyers, admins and owners can.
        </p>
      )}
      <form method="post" action="/rfqs/new" class="form form-wide rfq-form panel" data-once>
        {listing && <input type="hidden" name="listingId" value={listing.id} />}
        <Field name="title" label="Title" required maxlength={200} value={value("title")} errors={errors} />
        {listing ? (
          <div class="row">
            <Field
              name="items.0.variantId"
              label="Variant"
              required
              value={value("items.0.variantId")}
              errors={errors}
              options={listing.variants.map((v) => [v.id, v.sku] as const)}
            />
            <Field
              name="items.0.quantity"
              label="Quantity (units)"
              type="number"
              min={1}
              required
              value={value("items.0.quantity")}
              errors={errors}
            />
            <Field
              name="items.0.targetUnitPriceMinor"
              label={`Target unit price (${listing.currency})`}
              inputmode="decimal"
              value={value("items.0.targetUnitPriceMinor")}
              errors={errors}
              hint="What you hope to pay; the seller sees it."
            />
          </div>
        ) : (
          <>
            <div class="row">
              <Field
                name="categoryId"
                label="Category"
                required
                value={value("categoryId")}
                errors={errors}
                options={[
                  ["", "Choose a category"],
                  ...data.categories.map(
                    (cat) => [cat.id, cat.parent ? `${cat.parent} › ${cat.name}` : cat.name] as const,
                  ),
                ]}
              />
              <Field
                name="currency"
                label="Currency"
                required
                value={value("currency") || "EUR"}
                errors={errors}
                options={CURRENCIES.map((code) => [code, code] as const)}
              />
            </div>
            <fieldset class="rfq-items">
              <legend>Items</legend>
              <p class="hint">Describe each item; leave extra rows empty.</p>
              {Array.from({ length: Math.min(rows, 50) }, (_, i) => (
                <div class="line-row">
                  <Field
                    name={`items.${i}.description`}
                    label="Description"
                    maxlength={500}
                    value={value(`items.${i}.description`)}
                    errors={errors}
                    required={i === 0}
                  />
                  <Field
                    name={`items.${i}.quantity`}
                    label="Quantity"
                    type="number"
                    min={1}
                    value={value(`items.${i}.quantity`)}
                    errors={errors}
                    required={i === 0}
                  />
                  <Field
                    name={`items.${i}.targetUnitPriceMinor`}
                    label="Target unit price"
                    inputmode="decimal"
                    value={value(`items.${i}.targetUnitPriceMinor`)}
                    errors={errors}
                  />
                </div>
              ))}
            </fieldset>
          </>
        )}
        <div class="row">
          <Field
            name="neededBy"
            label="Needed by"
            type="date"
            required
            value={value("neededBy")}
            errors={errors}
          />
          <Field
            name="deliveryCountry"
            label="Delivery country"
            required
            autocomplete="country"
            value={value("deliveryCountry").toUpperCase()}
            errors={errors}
            options={countryOptions()}
          />
        </div>
        <Field
          name="notes"
          label={listing ? "Notes for the seller" : "Notes for the sellers"}
          multiline
          maxlength={4000}
          value={value("notes")}
          errors={errors}
          hint="Specification, packaging, delivery terms, certificates."
        />
        <Field
          name="internalNotes"
          label="Internal notes"
          multiline
          maxlength={4000}
          value={value("internalNotes")}
          errors={errors}
          hint="Only your organisation sees this: budgets, current supplier, approvals."
        />
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Send request
          </button>
          <a class="btn" href={listing ? `/listings/${listing.id}` : "/rfqs"}>
            Cancel
          </a>
        </div>
      </form>
    </>,
  );
}

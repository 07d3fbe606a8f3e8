/** The new-RFQ form: about a listing (variant, quantity, target), or open to a category with item rows. */
import type { ListingView } from "../../../services/catalog/views.ts";
import type { CategoryChoice } from "../../../services/negotiation/categories.ts";
import { Breadcrumbs, ErrorSummary, Field, type FieldErrors, PageHead } from "../../components.tsx";
import type { WebContext } from "../../context.ts";
import type { Form } from "../../forms.ts";
import { page } from "../../render.tsx";
import { countryOptions } from "../buyer/address-fields.tsx";
import type { BuyerContext } from "../buyer/shared.tsx";
import { hasRole } from "./shared.tsx";

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
export interface NewData {
  listing?: ListingView;
  categories: CategoryChoice[];
}

export function renderNew(
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

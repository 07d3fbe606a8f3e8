/**
 * The listing form: what a seller types (text fields, rows of variants and price tiers, typed attributes
 * of the chosen category) becomes the API's JSON body, validated by the API's own zod schema; its errors
 * come back keyed by the form's field names, so each shows next to the control it is about.
 */
import type { z } from "zod";
import type { Category } from "../../../contracts/catalog.ts";
import type { AttributeDefinition } from "../../../db/schema/index.ts";
import { createListingSchema, updateListingSchema } from "../../../services/catalog/schemas.ts";
import type { ListingView } from "../../../services/catalog/views.ts";
import { ErrorSummary, Field, type FieldErrors } from "../../components.tsx";
import { currencyDigits, Format, parseDecimal } from "../../format.ts";
import { type Form, field } from "../../forms.ts";

export const CURRENCIES = [
  ["EUR", "EUR · Euro"],
  ["USD", "USD · US dollar"],
  ["GBP", "GBP · Pound sterling"],
  ["CHF", "CHF · Swiss franc"],
  ["PLN", "PLN · Polish złoty"],
  ["CZK", "CZK · Czech koruna"],
  ["SEK", "SEK · Swedish krona"],
  ["DKK", "DKK · Danish krone"],
  ["NOK", "NOK · Norwegian krone"],
  ["JPY", "JPY · Japanese yen"],
] as const;

const MIN_VARIANT_ROWS = 3;
const MIN_TIER_ROWS = 4;
const MAX_TIER_ROWS = 10;
const MAX_VARIANT_ROWS = 100;
const MAX_AXES = 2;

export interface VariantRow {
  sku: string;
  stock: string;
  weightGrams: string;
  attrs: Record<string, string>;
}
export interface TierRow {
  minQuantity: string;
  unitPrice: string;
}

/** The form as typed (every value text, so a re-render shows exactly what was sent). */
export interface ListingFormValues {
  title: string;
  category: string;
  description: string;
  currency: string;
  minOrderQuantity: string;
  orderIncrement: string;
  leadTimeDays: string;
  attrs: Record<string, string>;
  /** Category attributes the variants differ by (each row sets them). */
  axes: string[];
  variants: VariantRow[];
  tiers: TierRow[];
}

/** Categories a listing can be filed under: sub-categories, or a top-level category without any. */
export function leafCategories(tree: Category[]): { group: string; categories: Category[] }[] {
  return tree.map((root) => ({
    group: root.name,
    categories: root.children.length ? root.children : [root],
  }));
}

export function findCategory(tree: Category[], slug: string): Category | undefined {
  for (const root of tree) {
    if (root.slug === slug) return root;
    const child = root.children.find((c) => c.slug === slug);
    if (child) return child;
  }
  return undefined;
}

const blankVariant = (): VariantRow => ({ sku: "", stock: "", weightGrams: "", attrs: {} });
const blankTier = (): TierRow => ({ minQuantity: "", unitPrice: "" });

function padded<T>(rows: T[], minimum: number, maximum: number, blank: () => T, extra = 0): T[] {
  const size = Math.min(maximum, Math.max(minimum, rows.length + extra));
  return [...rows, ...Array.from({ length: Math.max(0, size - rows.length) }, blank)];
}

export function emptyValues(): ListingFormValues {
  return {
    title: "",
    category: "",
    description: "",
    currency: "EUR",
    minOrderQuantity: "1",
    orderIncrement: "1",
    leadTimeDays: "0",
    attrs: {},
    axes: [],
    variants: padded([], MIN_VARIANT_ROWS, MAX_VARIANT_ROWS, blankVariant),
    tiers: padded([], MIN_TIER_ROWS, MAX_TIER_ROWS, blankTier),
  };
}

const attributeText = (value: string | number | boolean | undefined) =>
  value === undefined ? "" : typeof value === "boolean" ? (value ? "on" : "") : String(value);

/** A saved listing as form values (plus blank rows to add variants and tiers). */
export function valuesFromListing(listing: ListingView): ListingFormValues {
  const axes = [...new Set(listing.variants.flatMap((v) => Object.keys(v.attributes)))].slice(0, MAX_AXES);
  return {
    title: listing.title,
    category: listing.category.slug,
    description: listing.description,
    currency: listing.currency,
    minOrderQuantity: String(listing.minOrderQuantity),
    orderIncrement: String(listing.orderIncrement),
    leadTimeDays: String(listing.leadTimeDays),
    attrs: Object.fromEntries(Object.entries(listing.attributes).map(([k, v]) => [k, attributeText(v)])),
    axes,
    variants: padded(
      listing.variants.map((v) => ({
        sku: v.sku,
        stock: String(v.stock),
        weightGrams: v.weightGrams === null ? "" : String(v.weightGrams),
        attrs: Object.fromEntries(axes.map((key) => [key, attributeText(v.attributes[key])])),
      })),
      MIN_VARIANT_ROWS,
      MAX_VARIANT_ROWS,
      blankVariant,
      1,
    ),
    tiers: padded(
      listing.priceTiers.map((t) => ({
        minQuantity: String(t.minQuantity),
        unitPrice: Format.decimal(t.unitPriceMinor, listing.currency),
      })),
      MIN_TIER_ROWS,
      MAX_TIER_ROWS,
      blankTier,
      1,
    ),
  };
}

/** The posted form as values. `more` adds a blank variant and tier row (the "Update fields" button). */
export function valuesFromForm(form: Form, more = false): ListingFormValues {
  const prefixed = (prefix: string) =>
    Object.fromEntries(
      [...form.keys()]
        .filter((key) => key.startsWith(prefix))
        .map((key) => [key.slice(prefix.length), field(form, key)]),
    );
  const variants: VariantRow[] = [];
  for (let i = 0; i < MAX_VARIANT_ROWS && form.has(`variants.${i}.sku`); i++) {
    variants.push({
      sku: field(form, `variants.${i}.sku`),
      stock: field(form, `variants.${i}.stock`),
      weightGrams: field(form, `variants.${i}.weightGrams`),
      attrs: prefixed(`variants.${i}.attr.`),
    });
  }
  const tiers: TierRow[] = [];
  for (let i = 0; i < MAX_TIER_ROWS && form.has(`priceTiers.${i}.minQuantity`); i++) {
    tiers.push({
      minQuantity: field(form, `priceTiers.${i}.minQuantity`),
      unitPrice: field(form, `priceTiers.${i}.unitPrice`),
    });
  }
  const filled = <T extends object>(rows: T[]) => rows.filter((row) => !isBlank(row)).length;
  return {
    title: field(form, "title"),
    category: field(form, "category"),
    description: (form.get("description") ?? "").trim(),
    currency: field(form, "currency") || "EUR",
    minOrderQuantity: field(form, "minOrderQuantity"),
    orderIncrement: field(form, "orderIncrement"),
    leadTimeDays: field(form, "leadTimeDays"),
    attrs: prefixed("attr."),
    axes: [...new Set(form.getAll("axis").map((a) => a.trim()))].filter(Boolean).slice(0, MAX_AXES),
    variants: padded(
      variants,
      MIN_VARIANT_ROWS,
      MAX_VARIANT_ROWS,
      blankVariant,
      more && filled(variants) === variants.length ? 1 : 0,
    ),
    tiers: padded(
      tiers,
      MIN_TIER_ROWS,
      MAX_TIER_ROWS,
      blankTier,
      more && filled(tiers) === tiers.length ? 1 : 0,
    ),
  };
}

function isBlank(row: object): boolean {
  return Object.values(row).every((value) =>
    typeof value === "string" ? value === "" : Object.values(value as object).every((v) => v === ""),
  );
}

/** Form field name of an attribute control. */
const attrName = (key: string, variant?: number) =>
  variant === undefined ? `attr.${key}` : `variants.${variant}.attr.${key}`;

type Json = Record<string, unknown>;
export interface BuiltInput {
  body: Json;
  errors: FieldErrors;
  /** Form row of each JSON array index (blank rows are skipped). */
  rows: { variants: number[]; priceTiers: number[] };
}

const WHOLE = /^\d{1,10}$/;

function attributeValue(
  definition: AttributeDefinition,
  text: string,
): { value?: string | number | boolean; error?: string } {
  switch (definition.type) {
    case "boolean":
      return { value: text === "on" || text === "true" };
    case "number": {
      if (text === "") return {};
      const number = Number(text.replace(",", "."));
      return Number.isFinite(number) && /^-?[\d.,]+$/.test(text)
        ? { value: number }
        : { error: `Enter a number${definition.unit ? ` in ${definition.unit}` : ""}` };
    }
    default:
      return text === "" ? {} : { value: text };
  }
}

/**
 * The API body for these values, and the errors found turning text into numbers. `attributes` are those
 * of `category` (unknown keys are dropped: they belonged to a category the seller switched away from).
 */
export function buildInput(values: ListingFormValues, category: Category | undefined): BuiltInput {
  const errors: FieldErrors = {};
  const definitions = category?.attributes ?? [];
  const axes = values.axes.filter((key) => definitions.some((d) => d.key === key));
  const whole = (name: string, text: string, message: string): number | undefined => {
    if (text === "") return undefined;
    if (WHOLE.test(text)) return Number(text);
    errors[name] = message;
    return undefined;
  };
  const attributes: Json = {};
  for (const definition of definitions) {
    if (axes.includes(definition.key)) continue;
    const name = attrName(definition.key);
    const { value, error } = attributeValue(definition, values.attrs[definition.key] ?? "");
    if (error) errors[name] = error;
    else if (value !== undefined) attributes[definition.key] = value;
  }
  const rows = { variants: [] as number[], priceTiers: [] as number[] };
  const variants: Json[] = [];
  values.variants.forEach((row, index) => {
    if (isBlank(row)) return;
    rows.variants.push(index);
    const variantAttributes: Json = {};
    for (const key of axes) {
      const definition = definitions.find((d) => d.key === key);
      if (!definition) continue;
      const { value, error } = attributeValue(definition, row.attrs[key] ?? "");
      if (error) errors[attrName(key, index)] = error;
      else if (value !== undefined) variantAttributes[key] = value;
    }
    const stock = whole(`variants.${index}.stock`, row.stock, "Enter the stock as a whole number");
    if (row.stock === "") errors[`variants.${index}.stock`] = "Enter the stock (0 if none yet)";
    variants.push({
      sku: row.sku,
      attributes: variantAttributes,
      stock,
      weightGrams:
        whole(`variants.${index}.weightGrams`, row.weightGrams, "Enter the weight in whole grams") ?? null,
    });
  });
  const priceTiers: Json[] = [];
  const example = currencyDigits(values.currency) === 0 ? "1250" : "12.50";
  values.tiers.forEach((row, index) => {
    if (isBlank(row)) return;
    rows.priceTiers.push(index);
    const minQuantity = whole(`priceTiers.${index}.minQuantity`, row.minQuantity, "Enter a whole quantity");
    if (row.minQuantity === "")
      errors[`priceTiers.${index}.minQuantity`] = "Enter the quantity this price starts at";
    const unitPriceMinor = parseDecimal(row.unitPrice, values.currency);
    if (unitPriceMinor === undefined) {
      errors[`priceTiers.${index}.unitPrice`] =
        row.unitPrice === ""
          ? "Enter the unit price"
          : `Enter a price in ${values.currency} such as ${example}, without the currency sign`;
    }
    priceTiers.push({ minQuantity, unitPriceMinor });
  });
  const body: Json = {
    title: values.title,
    category: values.category,
    description: values.description,
    currency: values.currency,
    minOrderQuantity: whole("minOrderQuantity", values.minOrderQuantity, "Enter a whole quantity"),
    orderIncrement: whole("orderIncrement", values.orderIncrement, "Enter a whole quantity"),
    leadTimeDays: whole("leadTimeDays", values.leadTimeDays, "Enter a whole number of days"),
    attributes,
    variants,
    priceTiers,
  };
  if (!values.category) errors.category = "Choose a category";
  return { body, errors, rows };
}

/** An API error path (`priceTiers.1.unitPriceMinor`, `body.attributes.size`) as the form field it is about. */
export function formFieldOf(path: string, rows: BuiltInput["rows"], axes: string[]): string {
  const parts = path.replace(/^(body|json)\./, "").split(".");
  const [head, index, leaf, key] = parts;
  if ((head === "variants" || head === "priceTiers") && index !== undefined && /^\d+$/.test(index)) {
    const row = rows[head][Number(index)] ?? Number(index);
    if (head === "priceTiers")
      return `priceTiers.${row}.${leaf === "minQuantity" ? "minQuantity" : "unitPrice"}`;
    if (leaf === "attributes" && key) return attrName(key, row);
    return `variants.${row}.${leaf === "stock" || leaf === "weightGrams" ? leaf : "sku"}`;
  }
  if (head === "variants") return "variants.0.sku";
  if (head === "priceTiers") return `priceTiers.${rows.priceTiers[0] ?? 0}.minQuantity`;
  if (head === "attributes" && index) {
    // The service names a bad key without saying whose it is: a variant axis, or the listing's own.
    return axes.includes(index) ? attrName(index, rows.variants[0] ?? 0) : attrName(index);
  }
  return head || "form";
}

/** zod issues in words a seller reads, keyed by form field. */
export function schemaErrors(error: z.ZodError, built: BuiltInput, axes: string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const name = formFieldOf(issue.path.join("."), built.rows, axes);
    errors[name] ??= describeIssue(issue);
  }
  return errors;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
  if (issue.code === "too_small") {
    if (issue.origin === "string") return `Enter at least ${issue.minimum} characters`;
    if (issue.origin === "array")
      return issue.path[0] === "priceTiers" ? "Add at least one price tier" : "Add at least one variant";
    return `Must be at least ${issue.minimum}`;
  }
  if (issue.code === "too_big") {
    if (issue.origin === "string") return `Use at most ${issue.maximum} characters`;
    if (issue.origin === "array") return `At most ${issue.maximum} rows`;
    return `Must be at most ${issue.maximum}`;
  }
  if (issue.code === "invalid_type") return "Required";
  return sentence(issue.message);
}

/** Validates the built body with the API's schema (create, or update without images). */
export function validate(
  built: BuiltInput,
  axes: string[],
  mode: "create" | "update",
): { data?: Json; errors: FieldErrors } {
  const schema = mode === "create" ? createListingSchema : updateListingSchema;
  const parsed = schema.safeParse(built.body);
  const errors = { ...(parsed.success ? {} : schemaErrors(parsed.error, built, axes)), ...built.errors };
  return Object.keys(errors).length || !parsed.success ? { errors } : { data: parsed.data as Json, errors };
}

/** Labels for the error summary, e.g. `priceTiers.1.unitPrice` → "Price tier 2: unit price". */
export function errorLabels(errors: FieldErrors, category: Category | undefined): Record<string, string> {
  const base: Record<string, string> = {
    title: "Title",
    category: "Category",
    description: "Description",
    currency: "Currency",
    minOrderQuantity: "Minimum order quantity",
    orderIncrement: "Order increment",
    leadTimeDays: "Lead time",
    images: "Images",
    form: "Listing",
  };
  const attrLabel = (key: string) => category?.attributes.find((d) => d.key === key)?.label ?? key;
  const labels: Record<string, string> = {};
  for (const key of Object.keys(errors)) {
    const parts = key.split(".");
    if (base[key]) labels[key] = base[key];
    else if (parts[0] === "attr" && parts[1]) labels[key] = attrLabel(parts[1]);
    else if (parts[0] === "priceTiers")
      labels[key] =
        `Price tier ${Number(parts[1]) + 1}: ${parts[2] === "minQuantity" ? "from quantity" : "unit price"}`;
    else if (parts[0] === "variants") {
      const what =
        parts[2] === "attr" && parts[3]
          ? attrLabel(parts[3])
          : ({ sku: "SKU", stock: "stock", weightGrams: "weight" }[parts[2] ?? ""] ?? "");
      labels[key] = `Variant ${Number(parts[1]) + 1}: ${what}`;
    }
  }
  return labels;
}

const fieldId = (name: string) => `f-${name.replace(/[^\w-]/g, "-")}`;

/** A control inside a table row: labelled for assistive technology, its error right under it. */
function CellControl(props: {
  name: string;
  label: string;
  value: string;
  errors: FieldErrors;
  inputmode?: "numeric" | "decimal" | "text";
  definition?: AttributeDefinition;
  placeholder?: string;
}) {
  const id = fieldId(props.name);
  const error = props.errors[props.name];
  const common = {
    id,
    name: props.name,
    "aria-label": props.label,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": error ? `${id}-error` : undefined,
  };
  const definition = props.definition;
  const control =
    definition?.type === "enum" ? (
      <select {...common}>
        <option value="">—</option>
        {(definition.options ?? []).map((option) => (
          <option value={option} selected={props.value === option}>
            {option}
          </option>
        ))}
      </select>
    ) : definition?.type === "boolean" ? (
      <input {...common} type="checkbox" checked={props.value === "on"} />
    ) : (
      <input
        {...common}
        type="text"
        value={props.value}
        inputmode={definition?.type === "number" ? "decimal" : props.inputmode}
        placeholder={props.placeholder ?? definition?.unit}
        autocomplete="off"
      />
    );
  return (
    <>
      {control}
      {error && (
        <span class="error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </>
  );
}

/** One category attribute as a labelled field of the right kind. */
function AttributeField(props: { definition: AttributeDefinition; value: string; errors: FieldErrors }) {
  const { definition } = props;
  const name = attrName(definition.key);
  if (definition.type === "boolean") {
    const id = fieldId(name);
    return (
      <div class="field">
        <label class="checkbox" for={id}>
          <input id={id} type="checkbox" name={name} checked={props.value === "on"} />
          {definition.label}
        </label>
      </div>
    );
  }
  return (
    <Field
      name={name}
      label={definition.unit ? `${definition.label} (${definition.unit})` : definition.label}
      value={props.value}
      errors={props.errors}
      inputmode={definition.type === "number" ? "decimal" : undefined}
      maxlength={200}
      options={
        definition.type === "enum"
          ? [["", "Not specified"], ...(definition.options ?? []).map((o) => [o, o] as const)]
          : undefined
      }
    />
  );
}

export interface ListingFormProps {
  id: string;
  action: string;
  values: ListingFormValues;
  errors: FieldErrors;
  message?: string;
  tree: Category[];
  version?: number;
  submitLabel: string;
  disabled?: boolean;
}

/**
 * The form's save button for the page head: placed before the form in the page, it is the form's default
 * button, so Enter in a field saves rather than pressing "Update fields".
 */
export function SaveButton(props: { form: string; label: string; disabled?: boolean }) {
  return (
    <button
      class="btn btn-primary"
      type="submit"
      form={props.form}
      name="intent"
      value="save"
      disabled={props.disabled}
    >
      {props.label}
    </button>
  );
}

/** The whole listing form (create and edit); render {@link SaveButton} above it. */
export function ListingForm(props: ListingFormProps) {
  const { values, errors } = props;
  const category = findCategory(props.tree, values.category);
  const definitions = category?.attributes ?? [];
  const axes = values.axes.filter((key) => definitions.some((d) => d.key === key));
  const listingAttributes = definitions.filter((d) => !axes.includes(d.key));
  const axisDefinitions = axes
    .map((key) => definitions.find((d) => d.key === key))
    .filter((d): d is AttributeDefinition => d !== undefined);
  const digits = currencyDigits(values.currency);
  return (
    <form method="post" action={props.action} class="form form-wide listing-form" id={props.id} data-once>
      {props.version !== undefined && <input type="hidden" name="version" value={String(props.version)} />}
      <ErrorSummary message={props.message} errors={errors} labels={errorLabels(errors, category)} />
      <section class="panel" aria-labelledby={`${props.id}-basics`}>
        <h2 id={`${props.id}-basics`}>Product</h2>
        <div class="stack">
          <Field
            name="title"
            label="Title"
            required
            maxlength={200}
            value={values.title}
            errors={errors}
            hint="What a buyer searches for: product, size, material, e.g. “Hex bolt M8 × 40, A4 stainless”."
          />
          <div class="field-with-action">
            <div class={errors.category ? "field field-invalid" : "field"}>
              <label for="f-category">Category</label>
              <select
                id="f-category"
                name="category"
                required
                aria-invalid={errors.category ? "true" : undefined}
                aria-describedby={errors.category ? "f-category-error f-category-hint" : "f-category-hint"}
              >
                <option value="">Choose a category</option>
                {leafCategories(props.tree).map((group) => (
                  <optgroup label={group.group}>
                    {group.categories.map((c) => (
                      <option value={c.slug} selected={c.slug === values.category}>
                        {c.name}
                      </option>
                    ))}
                  </optgroup>
                ))}
              </select>
              <span class="hint" id="f-category-hint">
                The category decides which details you can fill in below.
              </span>
              {errors.category && (
                <span class="error" id="f-category-error">
                  {errors.category}
                </span>
              )}
            </div>
            <button class="btn" type="submit" name="intent" value="refresh" formnovalidate>
              Update fields
            </button>
          </div>
          <Field
            name="description"
            label="Description"
            multiline
            maxlength={10000}
            value={values.description}
            errors={errors}
            hint="Materials, standards, packaging and what is included. Plain text."
          />
        </div>
      </section>

      <section class="panel" aria-labelledby={`${props.id}-details`}>
        <h2 id={`${props.id}-details`}>Details</h2>
        {!category ? (
          <p class="muted">Choose a category and press “Update fields” to fill in its details.</p>
        ) : listingAttributes.length === 0 ? (
          <p class="muted">{category.name} has no further details to fill in.</p>
        ) : (
          <div class="row">
            {listingAttributes.map((definition) => (
              <AttributeField
                definition={definition}
                value={values.attrs[definition.key] ?? ""}
                errors={errors}
              />
            ))}
          </div>
        )}
      </section>

      <section class="panel" aria-labelledby={`${props.id}-pricing`}>
        <h2 id={`${props.id}-pricing`}>Ordering and prices</h2>
        <div class="row">
          <Field
            name="currency"
            label="Currency"
            required
            value={values.currency}
            errors={errors}
            options={CURRENCIES}
            hint="Prices and invoices in this currency."
          />
          <Field
            name="minOrderQuantity"
            label="Minimum order quantity"
            required
            inputmode="numeric"
            value={values.minOrderQuantity}
            errors={errors}
            hint="Units; the first tier starts here."
          />
          <Field
            name="orderIncrement"
            label="Order increment"
            required
            inputmode="numeric"
            value={values.orderIncrement}
            errors={errors}
            hint="Sold in multiples of this."
          />
          <Field
            name="leadTimeDays"
            label="Lead time (days)"
            required
            inputmode="numeric"
            value={values.leadTimeDays}
            errors={errors}
            hint="Days from order to dispatch."
          />
        </div>
        <h3 class="subhead">Volume price tiers</h3>
        <p class="muted small">
          Each row is a unit price from a quantity on, in {values.currency}, excluding VAT. Quantities rise,
          prices do not. Leave rows you do not need empty.
        </p>
        <table class="table stack-sm form-table">
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">From quantity</th>
              <th scope="col">Unit price ({values.currency})</th>
            </tr>
          </thead>
          <tbody>
            {values.tiers.map((tier, index) => (
              <tr>
                <td data-label="Tier">{index + 1}</td>
                <td data-label="From quantity">
                  <CellControl
                    name={`priceTiers.${index}.minQuantity`}
                    label={`Tier ${index + 1}: from quantity`}
                    value={tier.minQuantity}
                    errors={errors}
                    inputmode="numeric"
                  />
                </td>
                <td data-label={`Unit price (${values.currency})`}>
                  <CellControl
                    name={`priceTiers.${index}.unitPrice`}
                    label={`Tier ${index + 1}: unit price in ${values.currency}`}
                    value={tier.unitPrice}
                    errors={errors}
                    inputmode="decimal"
                    placeholder={digits === 0 ? "1250" : "12.50"}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section class="panel" aria-labelledby={`${props.id}-variants`}>
        <h2 id={`${props.id}-variants`}>Variants and stock</h2>
        <p class="muted small">
          One row per SKU you stock. If the variants differ by a detail of the category (a size, a length),
          choose it here and press “Update fields”; each row then sets it. Leave rows you do not need empty.
        </p>
        {definitions.length > 0 && (
          <div class="row axis-row">
            {Array.from({ length: MAX_AXES }, (_, i) => (
              <Field
                name="axis"
                id={`f-axis-${i}`}
                label={i === 0 ? "Variants differ by" : "…and by"}
                value={axes[i] ?? ""}
                options={[["", "Nothing"], ...definitions.map((d) => [d.key, d.label] as const)]}
              />
            ))}
          </div>
        )}
        <table class="table stack-sm form-table">
          <thead>
            <tr>
              <th scope="col">SKU</th>
              {axisDefinitions.map((d) => (
                <th scope="col">{d.unit ? `${d.label} (${d.unit})` : d.label}</th>
              ))}
              <th scope="col">Stock (units)</th>
              <th scope="col">Weight (g)</th>
            </tr>
          </thead>
          <tbody>
            {values.variants.map((variant, index) => (
              <tr>
                <td data-label="SKU">
                  <CellControl
                    name={`variants.${index}.sku`}
                    label={`Variant ${index + 1}: SKU`}
                    value={variant.sku}
                    errors={errors}
                  />
                </td>
                {axisDefinitions.map((d) => (
                  <td data-label={d.label}>
                    <CellControl
                      name={attrName(d.key, index)}
                      label={`Variant ${index + 1}: ${d.label}`}
                      value={variant.attrs[d.key] ?? ""}
                      errors={errors}
                      definition={d}
                    />
                  </td>
                ))}
                <td data-label="Stock (units)">
                  <CellControl
                    name={`variants.${index}.stock`}
                    label={`Variant ${index + 1}: stock`}
                    value={variant.stock}
                    errors={errors}
                    inputmode="numeric"
                  />
                </td>
                <td data-label="Weight (g)">
                  <CellControl
                    name={`variants.${index}.weightGrams`}
                    label={`Variant ${index + 1}: weight in grams`}
                    value={variant.weightGrams}
                    errors={errors}
                    inputmode="numeric"
                    placeholder="optional"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="small muted">
          Need more rows? Fill these in and press “Update fields”: a new empty row appears.
        </p>
      </section>

      <div class="actions form-actions">
        <button
          class="btn btn-primary btn-large"
          type="submit"
          name="intent"
          value="save"
          disabled={props.disabled}
        >
          {props.submitLabel}
        </button>
        <button class="btn" type="submit" name="intent" value="refresh" formnovalidate>
          Update fields
        </button>
      </div>
    </form>
  );
}

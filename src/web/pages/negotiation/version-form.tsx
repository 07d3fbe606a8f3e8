/**
 * The form of a quote version: the seller's first quote and revisions (every line and term editable, with
 * blank rows for extra items that are ignored when left empty), and the buyer's counter-offer (the
 * seller's lines as they are, only the unit prices editable). Read back into the API's own body schemas.
 */
import type { z } from "zod";
import type { Quote } from "../../../contracts/negotiation.ts";
import { newVersionBody, quoteBody } from "../../../routes/negotiation/negotiation.routes.ts";
import { NEGOTIATION_LIMITS } from "../../../services/negotiation/machine.ts";
import { ErrorSummary, Field, type FieldErrors, PAYMENT_TERMS } from "../../components.tsx";
import { Format, parseDecimal } from "../../format.ts";
import { type Form, field, zodErrors } from "../../forms.ts";

export interface LineRow {
  variantId?: string;
  title: string;
  quantity: string;
  price: string;
}

export interface VersionValues {
  rows: LineRow[];
  validUntil: string;
  leadTimeDays: string;
  paymentTerms: string;
  notes: string;
}

const DAY_MS = 86_400_000;
/** Blank rows a seller may fill with items the buyer did not list (pallets, tooling, freight). */
const EXTRA_ROWS = 2;

/** Form values from a version (a revision or counter starts from the latest). */
export function valuesOf(version: Quote["latest"]): VersionValues {
  return {
    rows: version.lines.map((line) => ({
      variantId: line.variantId ?? undefined,
      title: line.title,
      quantity: String(line.quantity),
      price: Format.decimal(line.unitPriceMinor, version.currency),
    })),
    validUntil: version.validUntil,
    leadTimeDays: String(version.leadTimeDays),
    paymentTerms: version.paymentTerms,
    notes: "",
  };
}

/** A fresh quote's defaults: valid for 14 days, net 30. */
export function freshValues(rows: LineRow[], now: number): VersionValues {
  return {
    rows,
    validUntil: new Date(now + 14 * DAY_MS).toISOString().slice(0, 10),
    leadTimeDays: "14",
    paymentTerms: "net30",
    notes: "",
  };
}

/** What was typed, to show again after a refusal. */
export function valuesFromForm(form: Form): VersionValues {
  const rows: LineRow[] = [];
  for (let i = 0; i < NEGOTIATION_LIMITS.lines + EXTRA_ROWS; i++) {
    if (!form.has(`lines.${i}.quantity`) && !form.has(`lines.${i}.title`)) break;
    rows.push({
      variantId: field(form, `lines.${i}.variantId`) || undefined,
      title: field(form, `lines.${i}.title`),
      quantity: field(form, `lines.${i}.quantity`),
      price: field(form, `lines.${i}.unitPriceMinor`),
    });
  }
  return {
    rows,
    validUntil: field(form, "validUntil"),
    leadTimeDays: field(form, "leadTimeDays"),
    paymentTerms: field(form, "paymentTerms"),
    notes: (form.get("notes") ?? "").replace(/\r\n?/g, "\n").trim(),
  };
}

/** A date typed in a form (or an instant kept from the version) as the instant the API takes. */
function instant(text: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T23:59:59.000Z` : text;
}

/**
 * The posted form as the API's version body (`basedOnVersion` given: a revision or counter), or the
 * field errors to show. Rows left blank are ignored; line numbers in errors follow the rows shown.
 */
function readVersion<S extends typeof quoteBody | typeof newVersionBody>(
  form: Form,
  currency: string,
  schema: S,
  basedOnVersion?: number,
): { values: VersionValues; errors: FieldErrors; body?: z.infer<S> } {
  const values = valuesFromForm(form);
  const errors: FieldErrors = {};
  const lines: Record<string, unknown>[] = [];
  const positions: number[] = [];
  values.rows.forEach((row, i) => {
    if (!row.variantId && !row.title && !row.quantity && !row.price) return;
    const price = parseDecimal(row.price, currency);
    if (price === undefined) errors[`lines.${i}.unitPriceMinor`] = "enter a price like 12.50";
    positions.push(i);
    lines.push({
      ...(row.variantId ? { variantId: row.variantId } : { title: row.title || undefined }),
      quantity: /^\d{1,9}$/.test(row.quantity) ? Number(row.quantity) : Number.NaN,
      unitPriceMinor: price ?? 0,
    });
  });
  const body = {
    lines,
    validUntil: instant(values.validUntil),
    leadTimeDays: /^\d{1,4}$/.test(values.leadTimeDays) ? Number(values.leadTimeDays) : Number.NaN,
    paymentTerms: values.paymentTerms,
    notes: values.notes || undefined,
    ...(basedOnVersion === undefined ? {} : { basedOnVersion }),
  };
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    for (const [key, message] of Object.entries(zodErrors(parsed.error))) {
      // lines.<n> counts the rows kept; the page shows every row.
      const name = key.replace(/^lines\.(\d+)/, (_, n: string) => `lines.${positions[Number(n)] ?? n}`);
      if (name === "lines") errors["lines.0.title"] ??= "add at least one line";
      else errors[name] ??= message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { values, errors };
  return { values, errors, body: parsed.data as z.infer<S> };
}

/** A first quote from the form. */
export function readQuoteForm(form: Form, currency: string) {
  return readVersion(form, currency, quoteBody);
}

/** A revision or counter from the form, answering `basedOnVersion`. */
export function readNextVersionForm(form: Form, currency: string, basedOnVersion: number) {
  return readVersion(form, currency, newVersionBody, basedOnVersion);
}

export const VERSION_LABELS: Record<string, string> = {
  validUntil: "Valid until",
  leadTimeDays: "Lead time",
  paymentTerms: "Payment terms",
  notes: "Notes",
};

/** Labels for the summary: "Line 2: unit price". */
function labelsFor(errors: FieldErrors): Record<string, string> {
  const labels: Record<string, string> = { ...VERSION_LABELS };
  for (const key of Object.keys(errors)) {
    const match = /^lines\.(\d+)\.(\w+)$/.exec(key);
    if (match)
      labels[key] =
        `Line ${Number(match[1]) + 1}: ${match[2] === "unitPriceMinor" ? "unit price" : match[2]}`;
  }
  return labels;
}

/** The form itself: `mode` "full" for the seller, "prices" for the buyer's counter. */
export function VersionForm(props: {
  action: string;
  mode: "full" | "prices";
  currency: string;
  values: VersionValues;
  errors?: FieldErrors;
  basedOnVersion?: number;
  submit: string;
  id?: string;
}) {
  const { mode, values, currency } = props;
  const errors = props.errors ?? {};
  const rows = mode === "full" ? [...values.rows, ...blankRows(values.rows)] : values.rows;
  return (
    <form method="post" action={props.action} class="form version-form" id={props.id} data-once>
      <ErrorSummary errors={errors} labels={labelsFor(errors)} />
      <input type="hidden" name="currency" value={currency} />
      {props.basedOnVersion !== undefined && (
        <input type="hidden" name="basedOnVersion" value={String(props.basedOnVersion)} />
      )}
      <div class="line-rows">
        {rows.map((row, i) => {
          const live = Boolean(row.variantId || row.title || row.quantity || row.price);
          return (
            <fieldset class="line-row">
              <legend class="visually-hidden">Line {i + 1}</legend>
              {row.variantId && <input type="hidden" name={`lines.${i}.variantId`} value={row.variantId} />}
              {mode === "prices" || row.variantId ? (
                <div class="field line-item">
                  <span class="label-like">Item</span>
                  <span>{row.title}</span>
                  <input type="hidden" name={`lines.${i}.title`} value={row.title} />
                </div>
              ) : (
                <Field
                  name={`lines.${i}.title`}
                  label="Item"
                  value={row.title}
                  maxlength={200}
                  errors={errors}
                  required={live}
                />
              )}
              {mode === "prices" ? (
                <div class="field line-qty">
                  <span class="label-like">Quantity</span>
                  <span class="num">{row.quantity}</span>
                  <input type="hidden" name={`lines.${i}.quantity`} value={row.quantity} />
                </div>
              ) : (
                <Field
                  name={`lines.${i}.quantity`}
                  label="Quantity"
                  type="number"
                  min={1}
                  inputmode="numeric"
                  value={row.quantity}
                  errors={errors}
                  required={live}
                />
              )}
              <Field
                name={`lines.${i}.unitPriceMinor`}
                label={`Unit price (${currency})`}
                inputmode="decimal"
                value={row.price}
                errors={errors}
                required={live}
                placeholder="0.00"
              />
            </fieldset>
          );
        })}
      </div>
      {mode === "full" ? (
        <div class="row">
          <Field
            name="validUntil"
            label="Valid until"
            type="date"
            required
            value={values.validUntil.slice(0, 10)}
            errors={errors}
            hint={`At most ${NEGOTIATION_LIMITS.validityMaxDays} days ahead.`}
          />
          <Field
            name="leadTimeDays"
            label="Lead time (days)"
            type="number"
            min={0}
            max={NEGOTIATION_LIMITS.leadTimeMaxDays}
            required
            value={values.leadTimeDays}
            errors={errors}
          />
          <Field
            name="paymentTerms"
            label="Payment terms"
            required
            value={values.paymentTerms}
            errors={errors}
            options={Object.entries(PAYMENT_TERMS)}
          />
        </div>
      ) : (
        <>
          <input type="hidden" name="validUntil" value={values.validUntil} />
          <input type="hidden" name="leadTimeDays" value={values.leadTimeDays} />
          <input type="hidden" name="paymentTerms" value={values.paymentTerms} />
        </>
      )}
      <Field
        name="notes"
        label={mode === "full" ? "Notes for the buyer" : "Notes for the seller"}
        multiline
        maxlength={NEGOTIATION_LIMITS.text}
        value={values.notes}
        errors={errors}
      />
      <div class="actions">
        <button class="btn btn-primary" type="submit">
          {props.submit}
        </button>
      </div>
    </form>
  );
}

function blankRows(rows: LineRow[]): LineRow[] {
  const room = Math.max(0, Math.min(EXTRA_ROWS, NEGOTIATION_LIMITS.lines - rows.length));
  const filled = rows.length > 0 && rows.every((r) => r.title || r.variantId);
  return filled || rows.length === 0
    ? Array.from({ length: room || (rows.length === 0 ? 1 : 0) }, () => ({
        title: "",
        quantity: "",
        price: "",
      }))
    : [];
}

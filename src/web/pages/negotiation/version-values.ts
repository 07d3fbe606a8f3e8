/**
 * A quote version's form values: from a version (revisions and counters start from the latest), fresh
 * (from the RFQ's items), or as posted; and the posted form read into the API's own body schemas.
 */
import type { z } from "zod";
import type { Quote } from "../../../contracts/negotiation.ts";
import { newVersionBody, quoteBody } from "../../../routes/negotiation/negotiation.routes.ts";
import { NEGOTIATION_LIMITS } from "../../../services/negotiation/machine.ts";
import type { FieldErrors } from "../../components.tsx";
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
export const EXTRA_ROWS = 2;

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

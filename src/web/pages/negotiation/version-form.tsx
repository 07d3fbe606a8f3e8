/**
 * The form of a quote version: the seller's first quote and revisions (every line and term editable, with
 * blank rows for extra items that are ignored when left empty), and the buyer's counter-offer (the
 * seller's lines as they are, only the unit prices editable). Read back by version-values.ts.
 */
import { NEGOTIATION_LIMITS } from "../../../services/negotiation/machine.ts";
import { ErrorSummary, Field, type FieldErrors, PAYMENT_TERMS } from "../../components.tsx";
import type { Format } from "../../format.ts";
import { EXTRA_ROWS, type LineRow, type VersionValues } from "./version-values.ts";

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
  /** Formats the quantities shown as text (the counter-offer's); without it they show as typed. */
  fmt?: Format;
}) {
  const { mode, values, currency } = props;
  const errors = props.errors ?? {};
  const rows = mode === "full" ? [...values.rows, ...blankRows(values.rows)] : values.rows;
  // The counter-offer shares its page with the acceptance form, which has notes of its own.
  const ids = mode === "prices" ? { notes: "f-counter-notes" } : undefined;
  return (
    <form method="post" action={props.action} class="form version-form" id={props.id} data-once>
      <ErrorSummary errors={errors} labels={labelsFor(errors)} ids={ids} />
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
                  placeholder={live ? undefined : "Extra line: tooling, freight…"}
                />
              )}
              {mode === "prices" ? (
                <div class="field line-qty">
                  <span class="label-like">Quantity</span>
                  <span class="num">
                    {props.fmt && /^\d+$/.test(row.quantity)
                      ? props.fmt.number(Number(row.quantity))
                      : row.quantity}
                  </span>
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
        id={ids?.notes}
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

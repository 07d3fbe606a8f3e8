/** The acceptance form's fields: PO number and delivery address, as at checkout. */
import { Field, type FieldErrors } from "../../components.tsx";
import { countryOptions } from "../buyer/checkout.tsx";

export const ADDRESS = ["name", "line1", "line2", "city", "postalCode", "region", "country"] as const;

export const ACCEPT_LABELS: Record<string, string> = {
  poNumber: "PO number",
  "shippingAddress.name": "Recipient",
  "shippingAddress.line1": "Address line 1",
  "shippingAddress.city": "City",
  "shippingAddress.postalCode": "Postal code",
  "shippingAddress.country": "Country",
  notes: "Notes for the seller",
};

export function AcceptFields(props: {
  value: (name: string) => string;
  errors?: FieldErrors;
  buyerName: string;
}) {
  const { value, errors } = props;
  const v = (name: string, fallback = "") => value(name) || fallback;
  return (
    <>
      <Field name="poNumber" label="PO number" maxlength={64} value={v("poNumber")} errors={errors} />
      <Field
        name="shippingAddress.name"
        label="Recipient"
        required
        maxlength={120}
        value={v("shippingAddress.name", props.buyerName)}
        errors={errors}
      />
      <Field
        name="shippingAddress.line1"
        label="Address line 1"
        required
        maxlength={200}
        autocomplete="address-line1"
        value={v("shippingAddress.line1")}
        errors={errors}
      />
      <Field
        name="shippingAddress.line2"
        label="Address line 2"
        maxlength={200}
        autocomplete="address-line2"
        value={v("shippingAddress.line2")}
        errors={errors}
      />
      <div class="row">
        <Field
          name="shippingAddress.postalCode"
          label="Postal code"
          required
          maxlength={20}
          autocomplete="postal-code"
          value={v("shippingAddress.postalCode")}
          errors={errors}
        />
        <Field
          name="shippingAddress.city"
          label="City"
          required
          maxlength={100}
          autocomplete="address-level2"
          value={v("shippingAddress.city")}
          errors={errors}
        />
      </div>
      <div class="row">
        <Field
          name="shippingAddress.region"
          label="Region or state"
          maxlength={100}
          value={v("shippingAddress.region")}
          errors={errors}
        />
        <Field
          name="shippingAddress.country"
          label="Country"
          required
          autocomplete="country"
          value={v("shippingAddress.country").toUpperCase()}
          errors={errors}
          options={countryOptions()}
        />
      </div>
      <Field
        name="notes"
        label="Notes for the seller"
        multiline
        maxlength={2000}
        value={v("notes")}
        errors={errors}
      />
    </>
  );
}

/** The acceptance form's fields: PO number and delivery address, as at checkout. */
import { Field, type FieldErrors } from "../../components.tsx";
import { AddressFields } from "../buyer/address-fields.tsx";

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
      <AddressFields
        value={(name) => (name === "shippingAddress.name" ? v(name, props.buyerName) : v(name))}
        errors={errors}
      />
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

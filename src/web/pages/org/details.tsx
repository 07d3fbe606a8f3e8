/** The organisation's details form, shared by /org/new (create) and /org (edit). */
import { createOrg } from "../../../routes/orgs/orgs.routes.ts";
import { ErrorSummary, Field, type FieldErrors } from "../../components.tsx";
import { type Form, field, zodErrors } from "../../forms.ts";
import { KIND_LABELS } from "./shell.tsx";

/** The API's own body schema for organisations (the same rules for pages and API). */
export const orgBody = createOrg.request.body.content["application/json"].schema;

export interface OrgValues {
  name: string;
  kind: string;
  country: string;
  legalName: string;
  taxId: string;
  website: string;
}

export const emptyOrg: OrgValues = {
  name: "",
  kind: "buyer",
  country: "",
  legalName: "",
  taxId: "",
  website: "",
};

export function orgValues(form: Form): OrgValues {
  return {
    name: field(form, "name"),
    kind: field(form, "kind"),
    country: field(form, "country").toUpperCase(),
    legalName: field(form, "legalName"),
    taxId: field(form, "taxId"),
    website: field(form, "website"),
  };
}

/** The form's values as the API body: empty optional fields are "none". */
export function parseOrg(values: OrgValues) {
  const parsed = orgBody.safeParse({
    name: values.name,
    kind: values.kind,
    country: values.country || null,
    legalName: values.legalName || null,
    taxId: values.taxId || null,
    website: values.website || null,
  });
  return parsed.success
    ? ({ ok: true, value: parsed.data } as const)
    : ({ ok: false, errors: zodErrors(parsed.error) } as const);
}

export const ORG_LABELS = {
  name: "Organisation name",
  kind: "What you do on the marketplace",
  country: "Country",
  legalName: "Registered legal name",
  taxId: "VAT or tax number",
  website: "Website",
};

const KIND_HINTS: Record<string, string> = {
  buyer: "Order from suppliers, with approvals and spending limits.",
  seller: "List products and fulfil orders from buyers.",
  both: "Buy and sell from one organisation.",
};

/** ISO 3166-1 alpha-2 codes; names come from Intl in the visitor's language of the interface (English). */
const COUNTRY_CODES = (
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV " +
  "BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET " +
  "FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM " +
  "IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD " +
  "ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE " +
  "PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST " +
  "SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS " +
  "YE YT ZA ZM ZW"
).split(" ");

let countryOptions: [string, string][] | undefined;

/** [code, name] sorted by name; built once per isolate (immutable). */
export function countries(): [string, string][] {
  if (!countryOptions) {
    const names = new Intl.DisplayNames(["en"], { type: "region" });
    countryOptions = COUNTRY_CODES.map((code): [string, string] => [code, names.of(code) ?? code]).sort(
      (a, b) => a[1].localeCompare(b[1], "en"),
    );
  }
  return countryOptions;
}

// The first choice carries the field's own id, so the error summary's link lands on it.
const choiceId = (kind: string) => (kind === "buyer" ? "f-kind" : `f-kind-${kind}`);

/** Name, kind, country and the optional company details. */
export function OrgFields(props: { values: OrgValues; errors?: FieldErrors }) {
  const { values, errors } = props;
  const kindError = errors?.kind;
  return (
    <>
      <ErrorSummary errors={errors} labels={ORG_LABELS} />
      <Field
        name="name"
        label={ORG_LABELS.name}
        required
        maxlength={120}
        autocomplete="organization"
        hint="As buyers and sellers will see it, e.g. “Northwind Procurement”."
        value={values.name}
        errors={errors}
      />
      <fieldset class={kindError ? "field field-invalid choice-list" : "field choice-list"}>
        <legend>{ORG_LABELS.kind}</legend>
        {Object.entries(KIND_LABELS).map(([kind, label]) => (
          <label class="choice" for={choiceId(kind)}>
            <input
              type="radio"
              id={choiceId(kind)}
              name="kind"
              value={kind}
              checked={values.kind === kind}
              required
            />
            <span>
              <strong>{label}</strong>
              <span class="muted small">{KIND_HINTS[kind]}</span>
            </span>
          </label>
        ))}
        {kindError && (
          <span class="error" id="f-kind-error">
            {kindError}
          </span>
        )}
      </fieldset>
      <Field
        name="country"
        label={ORG_LABELS.country}
        autocomplete="country"
        options={[["", "Choose a country"], ...countries()]}
        value={values.country}
        errors={errors}
      />
      <details class="more-fields" open={Boolean(values.legalName || values.taxId || values.website)}>
        <summary>Company details for invoices</summary>
        <Field
          name="legalName"
          label={ORG_LABELS.legalName}
          maxlength={200}
          value={values.legalName}
          errors={errors}
        />
        <Field
          name="taxId"
          label={ORG_LABELS.taxId}
          maxlength={50}
          hint="Printed on invoices, e.g. DE123456789."
          value={values.taxId}
          errors={errors}
        />
        <Field
          name="website"
          label={ORG_LABELS.website}
          type="url"
          maxlength={300}
          placeholder="https://"
          value={values.website}
          errors={errors}
        />
      </details>
    </>
  );
}

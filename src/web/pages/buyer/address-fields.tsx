/** The delivery address fields of checkout and of accepting a quote (names `shippingAddress.*`). */

import { Field, type FieldErrors } from "../../components.tsx";
import { countryName } from "../../format.ts";

export function AddressFields(props: { value: (name: string) => string; errors?: FieldErrors }) {
  const { value, errors } = props;
  return (
    <>
      <Field
        name="shippingAddress.name"
        label="Recipient"
        required
        maxlength={120}
        autocomplete="organization"
        hint="Company, department or person receiving the goods."
        value={value("shippingAddress.name")}
        errors={errors}
      />
      <Field
        name="shippingAddress.line1"
        label="Address line 1"
        required
        maxlength={200}
        autocomplete="address-line1"
        value={value("shippingAddress.line1")}
        errors={errors}
      />
      <Field
        name="shippingAddress.line2"
        label="Address line 2"
        maxlength={200}
        autocomplete="address-line2"
        hint="Building, dock or gate."
        value={value("shippingAddress.line2")}
        errors={errors}
      />
      <div class="row">
        <Field
          name="shippingAddress.postalCode"
          label="Postal code"
          required
          maxlength={20}
          autocomplete="postal-code"
          value={value("shippingAddress.postalCode")}
          errors={errors}
        />
        <Field
          name="shippingAddress.city"
          label="City"
          required
          maxlength={100}
          autocomplete="address-level2"
          value={value("shippingAddress.city")}
          errors={errors}
        />
      </div>
      <div class="row">
        <Field
          name="shippingAddress.region"
          label="Region or state"
          maxlength={100}
          autocomplete="address-level1"
          value={value("shippingAddress.region")}
          errors={errors}
        />
        <Field
          name="shippingAddress.country"
          label="Country"
          required
          autocomplete="country"
          value={value("shippingAddress.country").toUpperCase()}
          errors={errors}
          options={countryOptions()}
        />
      </div>
    </>
  );
}

/** ISO 3166-1 alpha-2 codes, shown by their English names, sorted by name. */
const COUNTRY_CODES =
  "AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

let countries: readonly (readonly [string, string])[] | undefined;
/** The country choices, made once per isolate on first use (immutable). */
export function countryOptions() {
  countries ??= [
    ["", "Choose a country"],
    ...COUNTRY_CODES.split(" ")
      .map((code) => [code, countryName(code)] as const)
      .sort((a, b) => a[1].localeCompare(b[1], "en")),
  ];
  return countries;
}

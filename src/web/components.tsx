/** Small building blocks shared by every page. Text only: no user-supplied HTML is ever rendered raw. */
import type { Child } from "hono/jsx";
import type { ShippingAddress } from "../contracts/orders.ts";
import { countryName } from "./format.ts";

export type FieldErrors = Record<string, string>;

/** A labelled form control with its hint and error; the error is announced and points at the field. */
export function Field(props: {
  name: string;
  label: string;
  id?: string;
  type?: string;
  value?: string | number | null;
  errors?: FieldErrors;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  min?: number | string;
  max?: number | string;
  step?: number | string;
  maxlength?: number;
  inputmode?: "text" | "numeric" | "decimal" | "email" | "tel" | "search" | "url" | "none";
  placeholder?: string;
  multiline?: boolean;
  /** Options for a select: [value, label]. */
  options?: readonly (readonly [string, string])[];
}) {
  const id = props.id ?? `f-${props.name.replace(/[^\w-]/g, "-")}`;
  const error = props.errors?.[props.name];
  const describedBy = [props.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const common = {
    id,
    name: props.name,
    required: props.required,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": describedBy || undefined,
  };
  let control: Child;
  if (props.options) {
    control = (
      <select {...common} autocomplete={props.autocomplete}>
        {props.options.map(([value, label]) => (
          <option value={value} selected={String(props.value ?? "") === value}>
            {label}
          </option>
        ))}
      </select>
    );
  } else if (props.multiline) {
    control = (
      <textarea {...common} maxlength={props.maxlength} placeholder={props.placeholder}>
        {props.value ?? ""}
      </textarea>
    );
  } else {
    control = (
      <input
        {...common}
        type={props.type ?? "text"}
        value={props.value ?? ""}
        autocomplete={props.autocomplete}
        min={props.min}
        max={props.max}
        step={props.step}
        maxlength={props.maxlength}
        inputmode={props.inputmode}
        placeholder={props.placeholder}
      />
    );
  }
  return (
    <div class={error ? "field field-invalid" : "field"}>
      <label for={id}>
        {props.label}
        {props.required ? "" : <span class="muted small"> (optional)</span>}
      </label>
      {control}
      {props.hint && (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      )}
      {error && (
        <span class="error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** The errors of a form that failed, at its top, each linking to its field. */
export function ErrorSummary(props: {
  errors?: FieldErrors;
  message?: string;
  labels?: Record<string, string>;
  /** Fields whose control has an id of its own (two forms on one page): field name → element id. */
  ids?: Record<string, string>;
}) {
  const entries = Object.entries(props.errors ?? {});
  if (!props.message && entries.length === 0) return null;
  return (
    <div class="alert alert-error" role="alert" tabindex={-1}>
      <strong>{props.message ?? "Please correct the highlighted fields."}</strong>
      {entries.length > 0 && (
        <ul>
          {entries.map(([field, message]) => (
            <li>
              <a href={`#${props.ids?.[field] ?? `f-${field.replace(/[^\w-]/g, "-")}`}`}>
                {props.labels?.[field] ?? field}: {message}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const tone: Record<string, string> = {
  published: "ok",
  accepted: "ok",
  delivered: "ok",
  paid: "ok",
  placed: "info",
  shipped: "info",
  pending_review: "warn",
  pending_approval: "warn",
  open: "warn",
  draft: "",
  archived: "",
  rejected: "bad",
  cancelled: "bad",
  expired: "bad",
  overdue: "bad",
};

/** A status as a coloured badge ("pending_review" → "Pending review"). */
export function StatusBadge(props: { status: string }) {
  const kind = tone[props.status];
  return <span class={kind ? `badge badge-${kind}` : "badge"}>{humanise(props.status)}</span>;
}

export function humanise(value: string): string {
  const text = value.replace(/[_-]+/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function EmptyState(props: { title: string; children?: Child }) {
  return (
    <div class="empty">
      <strong>{props.title}</strong>
      {props.children}
    </div>
  );
}

export function Breadcrumbs(props: { items: readonly (readonly [string, string | undefined])[] }) {
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {props.items.map(([label, href], index) => (
          <li>
            {href && index < props.items.length - 1 ? (
              <a href={href}>{label}</a>
            ) : (
              <span aria-current="page">{label}</span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

export function PageHead(props: { title: string; subtitle?: Child; actions?: Child }) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="muted">{props.subtitle}</p>}
      </div>
      {props.actions && <div class="actions">{props.actions}</div>}
    </div>
  );
}

/** Tabs between sibling pages (seller area, organisation, admin). */
export function Tabs(props: { path: string; items: readonly (readonly [string, string])[]; label: string }) {
  return (
    <nav class="tabs" aria-label={props.label}>
      {props.items.map(([href, label]) => (
        <a href={href} aria-current={props.path === href ? "page" : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}

/** Older/newer pages of a keyset-paginated list: the next cursor rides in the URL (shareable). */
export function Pager(props: { nextHref: string | null; firstHref?: string | null }) {
  if (!props.nextHref && !props.firstHref) return null;
  return (
    <nav class="pagination" aria-label="Pages">
      {props.firstHref ? <a href={props.firstHref}>← First page</a> : <span />}
      {props.nextHref && (
        <a class="btn" href={props.nextHref}>
          Next page →
        </a>
      )}
    </nav>
  );
}

/** An id as people read it on documents (orders, invoices): the first eight hex digits, upper case. */
export function shortId(id: string): string {
  return id.slice(0, 8).toUpperCase();
}

/** Payment terms as people read them. */
export const PAYMENT_TERMS: Record<string, string> = {
  prepaid: "Prepaid",
  net30: "Net 30 days",
  net60: "Net 60 days",
};

/** A postal address, one line per part. */
export function AddressLines(props: { address: ShippingAddress }) {
  const a = props.address;
  return (
    <address class="address">
      {a.name}
      <br />
      {a.line1}
      {a.line2 && (
        <>
          <br />
          {a.line2}
        </>
      )}
      <br />
      {a.postalCode} {a.city}
      {a.region ? `, ${a.region}` : ""}
      <br />
      {countryName(a.country)}
    </address>
  );
}

/**
 * What the webhook pages share: the endpoint form (URL, description, events grouped by what they are
 * about, enabled), reading and checking it with the API's own schema, status badges, and the signing
 * secret shown once with how to verify it.
 */
import {
  type SubscribableEventType as EventType,
  eventCatalogue,
  subscribableEventTypes as eventTypes,
} from "../../../contracts/events.ts";
import { createWebhook } from "../../../routes/webhooks/webhooks.routes.ts";
import type { DeliveryView, EndpointView } from "../../../services/webhooks/endpoints.ts";
import type { FieldErrors } from "../../components.tsx";
import { ErrorSummary, Field } from "../../components.tsx";
import type { PageFacts } from "../../context.ts";
import { type Form, field, zodErrors } from "../../forms.ts";

const endpointBody = createWebhook.request.body.content["application/json"].schema;

/** The entities events are about, in the catalogue's order, as people call them. */
const GROUPS: readonly (readonly [string, string])[] = [
  ["order_group", "Checkouts"],
  ["order", "Orders"],
  ["invoice", "Invoices"],
  ["rfq", "Requests for quotes"],
  ["quote", "Quotes"],
  ["message", "Messages"],
  ["review", "Reviews"],
];

const eventGroups = GROUPS.map(([prefix, label]) => ({
  prefix,
  label,
  types: eventTypes.filter((type) => type.split(".")[0] === prefix),
}));

export const ENDPOINT_LABELS = { url: "URL", description: "Description", eventTypes: "Events" };

export interface EndpointValues {
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
}

export interface EndpointForm {
  values: EndpointValues;
  errors?: FieldErrors;
  message?: string;
  status?: number;
}

export const NEW_ENDPOINT: EndpointValues = { url: "", description: "", eventTypes: [], enabled: true };

export function valuesOf(endpoint: EndpointView): EndpointValues {
  return {
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    enabled: endpoint.enabled,
  };
}

/** The posted endpoint form as typed (bounded). */
export function readEndpointForm(form: Form): EndpointValues {
  return {
    url: field(form, "url"),
    description: field(form, "description"),
    eventTypes: form.getAll("eventTypes").slice(0, eventTypes.length + 10),
    enabled: form.get("enabled") === "on",
  };
}

/** The form checked with the API's schema: its body, or errors written for people. */
export function checkEndpointForm(
  values: EndpointValues,
):
  | { ok: true; data: { url: string; description: string; eventTypes: EventType[]; enabled: boolean } }
  | { ok: false; errors: FieldErrors } {
  const parsed = endpointBody.safeParse(values);
  if (parsed.success) {
    const { url, description = "", eventTypes: types, enabled = true } = parsed.data;
    return { ok: true, data: { url, description, eventTypes: types, enabled } };
  }
  const errors = zodErrors(parsed.error);
  for (const key of Object.keys(errors)) {
    if (key.startsWith("eventTypes.")) {
      delete errors[key];
      errors.eventTypes ??= "Choose events from the list.";
    }
  }
  if (!values.url) errors.url = "Enter the URL that receives the events.";
  else if (errors.url) errors.url = "Enter a URL of at most 2048 characters.";
  if (errors.description) errors.description = "Keep the description under 200 characters.";
  if (values.eventTypes.length === 0) errors.eventTypes = "Choose at least one event.";
  return { ok: false, errors };
}

/** A service's field errors, worded for the page ("must use https" → "The URL must use https."). */
export function problemErrors(errors: FieldErrors): FieldErrors {
  const worded = { ...errors };
  if (worded.url && /^[a-z]/.test(worded.url)) worded.url = `The URL ${worded.url}.`;
  return worded;
}

const checkboxId = (type: string, index: number) =>
  index === 0 ? "f-eventTypes" : `f-eventTypes-${type.replace(/[._]/g, "-")}`;

/** Event types as checkboxes, one fieldset per entity, each with the catalogue's description. */
function EventChoices(props: { selected: readonly string[]; error?: string }) {
  let index = 0;
  return (
    <fieldset
      class={props.error ? "field field-invalid event-groups" : "field event-groups"}
      aria-describedby={props.error ? "f-eventTypes-error" : "f-eventTypes-hint"}
    >
      <legend>Events</legend>
      <span class="hint" id="f-eventTypes-hint">
        Only events about your organisation are sent (its orders, quotes, messages…).
      </span>
      {props.error && (
        <span class="error" id="f-eventTypes-error">
          {props.error}
        </span>
      )}
      {eventGroups.map((group) => (
        <fieldset class="scope-list event-group">
          <legend>{group.label}</legend>
          {group.types.map((type) => {
            const id = checkboxId(type, index++);
            return (
              <label class="checkbox" for={id}>
                <input
                  type="checkbox"
                  name="eventTypes"
                  id={id}
                  value={type}
                  checked={props.selected.includes(type)}
                />
                <span>
                  <code>{type}</code> <span class="muted small">{eventCatalogue[type].description}</span>
                </span>
              </label>
            );
          })}
        </fieldset>
      ))}
    </fieldset>
  );
}

/** The endpoint's fields (inside a form whose action and buttons the page chooses). */
export function EndpointFields(props: { form: EndpointForm }) {
  const { values, errors } = props.form;
  return (
    <>
      <Field
        name="url"
        label="URL"
        type="url"
        required
        maxlength={2048}
        inputmode="url"
        autocomplete="off"
        placeholder="https://erp.example.com/hooks/marketplace"
        hint="An https address on the public internet. Redirects are not followed."
        value={values.url}
        errors={errors}
      />
      <Field
        name="description"
        label="Description"
        maxlength={200}
        hint="What receives the events, e.g. “ERP order sync”."
        value={values.description}
        errors={errors}
      />
      <EventChoices selected={values.eventTypes} error={errors?.eventTypes} />
      <label class="checkbox" for="f-enabled">
        <input type="checkbox" name="enabled" id="f-enabled" value="on" checked={values.enabled} />
        <span>
          Enabled{" "}
          <span class="muted small">Deliver events as they happen. Disabled endpoints receive none.</span>
        </span>
      </label>
    </>
  );
}

export function EndpointErrors(props: { form?: EndpointForm }) {
  return <ErrorSummary message={props.form?.message} errors={props.form?.errors} labels={ENDPOINT_LABELS} />;
}

/** Since when an endpoint has been failing (beside its badge: a badge never wraps). */
function Since(props: { iso: string | null; facts: PageFacts }) {
  if (!props.iso) return null;
  return (
    <span class="small muted">
      {" "}
      since <time datetime={props.iso}>{props.facts.fmt.dateTime(props.iso)}</time>
    </span>
  );
}

/** Enabled, failing, disabled by a person, or disabled after a day of failures (since when). */
export function EndpointStatus(props: { endpoint: EndpointView; facts: PageFacts }) {
  const { endpoint, facts } = props;
  if (endpoint.enabled && endpoint.failingSince) {
    return (
      <span>
        <span class="badge badge-warn">Failing</span>
        <Since iso={endpoint.failingSince} facts={facts} />
      </span>
    );
  }
  if (endpoint.enabled) return <span class="badge badge-ok">Enabled</span>;
  if (endpoint.disabledReason === "failing") {
    return (
      <span>
        <span class="badge badge-bad">Disabled after failures</span>
        <Since iso={endpoint.failingSince} facts={facts} />
      </span>
    );
  }
  return <span class="badge">Disabled</span>;
}

const DELIVERY_TONES: Record<DeliveryView["status"], string> = {
  pending: "badge badge-info",
  delivered: "badge badge-ok",
  failed: "badge badge-warn",
  dead: "badge badge-bad",
};
const DELIVERY_LABELS: Record<DeliveryView["status"], string> = {
  pending: "Pending",
  delivered: "Delivered",
  failed: "Failed, will retry",
  dead: "Gave up",
};

export const DELIVERY_STATUSES = Object.keys(DELIVERY_LABELS) as DeliveryView["status"][];

export function DeliveryStatus(props: { status: DeliveryView["status"] }) {
  return <span class={DELIVERY_TONES[props.status]}>{DELIVERY_LABELS[props.status]}</span>;
}

export function deliveryStatusLabel(status: DeliveryView["status"]): string {
  return DELIVERY_LABELS[status];
}

/**
 * A signing secret, in the response that made it only (never in a URL, a redirect or a later page), with
 * what a receiver does with it.
 */
export function SigningSecret(props: {
  secret: string;
  title: string;
  timeoutMs: number;
  /** When the secret it replaces stops signing (a rotation with overlap). */
  previousUntil?: string | null;
  facts: PageFacts;
}) {
  return (
    <section class="panel secret-panel" aria-labelledby="secret-title">
      <h2 id="secret-title">{props.title}</h2>
      <div class="alert alert-warn">
        <strong>Copy it now, it will not be shown again.</strong> Store it where your receiver keeps its
        configuration. If it is lost, rotate the secret on the endpoint's page.
      </div>
      <label class="label" for="new-secret">
        Signing secret
      </label>
      <textarea id="new-secret" class="secret" readonly rows={2} spellcheck={false} autocomplete="off">
        {props.secret}
      </textarea>
      {props.previousUntil !== undefined && (
        <p class="small">
          {props.previousUntil ? (
            <>
              The previous secret keeps signing until{" "}
              <time datetime={props.previousUntil}>{props.facts.fmt.dateTime(props.previousUntil)}</time>:
              meanwhile every delivery carries a signature by each, so your receiver can switch at any time.
            </>
          ) : (
            "The previous secret no longer signs: update your receiver now."
          )}
        </p>
      )}
      <h3 class="small">How to verify a delivery</h3>
      <p class="small muted">
        Each delivery is a JSON <code>POST</code> signed per{" "}
        <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>: the headers <code>webhook-id</code>{" "}
        (the event's id, the same on every retry: use it to ignore duplicates), <code>webhook-timestamp</code>{" "}
        (seconds; refuse old ones) and <code>webhook-signature</code> (<code>v1,</code> and a base64
        HMAC-SHA256 of <code>id.timestamp.body</code>). Any Standard Webhooks library verifies them with this
        secret. Answer with a 2xx status within {Math.round(props.timeoutMs / 1000)} seconds; failed
        deliveries are retried for about a day.
      </p>
    </section>
  );
}

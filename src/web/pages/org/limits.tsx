/**
 * Spending limits (owners and admins): per member and for the organisation's API keys together, one
 * limit per currency, per order and/or per calendar month. A checkout above a limit waits for an approver.
 */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { setMemberSpendingLimits } from "../../../routes/orders/orders.routes.ts";
import { listMembers, type MemberView } from "../../../services/identity/members.ts";
import {
  getSpendingLimits,
  type LimitSubject,
  replaceSpendingLimits,
  type SpendingLimit,
} from "../../../services/orders/limits.ts";
import type { AppEnv } from "../../../types.ts";
import { Breadcrumbs, ErrorSummary, type FieldErrors } from "../../components.tsx";
import {
  loadViewer,
  type Membership,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
  type WebContext,
} from "../../context.ts";
import { Format, parseDecimal } from "../../format.ts";
import { attempt, field, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import {
  accessError,
  can,
  formOrgId,
  formStatus,
  isAccessProblem,
  loadOrgPage,
  OrgIdField,
  OrgShell,
  roleLabel,
  uuidParam,
} from "./shell.tsx";

export const limitPages = new Hono<AppEnv>();

const limitsBody = setMemberSpendingLimits.request.body.content["application/json"].schema;

/** Members whose limits the overview reads (in parallel); larger organisations edit the rest one by one. */
const OVERVIEW_MEMBERS = 50;
const BLANK_ROWS = 2;

function LimitsSummary(props: { fmt: Format; limits: SpendingLimit[] | undefined; none: string }) {
  const { fmt, limits } = props;
  if (!limits) return <span class="muted">Open to see</span>;
  if (limits.length === 0) return <span class="muted">{props.none}</span>;
  return (
    <ul class="plain-list">
      {limits.map((limit) => (
        <li>
          {limit.perOrderMinor !== null && (
            <span>{fmt.money(limit.perOrderMinor, limit.currency)} per order</span>
          )}
          {limit.perOrderMinor !== null && limit.perMonthMinor !== null && " · "}
          {limit.perMonthMinor !== null && (
            <span>{fmt.money(limit.perMonthMinor, limit.currency)} per month</span>
          )}
        </li>
      ))}
    </ul>
  );
}

limitPages.get("/org/limits", async (c) => {
  const principal = await requireVisitor(c);
  const ctx = serviceContext(c);
  const loaded = await loadOrgPage(c, principal, async (orgId) => {
    const members = await listMembers(ctx, principal, orgId);
    const [memberLimits, keyLimits] = await Promise.all([
      Promise.all(
        members
          .slice(0, OVERVIEW_MEMBERS)
          .map((m) => getSpendingLimits(ctx, principal, orgId, { kind: "member", userId: m.userId })),
      ),
      getSpendingLimits(ctx, principal, orgId, { kind: "api_keys" }),
    ]);
    return { members, memberLimits, keyLimits };
  });
  if (!loaded) return c.redirect("/org/new", 303);
  const { org } = loaded;
  const { members, memberLimits, keyLimits } = loaded.data;
  const { fmt } = pageFacts(c);
  return page(
    c,
    loaded.viewer,
    { title: `Spending limits · ${org.orgName}`, noindex: true },
    <OrgShell org={org} path="/org/limits">
      <div class="stack">
        <p class="lead muted">
          A checkout above a limit, or in a currency without one, waits for an approver. Months are calendar
          months (UTC). A member without limits is not limited.
        </p>
        <section class="panel" aria-labelledby="member-limits-title">
          <h2 id="member-limits-title">Members</h2>
          <div class="table-wrap">
            <table class="table stack-sm">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Role</th>
                  <th scope="col">Limits</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {members.map((member, index) => (
                  <tr>
                    <td data-label="Member">
                      <div>
                        <strong>{member.name}</strong>
                        <div class="small muted">{member.email}</div>
                      </div>
                    </td>
                    <td data-label="Role">{roleLabel(member.role)}</td>
                    <td data-label="Limits">
                      <LimitsSummary fmt={fmt} limits={memberLimits[index]} none="No limit" />
                    </td>
                    <td data-label="Actions" class="row-actions">
                      {member.userId === principal.userId ? (
                        <span class="small muted">Set by another owner or admin</span>
                      ) : (
                        <a
                          class="btn btn-small"
                          href={`/org/limits/${member.userId}`}
                          aria-label={`Edit limits of ${member.name}`}
                        >
                          Edit
                        </a>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section class="panel" aria-labelledby="key-limits-title">
          <div class="panel-title">
            <h2 id="key-limits-title">API keys</h2>
            {can(org, "api-key-limits:manage") && (
              <a class="btn btn-small" href="/org/limits/api-keys">
                Edit
              </a>
            )}
          </div>
          <p class="muted small">
            One set of limits for all of the organisation's API keys together. Without a limit in a currency,
            every API-key checkout in it waits for an approver. Only owners change these.
          </p>
          <LimitsSummary
            fmt={fmt}
            limits={keyLimits}
            none="No limits: every API-key checkout needs approval"
          />
        </section>
      </div>
    </OrgShell>,
  );
});

interface Row {
  currency: string;
  perOrder: string;
  perMonth: string;
}

function rowsOf(limits: SpendingLimit[]): Row[] {
  const rows = limits.map((limit) => ({
    currency: limit.currency,
    perOrder: limit.perOrderMinor === null ? "" : Format.decimal(limit.perOrderMinor, limit.currency),
    perMonth: limit.perMonthMinor === null ? "" : Format.decimal(limit.perMonthMinor, limit.currency),
  }));
  for (let i = 0; i < BLANK_ROWS; i++) rows.push({ currency: "", perOrder: "", perMonth: "" });
  return rows;
}

function subjectOf(param: string | undefined): LimitSubject {
  return param === "api-keys" ? { kind: "api_keys" } : { kind: "member", userId: uuidParam(param, "Member") };
}

function LimitsForm(props: {
  org: Membership;
  subjectPath: string;
  title: string;
  rows: Row[];
  errors?: FieldErrors;
  message?: string;
  apiKeys: boolean;
}) {
  const { errors } = props;
  const cell = (
    name: string,
    index: number,
    label: string,
    value: string,
    extra: Record<string, unknown>,
  ) => {
    const id = `f-${name}-${index}`;
    const error = errors?.[`${name}.${index}`];
    return (
      <td data-label={label} class={error ? "field-invalid" : undefined}>
        <label class="visually-hidden" for={id}>
          {label}, row {index + 1}
        </label>
        <input
          type="text"
          id={id}
          name={`${name}.${index}`}
          value={value}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          {...extra}
        />
        {error && (
          <span class="error" id={`${id}-error`}>
            {error}
          </span>
        )}
      </td>
    );
  };
  return (
    <section class="panel" aria-labelledby="limits-form-title">
      <h2 id="limits-form-title">{props.title}</h2>
      <ErrorSummary
        message={
          props.message ??
          (errors && Object.keys(errors).length > 0 ? "Please correct the highlighted limits." : undefined)
        }
      />
      <form method="post" action={`/org/limits/${props.subjectPath}`} class="form form-wide" data-once>
        <OrgIdField orgId={props.org.orgId} />
        <table class="table stack-sm limits-table">
          <thead>
            <tr>
              <th scope="col">Currency</th>
              <th scope="col">Per order</th>
              <th scope="col">Per month</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row, index) => (
              <tr>
                {cell("currency", index, "Currency", row.currency, {
                  maxlength: 3,
                  placeholder: "EUR",
                  autocomplete: "off",
                  class: "input-currency",
                })}
                {cell("perOrder", index, "Per order", row.perOrder, {
                  inputmode: "decimal",
                  placeholder: "No limit",
                })}
                {cell("perMonth", index, "Per month", row.perMonth, {
                  inputmode: "decimal",
                  placeholder: "No limit",
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <p class="hint small muted">
          Amounts in the currency's units, e.g. 2500.00. Empty a row to remove that currency's limit.{" "}
          {props.apiKeys
            ? "With no rows, every API-key checkout waits for an approver."
            : "With no rows, this member is not limited."}
        </p>
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Save limits
          </button>
          <a class="btn" href="/org/limits">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

async function editPage(
  c: WebContext,
  principal: UserPrincipal,
  subjectPath: string,
  options: { orgId?: string; rows?: Row[]; errors?: FieldErrors; message?: string; status?: number } = {},
) {
  const subject = subjectOf(subjectPath);
  const ctx = serviceContext(c);
  const read = (orgId: string) =>
    Promise.all([
      getSpendingLimits(ctx, principal, orgId, subject),
      subject.kind === "member" ? listMembers(ctx, principal, orgId) : Promise.resolve([] as MemberView[]),
    ]);
  let loaded: Awaited<ReturnType<typeof loadOrgPage<Awaited<ReturnType<typeof read>>>>>;
  if (options.orgId) {
    const orgId = options.orgId;
    const [viewer, data] = await Promise.all([loadViewer(c, principal), read(orgId)]);
    const org = viewer.me.memberships.find((m) => m.orgId === orgId);
    loaded = org ? { viewer: { ...viewer, org }, org, data } : undefined;
  } else {
    loaded = await loadOrgPage(c, principal, read);
  }
  if (!loaded) return c.redirect("/org/new", 303);
  const [limits, members] = loaded.data;
  const member = subject.kind === "member" ? members.find((m) => m.userId === subject.userId) : undefined;
  const who = subject.kind === "api_keys" ? "API keys" : (member?.name ?? "Member");
  return page(
    c,
    loaded.viewer,
    {
      title: `Spending limits of ${who} · ${loaded.org.orgName}`,
      noindex: true,
      status: options.status ? formStatus(options.status) : 200,
    },
    <OrgShell org={loaded.org} path="/org/limits">
      <Breadcrumbs
        items={[
          ["Spending limits", "/org/limits"],
          [who, undefined],
        ]}
      />
      <LimitsForm
        org={loaded.org}
        subjectPath={subjectPath}
        title={subject.kind === "api_keys" ? "Limits of the API keys" : `Limits of ${who}`}
        rows={options.rows ?? rowsOf(limits)}
        errors={options.errors}
        message={options.message}
        apiKeys={subject.kind === "api_keys"}
      />
    </OrgShell>,
  );
}

limitPages.get("/org/limits/:subject", async (c) =>
  editPage(c, await requireVisitor(c), c.req.param("subject")),
);

limitPages.post("/org/limits/:subject", async (c) => {
  const principal = await requireVisitor(c);
  const subjectPath = c.req.param("subject");
  const subject = subjectOf(subjectPath);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const rows: Row[] = [];
  for (let i = 0; i < 60 && form.has(`currency.${i}`); i++) {
    rows.push({
      currency: field(form, `currency.${i}`).toUpperCase(),
      perOrder: field(form, `perOrder.${i}`),
      perMonth: field(form, `perMonth.${i}`),
    });
  }
  const errors: FieldErrors = {};
  const limits: SpendingLimit[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (!row.currency && !row.perOrder && !row.perMonth) return;
    if (!/^[A-Z]{3}$/.test(row.currency) || !isCurrency(row.currency)) {
      errors[`currency.${i}`] = "Enter a three-letter currency code, e.g. EUR.";
      return;
    }
    if (seen.has(row.currency)) {
      errors[`currency.${i}`] = "Each currency once.";
      return;
    }
    seen.add(row.currency);
    if (!row.perOrder && !row.perMonth) {
      errors[`perOrder.${i}`] = "Set a limit per order, per month or both.";
      return;
    }
    const perOrder = row.perOrder ? parseDecimal(row.perOrder, row.currency) : null;
    const perMonth = row.perMonth ? parseDecimal(row.perMonth, row.currency) : null;
    if (perOrder === undefined) errors[`perOrder.${i}`] = "Enter an amount, e.g. 2500.00.";
    if (perMonth === undefined) errors[`perMonth.${i}`] = "Enter an amount, e.g. 20000.00.";
    if (perOrder === undefined || perMonth === undefined) return;
    limits.push({ currency: row.currency, perOrderMinor: perOrder, perMonthMinor: perMonth });
  });
  const checked = limitsBody.safeParse({ limits });
  if (Object.keys(errors).length > 0 || !checked.success) {
    if (!checked.success && Object.keys(errors).length === 0) errors["currency.0"] = "Check these limits.";
    return editPage(c, principal, subjectPath, { orgId, rows, errors, status: 422 });
  }
  const saved = await attempt(
    () => replaceSpendingLimits(serviceContext(c), principal, orgId, subject, limits),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return editPage(c, principal, subjectPath, {
        orgId,
        rows,
        message: problem.message,
        status: problem.status,
      });
    },
  );
  if (saved instanceof Response) return saved;
  return redirectWith(c, "/org/limits", "limits-saved");
});

let currencies: Set<string> | undefined;

/** An ISO 4217 code Intl knows (built once per isolate). */
function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf("currency"));
  return currencies.has(code);
}

/**
 * Invitations: owners and admins invite by email and revoke pending invitations; the invitee opens the
 * emailed link (/invitations/accept?token=…), sees what is offered and joins.
 */
import { Hono } from "hono";
import { z } from "zod";
import { serviceContext } from "../../../routes/context.ts";
import { createInvitation as createInvitationRoute } from "../../../routes/invitations/invitations.routes.ts";
import {
  acceptInvitation,
  createInvitation,
  type InvitationPreview,
  listInvitations,
  type PendingInvitationView,
  previewInvitation,
  revokeInvitation,
} from "../../../services/identity/invitations.ts";
import { memberRoles } from "../../../services/identity/principal.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState, ErrorSummary, Field, type FieldErrors } from "../../components.tsx";
import {
  loadViewer,
  type Membership,
  pageFacts,
  redirectWith,
  requireVisitor,
  setPreferredOrg,
  type UserPrincipal,
  type Viewer,
  visitor,
  type WebContext,
} from "../../context.ts";
import { attempt, field, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import {
  accessError,
  formOrgId,
  formStatus,
  isAccessProblem,
  loadOrgPage,
  OrgIdField,
  OrgShell,
  ROLE_HINTS,
  ROLE_LABELS,
  roleLabel,
  uuidParam,
} from "./shell.tsx";

export const invitationPages = new Hono<AppEnv>();

const invitationBody = createInvitationRoute.request.body.content["application/json"].schema;

interface InviteForm {
  values: { email: string; role: string };
  errors?: FieldErrors;
  message?: string;
  status?: number;
}

function InvitePanel(props: { org: Membership; form?: InviteForm }) {
  const values = props.form?.values ?? { email: "", role: "buyer" };
  const owner = props.org.role === "owner";
  const roles = memberRoles.filter((role) => owner || role !== "owner");
  return (
    <section class="panel" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <p class="muted small">
        They get an email with a link, valid for 7 days. They sign in or create an account with that address
        to join.
      </p>
      <ErrorSummary
        message={props.form?.message}
        errors={props.form?.errors}
        labels={{ email: "Email", role: "Role" }}
      />
      <form method="post" action="/org/invitations" class="form" data-once>
        <OrgIdField orgId={props.org.orgId} />
        <Field
          name="email"
          label="Work email"
          type="email"
          autocomplete="off"
          required
          value={values.email}
          errors={props.form?.errors}
        />
        <Field
          name="role"
          label="Role"
          required
          options={roles.map((role) => [role, `${ROLE_LABELS[role]}: ${ROLE_HINTS[role]}`] as const)}
          value={values.role}
          errors={props.form?.errors}
        />
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Send invitation
          </button>
        </div>
      </form>
    </section>
  );
}

function PendingTable(props: { c: WebContext; org: Membership; invitations: PendingInvitationView[] }) {
  const { fmt, now } = pageFacts(props.c);
  if (props.invitations.length === 0) {
    return (
      <EmptyState title="No pending invitations">
        <p>Invite colleagues with the form; invitations waiting for an answer are listed here.</p>
      </EmptyState>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table stack-sm">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Sent</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.invitations.map((invitation) => (
            <tr>
              <td data-label="Email">{invitation.email}</td>
              <td data-label="Role">{roleLabel(invitation.role)}</td>
              <td data-label="Sent">
                <time datetime={invitation.createdAt} title={fmt.dateTime(invitation.createdAt)}>
                  {fmt.relative(invitation.createdAt, now)}
                </time>
              </td>
              <td data-label="Expires">
                <time datetime={invitation.expiresAt}>{fmt.date(invitation.expiresAt)}</time>
              </td>
              <td data-label="Actions" class="row-actions">
                <form method="post" action={`/org/invitations/${invitation.id}/revoke`} data-once>
                  <OrgIdField orgId={props.org.orgId} />
                  <button
                    class="btn btn-small btn-danger"
                    type="submit"
                    aria-label={`Revoke the invitation to ${invitation.email}`}
                  >
                    Revoke
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function invitationsPage(
  c: WebContext,
  principal: UserPrincipal,
  options: { orgId?: string; form?: InviteForm; problem?: { message: string; status: number } } = {},
) {
  const read = (orgId: string) => listInvitations(serviceContext(c), principal, orgId);
  let loaded: { viewer: Viewer; org: Membership; data: PendingInvitationView[] } | undefined;
  if (options.orgId) {
    const orgId = options.orgId;
    const [viewer, invitations] = await Promise.all([loadViewer(c, principal), read(orgId)]);
    const org = viewer.me.memberships.find((m) => m.orgId === orgId);
    if (org) loaded = { viewer: { ...viewer, org }, org, data: invitations };
  } else {
    loaded = await loadOrgPage(c, principal, read);
  }
  if (!loaded) return c.redirect("/org/new", 303);
  // "Invitation sent to x": the address comes from the pending list, never from the URL.
  const sentId = c.req.query("sent");
  const sent = sentId ? loaded.data.find((invitation) => invitation.id === sentId) : undefined;
  const status = options.form?.status ?? options.problem?.status;
  return page(
    c,
    loaded.viewer,
    {
      title: `Invitations · ${loaded.org.orgName}`,
      noindex: true,
      status: status ? formStatus(status) : 200,
      facts: sent ? { ...pageFacts(c), notice: `Invitation sent to ${sent.email}.` } : undefined,
    },
    <OrgShell org={loaded.org} path="/org/invitations">
      {options.problem && (
        <div class="alert alert-error" role="alert">
          {options.problem.message}
        </div>
      )}
      <div class="columns columns-reverse">
        <section class="panel" aria-labelledby="pending-title">
          <h2 id="pending-title">Pending invitations</h2>
          <PendingTable c={c} org={loaded.org} invitations={loaded.data} />
        </section>
        <InvitePanel org={loaded.org} form={options.form} />
      </div>
    </OrgShell>,
  );
}

invitationPages.get("/org/invitations", async (c) => invitationsPage(c, await requireVisitor(c)));

invitationPages.post("/org/invitations", async (c) => {
  const principal = await requireVisitor(c);
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const values = { email: field(form, "email"), role: field(form, "role") };
  const parsed = invitationBody.safeParse(values);
  if (!parsed.success) {
    return invitationsPage(c, principal, {
      orgId,
      form: { values, errors: zodErrors(parsed.error), status: 422 },
    });
  }
  const invitation = await attempt(
    () =>
      createInvitation(serviceContext(c), principal, orgId, {
        ...parsed.data,
        acceptBaseUrl: c.var.config.PUBLIC_URL,
      }),
    (problem) => {
      if (problem.status === 404) throw accessError(problem);
      return invitationsPage(c, principal, {
        orgId,
        form: { values, errors: problem.errors, message: problem.message, status: problem.status },
      });
    },
  );
  if (invitation instanceof Response) return invitation;
  return redirectWith(c, `/org/invitations?sent=${invitation.id}`, "invitation-sent");
});

invitationPages.post("/org/invitations/:invitationId/revoke", async (c) => {
  const principal = await requireVisitor(c);
  const invitationId = uuidParam(c.req.param("invitationId"), "Invitation");
  const orgId = formOrgId(await readForm(c));
  const done = await attempt(
    () => revokeInvitation(serviceContext(c), principal, orgId, invitationId),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return invitationsPage(c, principal, { orgId, problem });
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/org/invitations", "invitation-revoked");
});

const tokenSchema = z.string().regex(/^[\w-]{43}$/);

const unavailable: Record<Exclude<InvitationPreview["state"], "ok">, [string, string]> = {
  missing: [
    "Invitation not found",
    "The link may be incomplete. Check that you copied all of it from the email.",
  ],
  used: [
    "Invitation already used",
    "This invitation has been accepted. Ask for a new one if you need access.",
  ],
  revoked: ["Invitation withdrawn", "Whoever sent it withdrew this invitation. Ask them for a new one."],
  expired: ["Invitation expired", "Invitations are valid for 7 days. Ask whoever sent it for a new one."],
  wrong_user: [
    "This invitation is for another address",
    "You are signed in with a different email address from the one invited. Sign out and sign in (or create an account) with the invited address.",
  ],
  member: ["You are already a member", "You already belong to this organisation."],
};

function AcceptPage(props: {
  c: WebContext;
  token: string;
  preview: InvitationPreview;
  signedIn: boolean;
  message?: string;
}) {
  const { preview, token } = props;
  const { fmt } = pageFacts(props.c);
  const here = `/invitations/accept?token=${encodeURIComponent(token)}`;
  if (preview.state !== "ok" || !preview.orgName || !preview.role) {
    const [title, text] = unavailable[preview.state === "ok" ? "missing" : preview.state];
    return (
      <div class="panel auth-card">
        <h1>{title}</h1>
        <p>{text}</p>
        <div class="actions">
          {preview.state === "member" ? (
            <a class="btn btn-primary" href="/org">
              Go to your organisation
            </a>
          ) : (
            <a class="btn" href="/">
              Go to the catalogue
            </a>
          )}
        </div>
      </div>
    );
  }
  return (
    <div class="panel auth-card invitation-card">
      <p class="muted small">Invitation</p>
      <h1>Join {preview.orgName}</h1>
      <p>
        {preview.invitedBy} invited you to join <strong>{preview.orgName}</strong> as{" "}
        <strong>{roleLabel(preview.role).toLowerCase()}</strong>.
      </p>
      <dl class="kv">
        <dt>Role</dt>
        <dd>
          {roleLabel(preview.role)}
          <span class="muted small"> · {ROLE_HINTS[preview.role]}</span>
        </dd>
        {preview.expiresAt && (
          <>
            <dt>Valid until</dt>
            <dd>
              <time datetime={preview.expiresAt}>{fmt.date(preview.expiresAt)}</time>
            </dd>
          </>
        )}
      </dl>
      {props.message && (
        <div class="alert alert-error" role="alert">
          {props.message}
        </div>
      )}
      {props.signedIn ? (
        <form method="post" action="/invitations/accept" class="form" data-once>
          <input type="hidden" name="token" value={token} />
          <button class="btn btn-primary btn-large" type="submit">
            Join {preview.orgName}
          </button>
        </form>
      ) : (
        <>
          <p>Sign in with the invited email address to accept, or create an account with it.</p>
          <div class="actions">
            <a class="btn btn-primary" href={`/signin?next=${encodeURIComponent(here)}`}>
              Sign in to accept
            </a>
            <a class="btn" href={`/signup?next=${encodeURIComponent(here)}`}>
              Create an account
            </a>
          </div>
        </>
      )}
    </div>
  );
}

async function acceptPage(c: WebContext, token: string, options: { message?: string; status?: number } = {}) {
  const principal = await visitor(c);
  const [viewer, preview] = await Promise.all([
    principal ? loadViewer(c, principal) : null,
    tokenSchema.safeParse(token).success
      ? previewInvitation(serviceContext(c), principal, token)
      : ({ state: "missing", orgName: null, role: null, invitedBy: null, expiresAt: null } as const),
  ]);
  const status = options.status
    ? formStatus(options.status)
    : preview.state === "missing"
      ? 404
      : preview.state === "ok"
        ? 200
        : 410;
  return page(
    c,
    viewer,
    {
      title: preview.orgName ? `Join ${preview.orgName}` : "Invitation",
      noindex: true,
      status,
    },
    <AcceptPage
      c={c}
      token={token}
      preview={preview}
      signedIn={Boolean(principal)}
      message={options.message}
    />,
  );
}

invitationPages.get("/invitations/accept", async (c) => acceptPage(c, c.req.query("token") ?? ""));

invitationPages.post("/invitations/accept", async (c) => {
  const principal = await requireVisitor(c);
  const token = field(await readForm(c), "token");
  if (!tokenSchema.safeParse(token).success) return acceptPage(c, token);
  const joined = await attempt(
    () => acceptInvitation(serviceContext(c), principal, token),
    (problem) => acceptPage(c, token, { message: problem.message, status: problem.status }),
  );
  if (joined instanceof Response) return joined;
  setPreferredOrg(c, joined.orgId);
  return redirectWith(c, "/org", "invitation-accepted");
});

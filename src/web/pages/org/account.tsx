/** The visitor's own account: profile, password change (other sessions end) and sessions with revoke. */
import { Hono } from "hono";
import { z } from "zod";
import { serviceContext, setSessionCookie, userAgent } from "../../../routes/context.ts";
import { deviceInput } from "../../../routes/device-cookie.ts";
import { password } from "../../../routes/schemas.ts";
import { changePassword } from "../../../services/identity/accounts.ts";
import {
  listSessions,
  revokeOtherSessions,
  revokeSession,
  type SessionListItem,
} from "../../../services/identity/me.ts";
import type { AppEnv } from "../../../types.ts";
import { ErrorSummary, Field, type FieldErrors, PageHead } from "../../components.tsx";
import {
  loadViewer,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { attempt, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import { formStatus, roleLabel } from "./shell.tsx";

export const accountPages = new Hono<AppEnv>();

const passwordInput = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").pipe(password),
    newPassword: z.string().min(1, "Choose a new password").pipe(password),
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ["confirmPassword"],
    message: "does not match the new password",
  });

const sessionIdSchema = z.string().regex(/^[\w-]{22}$/);

/** A short, readable name for a browser's user agent ("Firefox on Windows"). */
export function deviceName(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\//.test(ua)
      ? "Opera"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /Chrome\//.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : /curl|node|python|okhttp|go-http/i.test(ua)
              ? "API client"
              : "Browser";
  const os = /iPhone|iPad/.test(ua)
    ? "iOS"
    : /Android/.test(ua)
      ? "Android"
      : /Windows/.test(ua)
        ? "Windows"
        : /Mac OS X|Macintosh/.test(ua)
          ? "macOS"
          : /Linux/.test(ua)
            ? "Linux"
            : undefined;
  return os ? `${browser} on ${os}` : browser;
}

function SessionsPanel(props: { c: WebContext; sessions: SessionListItem[] }) {
  const { fmt, now } = pageFacts(props.c);
  const others = props.sessions.filter((s) => !s.current).length;
  return (
    <section class="panel" aria-labelledby="sessions-title">
      <div class="panel-title">
        <h2 id="sessions-title">Where you are signed in</h2>
        {others > 0 && (
          <form method="post" action="/account/sessions/revoke-others" data-once>
            <button class="btn btn-small btn-danger" type="submit">
              Sign out everywhere else
            </button>
          </form>
        )}
      </div>
      <div class="table-wrap">
        <table class="table stack-sm">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last active</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.sessions.map((session) => (
              <tr class={session.current ? "highlight" : undefined}>
                <td data-label="Device">
                  <div class="device">
                    <strong>{deviceName(session.userAgent)}</strong>
                    {session.current && <span class="badge badge-ok">This session</span>}
                    {session.userAgent && (
                      <div class="small muted ua" title={session.userAgent}>
                        {session.userAgent.slice(0, 120)}
                      </div>
                    )}
                  </div>
                </td>
                <td data-label="Signed in" class="nowrap">
                  <time datetime={session.createdAt} title={fmt.dateTime(session.createdAt)}>
                    {fmt.relative(session.createdAt, now)}
                  </time>
                </td>
                <td data-label="Last active" class="nowrap">
                  {session.lastSeenAt ? (
                    <time datetime={session.lastSeenAt} title={fmt.dateTime(session.lastSeenAt)}>
                      {fmt.relative(session.lastSeenAt, now)}
                    </time>
                  ) : (
                    <span class="muted">Unknown</span>
                  )}
                </td>
                <td data-label="Expires" class="nowrap">
                  <time datetime={session.expiresAt} title={fmt.dateTime(session.expiresAt)}>
                    {fmt.date(session.expiresAt)}
                  </time>
                </td>
                <td data-label="Actions" class="row-actions">
                  {session.current ? (
                    <form method="post" action="/signout">
                      <button class="btn btn-small" type="submit">
                        Sign out
                      </button>
                    </form>
                  ) : (
                    <form method="post" action={`/account/sessions/${session.id}/revoke`} data-once>
                      <button
                        class="btn btn-small btn-danger"
                        type="submit"
                        aria-label={`Revoke the session on ${deviceName(session.userAgent)}`}
                      >
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AccountPage(props: {
  c: WebContext;
  viewer: Viewer;
  sessions: SessionListItem[];
  errors?: FieldErrors;
  message?: string;
}) {
  const { me } = props.viewer;
  const { fmt, now } = pageFacts(props.c);
  return (
    <div class="account-page">
      <PageHead title="Account and security" subtitle={`Signed in as ${me.email}`} />
      <div class="columns">
        <div class="stack">
          <SessionsPanel c={props.c} sessions={props.sessions} />
          <section class="panel" aria-labelledby="orgs-title">
            <div class="panel-title">
              <h2 id="orgs-title">Your organisations</h2>
              <a class="btn btn-small" href="/org/new">
                New organisation
              </a>
            </div>
            {me.memberships.length === 0 ? (
              <p class="muted">
                You do not belong to an organisation yet. <a href="/org/new">Create one</a> or ask a colleague
                to invite you.
              </p>
            ) : (
              <ul class="org-list">
                {me.memberships.map((m) => (
                  <li>
                    <strong>{m.orgName}</strong>{" "}
                    <span class="muted small">
                      {roleLabel(m.role)}
                      {m.orgId === props.viewer.org?.orgId ? " · acting for it now" : ""}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
        <div class="stack">
          <section class="panel" aria-labelledby="profile-title">
            <h2 id="profile-title">Profile</h2>
            <dl class="kv">
              <dt>Name</dt>
              <dd>{me.name}</dd>
              <dt>Email</dt>
              <dd>{me.email}</dd>
              <dt>Member since</dt>
              <dd>
                <time datetime={me.createdAt} title={fmt.dateTime(me.createdAt)}>
                  {fmt.relative(me.createdAt, now)}
                </time>
              </dd>
              {me.platformAdmin && (
                <>
                  <dt>Access</dt>
                  <dd>Platform admin</dd>
                </>
              )}
            </dl>
          </section>
          <section class="panel" aria-labelledby="password-title">
            <h2 id="password-title">Change password</h2>
            <p class="muted small">Every other session is signed out; this one stays signed in.</p>
            <ErrorSummary
              message={props.message}
              errors={props.errors}
              labels={{
                currentPassword: "Current password",
                newPassword: "New password",
                confirmPassword: "Repeat new password",
              }}
            />
            <form method="post" action="/account/password" class="form" data-once>
              <input type="hidden" name="username" value={me.email} autocomplete="username" />
              <Field
                name="currentPassword"
                label="Current password"
                type="password"
                autocomplete="current-password"
                required
                errors={props.errors}
              />
              <Field
                name="newPassword"
                label="New password"
                type="password"
                autocomplete="new-password"
                required
                hint="At least 8 characters, 12 or more recommended; a passphrase of a few words works well."
                errors={props.errors}
              />
              <Field
                name="confirmPassword"
                label="Repeat new password"
                type="password"
                autocomplete="new-password"
                required
                errors={props.errors}
              />
              <div class="actions">
                <button class="btn btn-primary" type="submit">
                  Change password
                </button>
              </div>
            </form>
          </section>
        </div>
      </div>
    </div>
  );
}

async function accountPage(
  c: WebContext,
  principal: UserPrincipal,
  options: { errors?: FieldErrors; message?: string; status?: number } = {},
) {
  const [viewer, sessions] = await Promise.all([
    loadViewer(c, principal),
    listSessions(serviceContext(c), principal),
  ]);
  return page(
    c,
    viewer,
    {
      title: "Account and security",
      noindex: true,
      status: options.status ? formStatus(options.status) : 200,
    },
    <AccountPage
      c={c}
      viewer={viewer}
      sessions={sessions}
      errors={options.errors}
      message={options.message}
    />,
  );
}

accountPages.get("/account", async (c) => accountPage(c, await requireVisitor(c)));

accountPages.post("/account/password", async (c) => {
  const principal = await requireVisitor(c);
  const form = await readForm(c);
  const parsed = passwordInput.safeParse({
    currentPassword: form.get("currentPassword") ?? "",
    newPassword: form.get("newPassword") ?? "",
    confirmPassword: form.get("confirmPassword") ?? "",
  });
  if (!parsed.success) return accountPage(c, principal, { errors: zodErrors(parsed.error), status: 422 });
  const session = await attempt(
    () =>
      changePassword(serviceContext(c), principal, {
        currentPassword: parsed.data.currentPassword,
        newPassword: parsed.data.newPassword,
        userAgent: userAgent(c),
        device: deviceInput(c),
      }),
    (problem) =>
      accountPage(c, principal, {
        errors: problem.status === 403 ? { currentPassword: "is not your current password" } : problem.errors,
        message: problem.message,
        status: problem.status,
      }),
  );
  if (session instanceof Response) return session;
  setSessionCookie(c, session);
  return redirectWith(c, "/account", "password-changed");
});

accountPages.post("/account/sessions/revoke-others", async (c) => {
  const principal = await requireVisitor(c);
  await revokeOtherSessions(serviceContext(c), principal);
  return redirectWith(c, "/account", "sessions-revoked");
});

accountPages.post("/account/sessions/:sessionId/revoke", async (c) => {
  const principal = await requireVisitor(c);
  const sessionId = c.req.param("sessionId");
  if (!sessionIdSchema.safeParse(sessionId).success)
    return accountPage(c, principal, { message: "Session not found.", status: 404 });
  const done = await attempt(
    () => revokeSession(serviceContext(c), principal, sessionId),
    (problem) => accountPage(c, principal, { message: problem.message, status: problem.status }),
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/account", "session-revoked");
});

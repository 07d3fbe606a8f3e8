/** Members of the active organisation: roles changed and members removed by owners and admins. */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { role as roleSchema } from "../../../routes/schemas.ts";
import {
  changeMemberRole,
  listMembers,
  type MemberView,
  removeMember,
} from "../../../services/identity/members.ts";
import { memberRoles } from "../../../services/identity/principal.ts";
import type { AppEnv } from "../../../types.ts";
import {
  loadViewer,
  type Membership,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
  type WebContext,
} from "../../context.ts";
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
  ROLE_HINTS,
  ROLE_LABELS,
  roleLabel,
  uuidParam,
} from "./shell.tsx";

export const memberPages = new Hono<AppEnv>();

const roleOptions = memberRoles.map((role) => [role, ROLE_LABELS[role]] as const);

function MembersTable(props: {
  c: WebContext;
  org: Membership;
  me: string;
  members: MemberView[];
  problem?: { userId: string; message: string };
}) {
  const { fmt, now } = pageFacts(props.c);
  const manage = can(props.org, "members:manage");
  const owner = props.org.role === "owner";
  // The last owner cannot leave (the service refuses it); the page does not offer it.
  const soleOwner = owner && props.members.filter((m) => m.role === "owner").length <= 1;
  return (
    <section class="panel" aria-labelledby="members-title">
      <div class="panel-title">
        <h2 id="members-title">
          Members <span class="muted small">({fmt.number(props.members.length)})</span>
        </h2>
        {can(props.org, "invitations:manage") && (
          <a class="btn btn-small btn-primary" href="/org/invitations">
            Invite someone
          </a>
        )}
      </div>
      <div class="table-wrap">
        <table class="table stack-sm">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.members.map((member) => {
              const self = member.userId === props.me;
              // Only owners touch the owner role; the service enforces it, the page does not offer it.
              const editable = manage && !self && (owner || member.role !== "owner");
              const problem = props.problem?.userId === member.userId ? props.problem.message : undefined;
              const selectId = `role-${member.userId}`;
              return (
                <tr class={problem ? "highlight" : undefined}>
                  <td data-label="Name">
                    <strong>{member.name}</strong>
                    {self && <span class="badge badge-info">You</span>}
                  </td>
                  <td data-label="Email">
                    <a href={`mailto:${member.email}`}>{member.email}</a>
                  </td>
                  <td data-label="Role">
                    {editable ? (
                      <form
                        method="post"
                        action={`/org/members/${member.userId}/role`}
                        class="inline-form"
                        data-once
                      >
                        <OrgIdField orgId={props.org.orgId} />
                        <label class="visually-hidden" for={selectId}>
                          Role of {member.name}
                        </label>
                        <select
                          id={selectId}
                          name="role"
                          aria-invalid={problem ? "true" : undefined}
                          aria-describedby={problem ? `${selectId}-error` : undefined}
                        >
                          {roleOptions
                            .filter(([role]) => owner || role !== "owner")
                            .map(([role, label]) => (
                              <option value={role} selected={member.role === role}>
                                {label}
                              </option>
                            ))}
                        </select>
                        <button class="btn btn-small" type="submit">
                          Save
                        </button>
                        {problem && (
                          <span class="error" id={`${selectId}-error`}>
                            {problem}
                          </span>
                        )}
                      </form>
                    ) : (
                      <span title={ROLE_HINTS[member.role]}>{roleLabel(member.role)}</span>
                    )}
                  </td>
                  <td data-label="Joined">
                    <time datetime={member.joinedAt} title={fmt.dateTime(member.joinedAt)}>
                      {fmt.relative(member.joinedAt, now)}
                    </time>
                  </td>
                  <td data-label="Actions" class="row-actions">
                    {editable && (
                      <form method="post" action={`/org/members/${member.userId}/remove`} data-once>
                        <OrgIdField orgId={props.org.orgId} />
                        <button
                          class="btn btn-small btn-danger"
                          type="submit"
                          aria-label={`Remove ${member.name}`}
                        >
                          Remove
                        </button>
                      </form>
                    )}
                    {self && !soleOwner && (
                      <form method="post" action={`/org/members/${member.userId}/remove`} data-once>
                        <OrgIdField orgId={props.org.orgId} />
                        <button class="btn btn-small" type="submit">
                          Leave organisation
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RolesHelp() {
  return (
    <section class="panel" aria-labelledby="roles-title">
      <h2 id="roles-title">What each role can do</h2>
      <dl class="kv roles-kv">
        {memberRoles.map((role) => (
          <>
            <dt>{ROLE_LABELS[role]}</dt>
            <dd>{ROLE_HINTS[role]}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

async function membersPage(
  c: WebContext,
  principal: UserPrincipal,
  options: { orgId?: string; problem?: { userId: string; message: string; status: number } } = {},
) {
  let loaded:
    | { viewer: Awaited<ReturnType<typeof loadViewer>>; org: Membership; data: MemberView[] }
    | undefined;
  if (options.orgId) {
    const orgId = options.orgId;
    const [viewer, members] = await Promise.all([
      loadViewer(c, principal),
      listMembers(serviceContext(c), principal, orgId),
    ]);
    const org = viewer.me.memberships.find((m) => m.orgId === orgId);
    if (org) loaded = { viewer: { ...viewer, org }, org, data: members };
  } else {
    loaded = await loadOrgPage(c, principal, (orgId) => listMembers(serviceContext(c), principal, orgId));
  }
  if (!loaded) return c.redirect("/org/new", 303);
  const problem = options.problem;
  return page(
    c,
    loaded.viewer,
    {
      title: `Members · ${loaded.org.orgName}`,
      noindex: true,
      status: problem ? formStatus(problem.status) : 200,
    },
    <OrgShell org={loaded.org} path="/org/members">
      {problem && (
        <div class="alert alert-error" role="alert">
          {problem.message}
        </div>
      )}
      <div class="stack">
        <MembersTable c={c} org={loaded.org} me={principal.userId} members={loaded.data} problem={problem} />
        <RolesHelp />
      </div>
    </OrgShell>,
  );
}

memberPages.get("/org/members", async (c) => membersPage(c, await requireVisitor(c)));

memberPages.post("/org/members/:userId/role", async (c) => {
  const principal = await requireVisitor(c);
  const userId = uuidParam(c.req.param("userId"), "Member");
  const form = await readForm(c);
  const orgId = formOrgId(form);
  const role = roleSchema.safeParse(field(form, "role"));
  if (!role.success) {
    return membersPage(c, principal, { orgId, problem: { userId, message: "Choose a role.", status: 422 } });
  }
  const done = await attempt(
    () => changeMemberRole(serviceContext(c), principal, orgId, userId, role.data),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return membersPage(c, principal, { orgId, problem: { userId, ...problem } });
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/org/members", "member-updated");
});

memberPages.post("/org/members/:userId/remove", async (c) => {
  const principal = await requireVisitor(c);
  const userId = uuidParam(c.req.param("userId"), "Member");
  const orgId = formOrgId(await readForm(c));
  const done = await attempt(
    () => removeMember(serviceContext(c), principal, orgId, userId),
    (problem) => {
      if (isAccessProblem(problem.status)) throw accessError(problem);
      return membersPage(c, principal, { orgId, problem: { userId, ...problem } });
    },
  );
  if (done instanceof Response) return done;
  if (userId === principal.userId) return redirectWith(c, "/org", "member-left");
  return redirectWith(c, "/org/members", "member-removed");
});

import { sql } from "drizzle-orm";
import { guard, textArray } from "../../db/atomic.ts";
import { invitations } from "../../db/schema/index.ts";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { appendEmails } from "../email/outbox.ts";
import { write } from "../write.ts";
import { normalizeEmail } from "./accounts.ts";
import { assertRole, memberRoleSql, orgRoleGuard, unverifiedEmail } from "./org-access.ts";
import { rolesFor } from "./permissions.ts";
import { type MemberRole, type Principal, principalGuard, verifiedEmailGuard } from "./principal.ts";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

type UserPrincipal = Extract<Principal, { kind: "user" }>;

export interface InvitationView {
  id: string;
  orgId: string;
  email: string;
  role: MemberRole;
  expiresAt: string;
}

/**
 * Invites an email address into an organisation (owners and admins; only owners invite owners). The
 * single-use token goes only into the email (the outbox row, same batch); Postgres keeps its SHA-256. Only
 * a verified address sends one (403 `email_unverified`, a guard in the same batch): the email names an
 * organisation and an inviter the sender chose, so an unproven account could otherwise make the platform
 * mail anyone anything under those names.
 */
export async function createInvitation(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
  input: { email: string; role: MemberRole; acceptBaseUrl: string },
): Promise<InvitationView> {
  const email = normalizeEmail(input.email);
  const token = randomToken(32);
  const id = crypto.randomUUID();
  const expiresAt = new Date(ctx.now + INVITATION_TTL_MS);
  // People open the web page; API clients POST the same token to the API.
  const pageUrl = `${input.acceptBaseUrl}/invitations/accept?token=${token}`;
  const acceptUrl = `${input.acceptBaseUrl}/v1/invitations/${token}/accept`;
  await write(ctx.db, "invite members", {
    email_unverified: () => unverifiedEmail("send invitations"),
    owner_only: () => new ApiError("forbidden", "Only an owner may invite owners."),
    already_member: () => new ApiError("conflict", "This person is already a member."),
  })
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, "invitations:manage"),
      verifiedEmailGuard(ctx.db, principal),
      guard(
        ctx.db,
        "owner_only",
        sql`${input.role} <> 'owner' or exists (select 1 from memberships
          where org_id = ${orgId} and user_id = ${principal.userId} and role = 'owner')`,
      ),
      guard(
        ctx.db,
        "already_member",
        sql`not exists (select 1 from memberships m join users u on u.id = m.user_id
          where m.org_id = ${orgId} and u.email_normalized = ${email})`,
      ),
      ctx.db.insert(invitations).values({
        id,
        orgId,
        emailNormalized: email,
        role: input.role,
        tokenHash: await sha256Hex(token),
        invitedBy: principal.userId,
        expiresAt,
      }),
      ctx.db.execute(
        appendEmails({
          template: "invitation",
          to: sql`${email}`,
          data: sql`jsonb_build_object('inviterName', u.name, 'orgName', o.name, 'role', ${input.role}::text,
            'acceptUrl', ${pageUrl}::text, 'apiAcceptUrl', ${acceptUrl}::text, 'expiresAt', ${expiresAt.toISOString()}::text)`,
          from: sql`organizations o, users u where o.id = ${orgId} and u.id = ${principal.userId}`,
        }),
      ),
    )
    .commit();
  return { id, orgId, email, role: input.role, expiresAt: expiresAt.toISOString() };
}

/**
 * Accepts an invitation as the signed-in user, whose email must be the invited one. Single use; valid
 * 7 days; not revoked; and only while whoever sent it may still grant its role (an owner for owner
 * invitations, an owner or admin otherwise): the batch first locks the organisation's row, as every
 * membership change does, and reads the inviter's membership under it, so a concurrent removal or
 * demotion waits for the acceptance or wins before it (never a deadlock). One round trip: the lock, the
 * state check, the membership and the "used" mark are one batch.
 */
export async function acceptInvitation(
  ctx: ServiceContext,
  principal: UserPrincipal,
  token: string,
): Promise<{ orgId: string; role: MemberRole }> {
  const tokenHash = await sha256Hex(token);
  const now = new Date(ctx.now);
  const state = sql`(select case
      when i.id is null then 'missing'
      when i.accepted_at is not null then 'used'
      when i.revoked_at is not null then 'revoked'
      when i.expires_at <= ${now} then 'expired'
      when i.email_normalized <> (select email_normalized from users where id = ${principal.userId}) then 'wrong_user'
      when exists (select 1 from memberships m where m.org_id = i.org_id and m.user_id = ${principal.userId}) then 'member'
      when not exists (select 1 from memberships m where m.org_id = i.org_id and m.user_id = i.invited_by
          and (m.role = 'owner' or (m.role = 'admin' and i.role <> 'owner')) for share) then 'inviter_lacks_rights'
      else 'ok' end
    from (select 1) one left join invitations i on i.token_hash = ${tokenHash})`;
  const { accepted } = await write(ctx.db, "accept invitations", {
    invitation_state: (detail) => {
      switch (detail?.state) {
        case "used":
          return new ApiError("gone", "This invitation has already been used.");
        case "revoked":
          return new ApiError("gone", "This invitation has been revoked.");
        case "inviter_lacks_rights":
          return new ApiError(
            "gone",
            "This invitation is no longer valid: whoever sent it may no longer grant this role. Ask for a new one.",
          );
        case "expired":
          return new ApiError("gone", "This invitation has expired; ask for a new one.");
        case "wrong_user":
          return new ApiError("forbidden", "This invitation is for another email address.");
        case "member":
          return new ApiError("conflict", "You are already a member of this organisation.");
        default:
          return new ApiError("not_found", "Invitation not found.");
      }
    },
  })
    .add(
      principalGuard(ctx.db, principal, now),
      // Membership changes of one organisation take its row lock first (like changeMemberRole and
      // removeMember): the inviter's membership is share-locked only under it, so an accept never waits
      // on a membership while holding one that a demotion or removal of its inviter waits on (40P01).
      ctx.db.execute(sql`select o.id from organizations o
        where o.id = (select org_id from invitations where token_hash = ${tokenHash}) for update`),
      guard(ctx.db, "invitation_state", sql`${state} = 'ok'`, sql`jsonb_build_object('state', ${state})`),
      // Only a proven address may join: else anyone could sign up with an invited person's address and
      // take their seat.
      verifiedEmailGuard(ctx.db, principal),
    )
    .step(
      "accepted",
      ctx.db.execute<{ org_id: string; role: MemberRole }>(sql`
        with used as (
          update invitations set accepted_at = ${now}, accepted_by = ${principal.userId}
          where token_hash = ${tokenHash} and accepted_at is null and revoked_at is null returning org_id, role)
        insert into memberships (org_id, user_id, role)
        select org_id, ${principal.userId}, role from used
        returning org_id, role`),
    )
    .commit();
  const [row] = accepted.rows;
  // A concurrent accept or revocation of the same invitation won the row lock.
  if (!row) throw new ApiError("gone", "This invitation has already been used or revoked.");
  return { orgId: row.org_id, role: row.role };
}

export type InvitationPreviewState =
  | "ok"
  | "missing"
  | "used"
  | "revoked"
  | "expired"
  | "wrong_user"
  | "member";

export interface InvitationPreview {
  state: InvitationPreviewState;
  orgName: string | null;
  role: MemberRole | null;
  invitedBy: string | null;
  expiresAt: string | null;
}

/**
 * What an invitation offers, for the page its email links to: the organisation, the role and who sent
 * it (to whoever holds the token, as the email does), and whether the visitor could accept it now (no
 * visitor: "ok" if it is still open). Never the invited address. Accepting re-checks everything, the
 * inviter's rights included (acceptInvitation). One round trip.
 */
export async function previewInvitation(
  ctx: ServiceContext,
  principal: UserPrincipal | undefined,
  token: string,
): Promise<InvitationPreview> {
  const userId = principal?.userId ?? null;
  const { rows } = await ctx.db.execute<{
    org_name: string;
    role: MemberRole;
    invited_by: string;
    expires_at: string;
    state: InvitationPreviewState;
  }>(sql`
    select o.name as org_name, i.role, u.name as invited_by, i.expires_at, case
        when i.accepted_at is not null then 'used'
        when i.revoked_at is not null then 'revoked'
        when i.expires_at <= ${new Date(ctx.now)} then 'expired'
        when ${userId}::uuid is null then 'ok'
        when i.email_normalized <> (select email_normalized from users where id = ${userId}::uuid) then 'wrong_user'
        when exists (select 1 from memberships m where m.org_id = i.org_id and m.user_id = ${userId}::uuid) then 'member'
        else 'ok' end as state
    from invitations i join organizations o on o.id = i.org_id join users u on u.id = i.invited_by
    where i.token_hash = ${await sha256Hex(token)}`);
  const row = rows[0];
  if (!row) return { state: "missing", orgName: null, role: null, invitedBy: null, expiresAt: null };
  return {
    state: row.state,
    orgName: row.org_name,
    role: row.role,
    invitedBy: row.invited_by,
    expiresAt: new Date(row.expires_at).toISOString(),
  };
}

export interface PendingInvitationView extends InvitationView {
  invitedBy: string;
  createdAt: string;
}

/**
 * Pending invitations (neither accepted, revoked nor expired) of an organisation, newest first, for its
 * owners and admins; never the token. One round trip (the caller's role comes with the rows).
 */
export async function listInvitations(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
): Promise<PendingInvitationView[]> {
  const role = memberRoleSql(orgId, principal.userId);
  const { rows } = await ctx.db.execute<{ role: string | null; invitations: PendingInvitationView[] }>(sql`
    select ${role} as role, coalesce((
      select json_agg(json_build_object('id', i.id, 'orgId', i.org_id, 'email', i.email_normalized,
          'role', i.role, 'invitedBy', i.invited_by, 'createdAt', i.created_at, 'expiresAt', i.expires_at)
        order by i.created_at desc, i.id)
      from invitations i
      where i.org_id = ${orgId} and i.accepted_at is null and i.revoked_at is null
        and i.expires_at > ${new Date(ctx.now)}
        and ${role} = any(${textArray(rolesFor("invitations:manage"))})), '[]'::json) as invitations`);
  const [row] = rows;
  assertRole(row?.role, "invitations:manage", "see invitations");
  return (row?.invitations ?? []).map((invitation) => ({
    ...invitation,
    createdAt: new Date(invitation.createdAt).toISOString(),
    expiresAt: new Date(invitation.expiresAt).toISOString(),
  }));
}

/**
 * Revokes a pending invitation (owners and admins; only owners revoke owner invitations): it can no
 * longer be accepted. An accepted one is 409 (remove the member instead); an unknown or already revoked
 * one, or another organisation's, 404. One round trip.
 */
export async function revokeInvitation(
  ctx: ServiceContext,
  principal: UserPrincipal,
  orgId: string,
  invitationId: string,
): Promise<void> {
  const now = new Date(ctx.now);
  const state = sql`(select case
      when i.id is null or i.revoked_at is not null then 'missing'
      when i.accepted_at is not null then 'accepted'
      when i.role = 'owner' and ${memberRoleSql(orgId, principal.userId)} <> 'owner' then 'owner_only'
      else 'ok' end
    from (select 1) one left join invitations i on i.id = ${invitationId} and i.org_id = ${orgId})`;
  const { revoked } = await write(ctx.db, "revoke invitations", {
    invitation_state: (detail) => {
      switch (detail?.state) {
        case "accepted":
          return new ApiError("conflict", "This invitation has been accepted; remove the member instead.");
        case "owner_only":
          return new ApiError("forbidden", "Only an owner may revoke an owner invitation.");
        default:
          return new ApiError("not_found", "Invitation not found.");
      }
    },
  })
    .add(
      principalGuard(ctx.db, principal, now),
      orgRoleGuard(ctx.db, orgId, principal.userId, "invitations:manage"),
      guard(ctx.db, "invitation_state", sql`${state} = 'ok'`, sql`jsonb_build_object('state', ${state})`),
    )
    .step(
      "revoked",
      ctx.db.execute(sql`
        update invitations set revoked_at = ${now}, revoked_by = ${principal.userId}
        where id = ${invitationId} and org_id = ${orgId} and accepted_at is null and revoked_at is null
        returning id`),
    )
    .commit();
  // A concurrent accept or revocation won the row lock after the state check.
  if (revoked.rows.length === 0) {
    throw new ApiError("conflict", "This invitation was accepted or revoked meanwhile.");
  }
}

import { desc, eq, sql } from "drizzle-orm";
import { atomic, guard } from "../../db/atomic.ts";
import { emailOutbox, invitations } from "../../db/schema/index.ts";
import { randomToken, sha256Hex } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { normalizeEmail } from "./accounts.ts";
import { ORG_ADMINS, orgRoleGuard, translateGuards } from "./org-access.ts";
import { type MemberRole, type Principal, principalGuard } from "./principal.ts";

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
 * single-use token goes only into the email (the outbox row, same batch); Postgres keeps its SHA-256.
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
  const acceptUrl = `${input.acceptBaseUrl}/v1/invitations/${token}/accept`;
  try {
    await atomic(ctx.db, [
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      orgRoleGuard(ctx.db, orgId, principal.userId, ORG_ADMINS),
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
      ctx.db.execute(sql`
        insert into email_outbox (to_email, subject, body, kind)
        select ${email}, 'You are invited to ' || o.name || ' on the marketplace',
          u.name || ' invited you to join ' || o.name || ' as ' || ${input.role} || E'.\n\n'
            || 'Sign in (or sign up) with this email address, then accept within 7 days:\n'
            || 'POST ' || ${acceptUrl} || E'\n',
          'invitation'
        from organizations o, users u where o.id = ${orgId} and u.id = ${principal.userId}`),
    ]);
  } catch (error) {
    throw translateGuards(error, "invite members", {
      owner_only: () => new ApiError("forbidden", "Only an owner may invite owners."),
      already_member: () => new ApiError("conflict", "This person is already a member."),
    });
  }
  return { id, orgId, email, role: input.role, expiresAt: expiresAt.toISOString() };
}

/**
 * Accepts an invitation as the signed-in user, whose email must be the invited one. Single use; valid
 * 7 days. One round trip: the state check, the membership and the "used" mark are one batch.
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
      when i.expires_at <= ${now} then 'expired'
      when i.email_normalized <> (select email_normalized from users where id = ${principal.userId}) then 'wrong_user'
      when exists (select 1 from memberships m where m.org_id = i.org_id and m.user_id = ${principal.userId}) then 'member'
      else 'ok' end
    from (select 1) one left join invitations i on i.token_hash = ${tokenHash})`;
  let accepted: { rows: { org_id: string; role: MemberRole }[] };
  try {
    [, , accepted] = await atomic(ctx.db, [
      principalGuard(ctx.db, principal, now),
      guard(ctx.db, "invitation_state", sql`${state} = 'ok'`, sql`jsonb_build_object('state', ${state})`),
      ctx.db.execute<{ org_id: string; role: MemberRole }>(sql`
        with used as (
          update invitations set accepted_at = ${now}, accepted_by = ${principal.userId}
          where token_hash = ${tokenHash} and accepted_at is null returning org_id, role)
        insert into memberships (org_id, user_id, role)
        select org_id, ${principal.userId}, role from used
        returning org_id, role`),
    ]);
  } catch (error) {
    throw translateGuards(error, "accept invitations", {
      invitation_state: (detail) => {
        switch (detail?.state) {
          case "used":
            return new ApiError("gone", "This invitation has already been used.");
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
    });
  }
  const [row] = accepted.rows;
  // A concurrent accept of the same token won the row lock.
  if (!row) throw new ApiError("gone", "This invitation has already been used.");
  return { orgId: row.org_id, role: row.role };
}

/** The newest emails in the outbox (development mailbox). */
export async function readMailbox(ctx: ServiceContext, to?: string) {
  const query = ctx.db
    .select({
      id: emailOutbox.id,
      to: emailOutbox.toEmail,
      subject: emailOutbox.subject,
      body: emailOutbox.body,
      kind: emailOutbox.kind,
      createdAt: emailOutbox.createdAt,
    })
    .from(emailOutbox)
    .orderBy(desc(emailOutbox.createdAt))
    .limit(50);
  const rows = await (to ? query.where(eq(emailOutbox.toEmail, normalizeEmail(to))) : query);
  return rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }));
}

/** What the organisation pages share: the active organisation, role checks for what to show, the tabs. */
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { ApiError } from "../../../lib/problem.ts";
import { type Capability, rolesFor } from "../../../services/identity/permissions.ts";
import type { MemberRole } from "../../../services/identity/principal.ts";
import { PageHead, Tabs } from "../../components.tsx";
import {
  loadViewer,
  type Membership,
  preferredOrgId,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../../context.ts";
import { type Form, field } from "../../forms.ts";

/** Whether a member's role holds a capability (what to show; the services enforce it regardless). */
export function can(membership: Pick<Membership, "role">, capability: Capability): boolean {
  return (rolesFor(capability) as readonly string[]).includes(membership.role);
}

export const ROLE_LABELS: Record<MemberRole, string> = {
  owner: "Owner",
  admin: "Admin",
  buyer: "Buyer",
  seller: "Seller",
  approver: "Approver",
  viewer: "Viewer",
};

export const ROLE_HINTS: Record<MemberRole, string> = {
  owner: "Everything, including owners and the API keys' spending limits",
  admin: "Members, invitations, API keys, webhooks and spending limits",
  buyer: "Fills the cart and checks out",
  seller: "Manages listings and incoming orders",
  approver: "Approves checkouts held above a spending limit",
  viewer: "Sees the organisation, its orders and listings",
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role as MemberRole] ?? role;
}

export const KIND_LABELS: Record<string, string> = {
  buyer: "Buyer",
  seller: "Seller",
  both: "Buyer and seller",
};

/** The active organisation's page data, or undefined when the visitor belongs to none. */
export interface OrgPage<T> {
  viewer: Viewer;
  org: Membership;
  data: T;
}

/**
 * Loads the visitor beside the page's own read for the organisation they act for: one round trip of
 * latency when the org cookie names one of theirs (the usual case), a second read only when it does not.
 */
export async function loadOrgPage<T>(
  c: WebContext,
  principal: UserPrincipal,
  read: (orgId: string) => Promise<T>,
): Promise<OrgPage<T> | undefined> {
  const preferred = preferredOrgId(c);
  const [viewer, early] = await Promise.all([
    loadViewer(c, principal),
    preferred
      ? read(preferred).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        )
      : undefined,
  ]);
  const org = viewer.org;
  if (!org) return undefined;
  if (early && org.orgId === preferred) {
    if (!early.ok) throw early.error;
    return { viewer, org, data: early.value };
  }
  return { viewer, org, data: await read(org.orgId) };
}

const uuid = z.uuid();

/** The organisation a posted form was rendered for (the services check the visitor belongs to it). */
export function formOrgId(form: Form): string {
  const parsed = uuid.safeParse(field(form, "orgId").toLowerCase());
  if (!parsed.success) throw new ApiError("not_found", "That organisation was not found.");
  return parsed.data;
}

/** A path parameter that must be a UUID (anything else is simply not found). */
export function uuidParam(value: string | undefined, what: string): string {
  const parsed = uuid.safeParse((value ?? "").toLowerCase());
  if (!parsed.success) throw new ApiError("not_found", `${what} not found.`);
  return parsed.data;
}

export function OrgIdField(props: { orgId: string }) {
  return <input type="hidden" name="orgId" value={props.orgId} />;
}

/** The organisation's heading and the tabs this member's role can use. */
export function OrgShell(props: { org: Membership; path: string; title?: string; children: Child }) {
  const { org } = props;
  const tabs: [string, string][] = [
    ["/org", "Overview"],
    ["/org/members", "Members"],
  ];
  if (can(org, "invitations:manage")) tabs.push(["/org/invitations", "Invitations"]);
  if (can(org, "api-keys:manage")) tabs.push(["/org/api-keys", "API keys"]);
  if (can(org, "webhooks:manage")) tabs.push(["/org/webhooks", "Webhooks"]);
  if (can(org, "limits:read")) tabs.push(["/org/limits", "Spending limits"]);
  return (
    <div class="org-page">
      <PageHead
        title={org.orgName}
        subtitle={
          <>
            {KIND_LABELS[org.orgKind] ?? org.orgKind} organisation · You are {articleFor(roleLabel(org.role))}{" "}
            {roleLabel(org.role).toLowerCase()}
          </>
        }
      />
      <Tabs path={props.path} label="Organisation" items={tabs} />
      {props.children}
    </div>
  );
}

function articleFor(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}

/** A service problem's status for a re-rendered form (always a 4xx). */
export function formStatus(status: number): ContentfulStatusCode {
  return (status >= 400 && status < 500 ? status : 422) as ContentfulStatusCode;
}

/** Access problems are not form mistakes: they go to the error page (403, 404, 410). */
export function isAccessProblem(status: number): boolean {
  return status === 403 || status === 404 || status === 410;
}

export function accessError(problem: { status: number; message: string }): ApiError {
  const code = problem.status === 403 ? "forbidden" : problem.status === 410 ? "gone" : "not_found";
  return new ApiError(code, problem.message);
}

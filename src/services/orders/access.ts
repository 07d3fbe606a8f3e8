import { assertKeyAccess } from "../identity/org-access.ts";
import type { Principal } from "../identity/principal.ts";

/** Reads of orders, groups and invoices: API keys need orders:read; members, a role holding it. */
export function readAccess(principal: Principal, orgId: string) {
  assertKeyAccess(principal, orgId, "orders:read");
  return principal.kind === "user" ? principal.userId : null;
}

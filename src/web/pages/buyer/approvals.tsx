/** The approvals queue: checkouts held above a purchaser's spending limit, for approvers to decide. */
import { Hono } from "hono";
import { z } from "zod";
import type { OrderGroup } from "../../../contracts/orders.ts";
import { serviceContext } from "../../../routes/context.ts";
import { uuidParam } from "../../../routes/schemas.ts";
import { decideGroup, getGroup, listOrders } from "../../../services/orders/orders.ts";
import type { AppEnv } from "../../../types.ts";
import { EmptyState } from "../../components.tsx";
import { type PageFacts, pageFacts, redirectWith, safeNext, type WebContext } from "../../context.ts";
import { attempt, field, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { renderGroup } from "./orders.tsx";
import {
  type BuyerContext,
  BuyingHead,
  buyerForPost,
  buyerRead,
  canApprove,
  checkoutLabel,
  DecisionForms,
} from "./shared.tsx";

export const approvalPages = new Hono<AppEnv>();

/** The most held checkouts the queue shows at once (each is read whole, side by side). */
const QUEUE_SIZE = 20;

async function readQueue(c: WebContext, orgId: string, principal: BuyerContext["principal"]) {
  const ctx = serviceContext(c);
  const held = await listOrders(ctx, principal, orgId, {
    side: "buyer",
    status: "pending_approval",
    limit: 100,
  });
  const groupIds = [...new Set(held.items.map((o) => o.groupId))].slice(0, QUEUE_SIZE);
  const groups = await Promise.all(groupIds.map((id) => getGroup(ctx, principal, orgId, id)));
  return {
    groups: groups
      .filter((g) => g.status === "pending_approval")
      .sort((a, b) => (a.approvalExpiresAt ?? "").localeCompare(b.approvalExpiresAt ?? "")),
    more: held.nextCursor !== null || groupIds.length === QUEUE_SIZE,
  };
}

approvalPages.get("/approvals", async (c) => {
  const result = await buyerRead(c, (orgId, principal) => readQueue(c, orgId, principal));
  if (result instanceof Response) return result;
  return renderQueue(c, result, result.data);
});

function renderQueue(
  c: WebContext,
  buyer: BuyerContext,
  data: Awaited<ReturnType<typeof readQueue>>,
  problem?: string,
  status: 200 | 403 | 404 | 409 = 200,
) {
  const facts = pageFacts(c);
  return page(
    c,
    buyer.viewer,
    { title: "Approvals", noindex: true, facts, status, scripts: ["enhance.js"] },
    <>
      <BuyingHead path="/approvals" title="Approvals" org={buyer.org} />
      {problem && (
        <div class="alert alert-error" role="alert">
          {problem}
        </div>
      )}
      {!canApprove(buyer.org) && (
        <div class="alert alert-info">
          Checkouts above a purchaser's spending limit wait here for an owner, admin or approver of{" "}
          {buyer.org.orgName}. Your role ({buyer.org.role}) can see them but not decide; ask an owner to make
          you an approver if you should.
        </div>
      )}
      {data.groups.length === 0 ? (
        <EmptyState title="Nothing waiting for approval">
          <p>
            When someone checks out above their spending limit, the checkout is held here and its stock
            reserved until an approver decides.
          </p>
          <a href="/orders">See all orders</a>
        </EmptyState>
      ) : (
        <Queue facts={facts} buyer={buyer} groups={data.groups} />
      )}
      {data.more && (
        <p class="muted small">
          Showing the {QUEUE_SIZE} newest held checkouts. Decide these to see older ones, or filter{" "}
          <a href="/orders?status=pending_approval">orders pending approval</a>.
        </p>
      )}
    </>,
  );
}

function Queue(props: { facts: PageFacts; buyer: BuyerContext; groups: OrderGroup[] }) {
  const { facts, buyer, groups } = props;
  const fmt = facts.fmt;
  const approver = canApprove(buyer.org);
  return (
    <>
      {approver && (
        <p class="muted small">
          Approving places the orders with their sellers; declining releases the held stock. Nobody decides on
          their own checkout.
        </p>
      )}
      <div class="table-wrap">
        <table class="table stack-sm">
          <caption class="visually-hidden">Checkouts waiting for approval, soonest deadline first</caption>
          <thead>
            <tr>
              <th scope="col">Checkout</th>
              <th scope="col">Sellers</th>
              <th scope="col">Submitted</th>
              <th scope="col">Decide by</th>
              <th scope="col" class="num">
                Total
              </th>
              {approver && <th scope="col">Decision</th>}
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => {
              const label = checkoutLabel(group);
              return (
                <tr>
                  <td data-label="Checkout">
                    <div class="cell">
                      <a href={`/orders/groups/${group.id}`}>{label}</a>
                      <div class="muted small">{group.shippingAddress.name}</div>
                    </div>
                  </td>
                  <td data-label="Sellers">
                    <div class="cell">
                      {group.orders.map((o) => o.seller.name).join(", ")}
                      <div class="muted small">
                        {lineCount(group.orders.reduce((n, o) => n + o.lines.length, 0))}
                      </div>
                    </div>
                  </td>
                  <td data-label="Submitted">
                    <time datetime={group.createdAt} title={fmt.dateTime(group.createdAt)}>
                      {fmt.relative(group.createdAt, facts.now)}
                    </time>
                  </td>
                  <td data-label="Decide by">
                    {group.approvalExpiresAt ? fmt.dateTime(group.approvalExpiresAt) : "—"}
                  </td>
                  <td class="num" data-label="Total">
                    <strong>{fmt.money(group.totalMinor, group.currency)}</strong>
                  </td>
                  {approver && (
                    <td data-label="Decision">
                      <DecisionForms groupId={group.id} back="/approvals" label={label} />
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

const decisionInput = z.enum(["approve", "decline"]);

approvalPages.post("/approvals/:groupId", async (c) => {
  const groupId = uuidParam("groupId").safeParse(c.req.param("groupId"));
  if (!groupId.success) return c.notFound();
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const back = safeNext(field(form, "back") || undefined) === "/approvals" ? "/approvals" : undefined;
  const decision = decisionInput.safeParse(field(form, "decision"));
  const ctx = serviceContext(c);
  const again = async (message: string, status: 403 | 404 | 409 | 422) =>
    back
      ? renderQueue(c, buyer, await readQueue(c, buyer.org.orgId, buyer.principal), message, status as 403)
      : renderGroup(
          c,
          buyer,
          await getGroup(ctx, buyer.principal, buyer.org.orgId, groupId.data),
          message,
          status as 403,
        );
  if (!decision.success) return again("Choose approve or decline.", 422);
  const done = await attempt(
    () => decideGroup(ctx, buyer.principal, buyer.org.orgId, groupId.data, decision.data),
    (p) => again(p.message, p.status as 403 | 404 | 409),
  );
  if (done instanceof Response) return done;
  return redirectWith(
    c,
    back ?? `/orders/groups/${groupId.data}`,
    decision.data === "approve" ? "approved" : "declined",
  );
});

/** "1 line", "3 lines". */
function lineCount(count: number): string {
  return count === 1 ? "1 line" : `${count} lines`;
}

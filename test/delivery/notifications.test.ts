import { createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { SWEEP_CRON } from "../../src/services/delivery/relay.ts";
import { newSeller } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import { mailbox, pump, waitForMail } from "../support/delivery.ts";
import { addMember, api, json, uniqueEmail } from "../support/identity.ts";
import { limitedPurchaser, newBuyer, placeOrder } from "../support/orders.ts";

const move = (orgId: string, orderId: string, token: string, body: Record<string, unknown>) =>
  api(`/v1/orgs/${orgId}/orders/${orderId}/transitions`, { token, body });

describe("notification emails", () => {
  it("tell the seller's order handlers of a new order, and nobody else", async () => {
    const seller = await newSeller("Notify Seller");
    const handler = await addMember(seller.owner, seller.orgId, "seller");
    const viewer = await addMember(seller.owner, seller.orgId, "viewer");
    const buyer = await newBuyer("Notify Buyer");
    const { order } = await placeOrder(buyer, seller);

    const [mail] = await waitForMail(seller.owner.email, "order_placed");
    expect(mail?.subject).toContain("Notify Buyer");
    expect(mail?.body).toContain(`/org/open?org=${seller.orgId}&next=/seller/orders/${order.id}`);
    expect(mail?.html).toContain(`/seller/orders/${order.id}`);
    expect(await waitForMail(handler.email, "order_placed")).toHaveLength(1);
    expect((await mailbox(viewer.email)).filter((item) => item.template === "order_placed")).toHaveLength(0);
    expect(
      (await mailbox(buyer.owner.email)).filter((item) => item.template === "order_placed"),
    ).toHaveLength(0);
    // Consumed again (at-least-once), the event writes no second email.
    await sql().query("update events set enqueued_at = null where entity_id = $1", [order.id]);
    await pump();
    expect(
      (await mailbox(seller.owner.email)).filter((item) => item.template === "order_placed"),
    ).toHaveLength(1);
  });

  it("tell whoever placed the order when the seller moves it", async () => {
    const seller = await newSeller("Mover Seller");
    const buyer = await newBuyer("Mover Buyer");
    const { order } = await placeOrder(buyer, seller);
    expect((await move(seller.orgId, order.id, seller.owner.token, { action: "accept" })).status).toBe(200);
    const [accepted] = await waitForMail(buyer.owner.email, "order_status");
    expect(accepted?.subject).toMatch(/accepted/i);
    expect(accepted?.body).toContain(`/org/open?org=${buyer.orgId}&next=/orders/${order.id}`);
    expect(
      (await mailbox(seller.owner.email)).filter((item) => item.template === "order_status"),
    ).toHaveLength(0);
  });

  it("ask the buyer's approvers (not the purchaser) to approve a held checkout", async () => {
    const seller = await newSeller("Held Seller");
    const buyer = await newBuyer("Held Buyer");
    const approver = await addMember(buyer.owner, buyer.orgId, "approver");
    const purchaser = await limitedPurchaser(buyer, 0);
    const { group } = await placeOrder(buyer, seller, 20, 1000, purchaser.token);
    expect(group.status).toBe("pending_approval");
    for (const person of [buyer.owner, approver]) {
      const [mail] = await waitForMail(person.email, "approval_needed");
      expect(mail?.body).toContain("/approvals");
    }
    expect(
      (await mailbox(purchaser.email)).filter((item) => item.template === "approval_needed"),
    ).toHaveLength(0);
  });

  it("remind the buyer's owners and admins once of an invoice falling due", async () => {
    const seller = await newSeller("Invoice Seller");
    const buyer = await newBuyer("Invoice Buyer");
    const { order } = await placeOrder(buyer, seller);
    for (const action of ["accept", "ship", "deliver"]) {
      const res = await move(seller.orgId, order.id, seller.owner.token, {
        action,
        carrier: "DHL",
        trackingNumber: "X1",
      });
      expect(res.status).toBe(200);
    }
    const invoice = await one<{ id: string }>("select id from invoices where order_id = $1", [order.id]);
    await sql().query("update invoices set due_at = now() + interval '2 days' where id = $1", [invoice.id]);
    const hourly = () =>
      worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env);
    await hourly();
    await hourly();
    const reminders = await waitForMail(buyer.owner.email, "invoice_due");
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.body).toContain(`/invoices/${invoice.id}`);
    expect(reminders[0]?.subject).toContain("Invoice Seller");
  });
});

describe("the minute sweep", () => {
  it("relays what no request relayed onto the real queue, whose consumer delivers it", async () => {
    const owner = await (await import("../support/identity.ts")).signUp();
    const org = await (await import("../support/identity.ts")).createOrg(owner, "buyer", "Sweep Co");
    const email = uniqueEmail("swept");
    const invite = await api(`/v1/orgs/${org.id}/invitations`, {
      token: owner.token,
      body: { email, role: "buyer" },
    });
    expect(invite.status).toBe(201);
    const pending = await one<{ enqueued_at: string | null }>(
      "select enqueued_at from email_outbox where to_email = $1",
      [email],
    );
    expect(pending.enqueued_at).toBeNull();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: SWEEP_CRON }), env);
    // No test code sends it: the Worker's queue() consumer, fed by the real Queues binding, does.
    let messages: { template: string }[] = [];
    for (let wait = 0; wait < 50 && messages.length === 0; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const res = await exports.default.fetch(
        `http://api.test/v1/dev/mailbox?to=${encodeURIComponent(email)}`,
      );
      messages = (await json<{ messages: { template: string }[] }>(res)).messages;
    }
    expect(messages.map((message) => message.template)).toEqual(["invitation"]);
  });
});

describe("retention", () => {
  it("forgets finished delivery records after 30 days and used tokens after a day, keeping the rest", async () => {
    const { forgetOldDeliveryRecords } = await import("../../src/services/delivery/retention.ts");
    const { testDb } = await import("../support/delivery.ts");
    const owner = await (await import("../support/identity.ts")).signUp();
    const old = "now() - interval '31 days'";
    const rows = (await sql().query(
      `insert into email_outbox (to_email, template, data, status, created_at) values
        ($1, 'password_reset', '{}', 'sent', ${old}), ($1, 'password_reset', '{}', 'pending', ${old}),
        ($1, 'password_reset', '{}', 'sent', now())
       returning id, status, created_at < now() - interval '1 day' as old`,
      [owner.email],
    )) as { id: string; status: string; old: boolean }[];
    await sql().query(
      `insert into account_tokens (user_id, purpose, token_hash, expires_at, used_at) values
        ($1, 'password_reset', $2, now() - interval '2 days', null),
        ($1, 'password_reset', $3, now() + interval '1 hour', null)`,
      [owner.id, crypto.randomUUID(), crypto.randomUUID()],
    );
    await forgetOldDeliveryRecords(testDb());
    const left = (await sql().query("select id from email_outbox where id = any($1::uuid[])", [
      rows.map((row) => row.id),
    ])) as { id: string }[];
    // The old sent email is gone; the old one still pending (never sent) and the recent one stay.
    expect(left.map((row) => row.id).sort()).toEqual(
      rows
        .filter((row) => !(row.old && row.status === "sent"))
        .map((row) => row.id)
        .sort(),
    );
    const tokens = (await sql().query(
      "select expires_at > now() as live from account_tokens where user_id = $1 and purpose = 'password_reset'",
      [owner.id],
    )) as { live: boolean }[];
    expect(tokens.map((token) => token.live)).toEqual([true]);
  });
});

import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_ATTEMPTS } from "../../src/services/delivery/messages.ts";
import { relayOutbox, sweepOutbox } from "../../src/services/delivery/relay.ts";
import { call } from "../support/app.ts";
import { newSeller, type Seller } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import {
  consume,
  mailbox,
  pump,
  RecordingQueue,
  receive,
  received,
  receiverUrl,
  testDb,
} from "../support/delivery.ts";
import { testConfig } from "../support/env.ts";
import { addMember, api, json, signUp } from "../support/identity.ts";
import { type Buyer, newBuyer, placeOrder } from "../support/orders.ts";

interface Endpoint {
  id: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  secret: string;
  version: number;
  secrets: { createdAt: string; expiresAt: string | null }[];
}

let seller: Seller;
let buyer: Buyer;

beforeAll(async () => {
  seller = await newSeller();
  buyer = await newBuyer();
});

/** Anything a test leaves in the outbox is relayed and consumed before the next one starts. */
afterEach(async () => {
  await pump();
});

let counter = 0;
function hookName(label: string) {
  counter += 1;
  return `${label}-${counter}-${crypto.randomUUID().slice(0, 8)}`;
}

async function addEndpoint(orgId: string, token: string, eventTypes: string[], label = "hook", extra = {}) {
  const name = hookName(label);
  const res = await api(`/v1/orgs/${orgId}/webhooks`, {
    token,
    body: { url: `${receiverUrl()}/hooks/${name}`, eventTypes, ...extra },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const endpoint = await json<Endpoint>(res);
  return { name, endpoint };
}

async function deliveriesOf(orgId: string, token: string, endpointId: string) {
  const res = await api(`/v1/orgs/${orgId}/webhooks/${endpointId}/deliveries`, { token });
  expect(res.status).toBe(200);
  return (
    await json<{
      deliveries: {
        id: string;
        eventId: string;
        eventType: string;
        status: string;
        attempts: number;
        lastStatusCode: number | null;
        lastError: string | null;
        nextAttemptAt: string | null;
      }[];
    }>(res)
  ).deliveries;
}

describe("webhook endpoints API", () => {
  it("creates an endpoint and shows its Standard Webhooks secret once", async () => {
    const { endpoint } = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"]);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint.secrets).toHaveLength(1);
    const list = await json<{ endpoints: Record<string, unknown>[] }>(
      await api(`/v1/orgs/${seller.orgId}/webhooks`, { token: seller.owner.token }),
    );
    const listed = list.endpoints.find((item) => item.id === endpoint.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty("secret");
    const stored = await one<{ ciphertext: string }>(
      "select ciphertext from webhook_secrets where endpoint_id = $1",
      [endpoint.id],
    );
    expect(stored.ciphertext).not.toContain(endpoint.secret.slice(6, 20));
  });

  it("is for owners and admins of the organisation only", async () => {
    const { endpoint } = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"]);
    const admin = await addMember(seller.owner, seller.orgId, "admin");
    const member = await addMember(seller.owner, seller.orgId, "seller");
    const stranger = await signUp();
    const path = `/v1/orgs/${seller.orgId}/webhooks`;
    expect((await api(path, { token: admin.token })).status).toBe(200);
    expect((await api(path, { token: member.token })).status).toBe(403);
    expect((await api(path, { token: stranger.token })).status).toBe(404);
    expect((await api(path)).status).toBe(401);
    for (const token of [member.token, stranger.token]) {
      const paths = [
        [`${path}/${endpoint.id}`, "GET"],
        [`${path}/${endpoint.id}`, "DELETE"],
        [`${path}/${endpoint.id}/deliveries`, "GET"],
      ] as const;
      for (const [target, method] of paths)
        expect((await api(target, { token, method })).status).toBeGreaterThanOrEqual(403);
      const patch = await api(`${path}/${endpoint.id}`, { token, method: "PATCH", body: { enabled: false } });
      expect([403, 404]).toContain(patch.status);
      const rotate = await api(`${path}/${endpoint.id}/secret-rotations`, { token, body: {} });
      expect([403, 404]).toContain(rotate.status);
    }
    // Another organisation's owner cannot reach this endpoint through their own organisation either.
    const other = await newSeller("Other Co");
    const sideways = await api(`/v1/orgs/${other.orgId}/webhooks/${endpoint.id}`, {
      token: other.owner.token,
    });
    expect(sideways.status).toBe(404);
    const sidewaysPatch = await api(`/v1/orgs/${other.orgId}/webhooks/${endpoint.id}`, {
      token: other.owner.token,
      method: "PATCH",
      body: { url: "https://evil.example/hook" },
    });
    expect(sidewaysPatch.status).toBe(404);
    expect(
      (await one<{ url: string }>("select url from webhook_endpoints where id = $1", [endpoint.id])).url,
    ).toBe(endpoint.url);
  });

  it.each([
    ["a loopback IPv4 literal over https", "https://127.0.0.1/hook"],
    ["the 10/8 private range", "https://10.1.2.3/hook"],
    ["the 172.16/12 private range", "https://172.20.0.1/hook"],
    ["the 192.168/16 private range", "https://192.168.1.10/hook"],
    ["the link-local range / cloud metadata", "https://169.254.169.254/latest/meta-data"],
    ["carrier-grade NAT", "https://100.64.0.1/hook"],
    ["the unspecified address", "https://0.0.0.0/hook"],
    ["a decimal-encoded loopback", "https://2130706433/hook"],
    ["IPv6 loopback", "https://[::1]/hook"],
    ["IPv4-mapped IPv6 private", "https://[::ffff:10.0.0.1]/hook"],
    ["IPv6 unique-local (AWS metadata)", "https://[fd00:ec2::254]/hook"],
    ["IPv6 link-local", "https://[fe80::1]/hook"],
    ["multicast", "https://224.0.0.1/hook"],
    ["localhost by name", "https://localhost/hook"],
    ["an .internal name", "https://metadata.google.internal/computeMetadata/v1/"],
    ["plain http to a public host", "http://hooks.example.com/hook"],
    ["credentials in the URL", "https://user:pass@hooks.example.com/hook"],
    ["not a URL", "hooks.example.com/hook"],
    ["another scheme", "ftp://hooks.example.com/hook"],
  ])("refuses %s (production rules: no loopback receivers)", async (_, url) => {
    const res = await call(
      `/v1/orgs/${seller.orgId}/webhooks`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${seller.owner.token}`, "content-type": "application/json" },
        body: JSON.stringify({ url, eventTypes: ["order.placed"] }),
      },
      { env: { WEBHOOK_ALLOW_LOOPBACK: "off" } },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = await json<{ errors: { field: string }[] }>(res);
    expect(body.errors[0]?.field).toBe("body.url");
  });

  it("allows http loopback receivers only where WEBHOOK_ALLOW_LOOPBACK is on, and still no private ranges", async () => {
    const org = await newSeller("Laptop Co");
    const create = (url: string) =>
      api(`/v1/orgs/${org.orgId}/webhooks`, {
        token: org.owner.token,
        body: { url, eventTypes: ["order.placed"] },
      });
    expect((await create("http://127.0.0.1:9/hook")).status).toBe(201);
    expect((await create("http://localhost:9/hook")).status).toBe(201);
    expect((await create("http://10.0.0.1/hook")).status).toBe(400);
    expect((await create("https://[::ffff:7f00:1]/hook")).status).toBe(400);
  });

  it("refuses unknown event types and empty changes, and keeps to ten endpoints", async () => {
    const org = await newSeller("Limits Co");
    const bad = await api(`/v1/orgs/${org.orgId}/webhooks`, {
      token: org.owner.token,
      body: { url: "https://hooks.example.com/a", eventTypes: ["order.teleported"] },
    });
    expect(bad.status).toBe(400);
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api(`/v1/orgs/${org.orgId}/webhooks`, {
          token: org.owner.token,
          body: { url: `https://hooks.example.com/${i}`, eventTypes: ["order.placed"] },
        }),
      ),
    );
    expect(created.filter((res) => res.status === 201)).toHaveLength(10);
    expect(created.filter((res) => res.status === 409)).toHaveLength(2);
    const first = await json<{ id: string }>(created.find((res) => res.status === 201) as Response);
    const empty = await api(`/v1/orgs/${org.orgId}/webhooks/${first.id}`, {
      token: org.owner.token,
      method: "PATCH",
      body: {},
    });
    expect(empty.status).toBe(400);
    const stale = await api(`/v1/orgs/${org.orgId}/webhooks/${first.id}`, {
      token: org.owner.token,
      method: "PATCH",
      headers: { "if-match": '"99"' },
      body: { description: "x" },
    });
    expect(stale.status).toBe(412);
  });
});

describe("delivery", () => {
  beforeAll(async () => {
    seller = await newSeller("Delivery Co");
  });

  it("delivers an order's events, signed, each organisation only its own", async () => {
    const sellerHook = await addEndpoint(seller.orgId, seller.owner.token, [
      "order.placed",
      "order_group.placed",
    ]);
    const buyerHook = await addEndpoint(buyer.orgId, buyer.owner.token, [
      "order.placed",
      "order_group.placed",
    ]);
    const bystander = await newBuyer("Bystander Ltd");
    const bystanderHook = await addEndpoint(bystander.orgId, bystander.owner.token, [
      "order.placed",
      "order_group.placed",
    ]);
    for (const hook of [sellerHook, buyerHook, bystanderHook])
      await receive(hook.name, { secrets: [hook.endpoint.secret] });

    const { group, order } = await placeOrder(buyer, seller);
    await pump();

    const toSeller = await received(sellerHook.name);
    expect(toSeller).toHaveLength(1);
    expect(toSeller[0]?.verifiedWith).toBe(0);
    const sellerBody = JSON.parse(toSeller[0]?.body ?? "{}");
    expect(sellerBody).toMatchObject({
      type: "order.placed",
      orgId: seller.orgId,
      entityType: "order",
      entityId: order.id,
      payload: { groupId: group.id, buyerOrgId: buyer.orgId },
    });
    expect(toSeller[0]?.id).toBe(sellerBody.id);

    const toBuyer = await received(buyerHook.name);
    expect(toBuyer.map((hit) => JSON.parse(hit.body).type)).toEqual(["order_group.placed"]);
    expect(JSON.parse(toBuyer[0]?.body ?? "{}").orgId).toBe(buyer.orgId);
    expect(toBuyer[0]?.verifiedWith).toBe(0);
    expect(await received(bystanderHook.name)).toHaveLength(0);

    const log = await deliveriesOf(seller.orgId, seller.owner.token, sellerHook.endpoint.id);
    expect(log).toHaveLength(1);
    const listed = await json<{ endpoints: { id: string; last24h: Record<string, number> }[] }>(
      await api(`/v1/orgs/${seller.orgId}/webhooks`, { token: seller.owner.token }),
    );
    expect(listed.endpoints.find((item) => item.id === sellerHook.endpoint.id)?.last24h).toEqual({
      delivered: 1,
      failing: 0,
      dead: 0,
    });
    expect(log[0]).toMatchObject({
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
      eventType: "order.placed",
    });
    const detail = await json<{ attemptLog: { ok: boolean; statusCode: number; durationMs: number }[] }>(
      await api(`/v1/orgs/${seller.orgId}/webhooks/${sellerHook.endpoint.id}/deliveries/${log[0]?.id}`, {
        token: seller.owner.token,
      }),
    );
    expect(detail.attemptLog).toEqual([expect.objectContaining({ ok: true, statusCode: 200 })]);
    // The buyer cannot read the seller's delivery through its own endpoint id.
    const sideways = await api(
      `/v1/orgs/${buyer.orgId}/webhooks/${buyerHook.endpoint.id}/deliveries/${log[0]?.id}`,
      { token: buyer.owner.token },
    );
    expect(sideways.status).toBe(404);
  });

  it("retries after a 500 on the schedule, with the same webhook-id, then delivers", async () => {
    const hook = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "retry");
    await receive(hook.name, { secrets: [hook.endpoint.secret], statuses: [500, 200] });
    await placeOrder(buyer, seller);
    const { retried } = await pump();
    expect(retried.length).toBeGreaterThanOrEqual(1);
    const [failed] = await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 500 });
    const wait = new Date(failed?.nextAttemptAt ?? 0).getTime() - Date.now();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(5_000);

    // The queue's second delivery of the same message.
    const second = await consume([{ kind: "webhook", id: failed?.id ?? "" }], { attempts: 2 });
    expect(second.acked).toHaveLength(1);
    const [delivered] = await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id);
    expect(delivered).toMatchObject({
      status: "delivered",
      attempts: 2,
      lastStatusCode: 200,
      nextAttemptAt: null,
    });
    const hits = await received(hook.name);
    expect(hits.map((hit) => hit.status)).toEqual([500, 200]);
    expect(hits[0]?.id).toBe(hits[1]?.id);
    expect(hits.every((hit) => hit.verifiedWith === 0)).toBe(true);
    const endpoint = await one<{ consecutive_failures: number; failing_since: string | null }>(
      "select consecutive_failures, failing_since from webhook_endpoints where id = $1",
      [hook.endpoint.id],
    );
    expect(endpoint).toEqual({ consecutive_failures: 0, failing_since: null });
  });

  it("asks the queue for the scheduled delays and lets the last attempt go to the dead-letter queue", async () => {
    const hook = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "dlq");
    await receive(hook.name, { secrets: [hook.endpoint.secret], statuses: [503] });
    await placeOrder(buyer, seller);
    await pump();
    const [delivery] = await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id);
    const message = { kind: "webhook" as const, id: delivery?.id ?? "" };
    const delays: (number | undefined)[] = [];
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await consume([message], { attempts: attempt });
      expect(result.retried).toHaveLength(1);
      delays.push(result.retried[0]?.delaySeconds);
    }
    expect(delays).toEqual([300, 1800, 7200, 18_000, 36_000, 36_000, undefined]);
    const [last] = await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id);
    expect(last).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS, nextAttemptAt: null });

    // The dead-letter queue's consumer buries it; a day of failure disables the endpoint and tells the owners.
    await sql().query(
      "update webhook_endpoints set failing_since = now() - interval '25 hours' where id = $1",
      [hook.endpoint.id],
    );
    const buried = await consume([message], { deadLetters: true });
    expect(buried.acked).toHaveLength(1);
    const [dead] = await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id);
    expect(dead?.status).toBe("dead");
    const endpoint = await json<Endpoint>(
      await api(`/v1/orgs/${seller.orgId}/webhooks/${hook.endpoint.id}`, { token: seller.owner.token }),
    );
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: "failing" });
    const mail = (await mailbox(seller.owner.email)).find((item) => item.template === "webhook_disabled");
    expect(mail?.body).toContain(hook.endpoint.url);

    // Disabled: new events are not delivered to it, and redelivery is refused until it is enabled again.
    await placeOrder(buyer, seller);
    await pump();
    expect(await received(hook.name)).toHaveLength(MAX_ATTEMPTS);
    const path = `/v1/orgs/${seller.orgId}/webhooks/${hook.endpoint.id}`;
    const refused = await api(`${path}/deliveries/${delivery?.id}/redeliveries`, {
      token: seller.owner.token,
      method: "POST",
    });
    expect(refused.status).toBe(409);

    await receive(hook.name, { secrets: [hook.endpoint.secret], statuses: [200] });
    const enabled = await api(path, { token: seller.owner.token, method: "PATCH", body: { enabled: true } });
    expect(await json(enabled)).toMatchObject({
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
    });
    const redeliver = await api(`${path}/deliveries/${delivery?.id}/redeliveries`, {
      token: seller.owner.token,
      method: "POST",
    });
    expect(redeliver.status).toBe(202);
    // The redelivery went onto the real queue binding: the Worker's own queue() consumer delivers it.
    let redelivered: Awaited<ReturnType<typeof deliveriesOf>>[number] | undefined;
    for (let wait = 0; wait < 100 && redelivered?.status !== "delivered"; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      [redelivered] = await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id);
    }
    expect(redelivered).toMatchObject({ status: "delivered", attempts: MAX_ATTEMPTS + 1 });
    const hits = await received(hook.name);
    expect(hits.at(-1)?.status).toBe(200);
    expect(hits.at(-1)?.id).toBe(hits[0]?.id);
  });

  it("signs with both secrets during a rotation's overlap, and only the new one after", async () => {
    const hook = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "rotate");
    const path = `/v1/orgs/${seller.orgId}/webhooks/${hook.endpoint.id}/secret-rotations`;
    const rotated = await json<Endpoint>(
      await api(path, { token: seller.owner.token, body: { overlapHours: 24 } }),
    );
    expect(rotated.secret).not.toBe(hook.endpoint.secret);
    expect(rotated.secrets).toHaveLength(2);
    await receive(hook.name, { secrets: [hook.endpoint.secret, rotated.secret] });
    await placeOrder(buyer, seller);
    await pump();
    expect((await received(hook.name))[0]?.verifiedBy).toEqual([0, 1]);

    const final = await json<Endpoint>(
      await api(path, { token: seller.owner.token, body: { overlapHours: 0 } }),
    );
    expect(final.secrets).toHaveLength(1);
    await receive(hook.name, { secrets: [hook.endpoint.secret, rotated.secret, final.secret] });
    await placeOrder(buyer, seller);
    await pump();
    expect((await received(hook.name))[1]?.verifiedBy).toEqual([2]);
  });

  it("does not follow redirects, gives up on slow receivers, and refuses private targets at send time", async () => {
    const redirect = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "redirect");
    await receive(redirect.name, {
      secrets: [redirect.endpoint.secret],
      redirectTo: `${receiverUrl()}/hooks/elsewhere`,
    });
    await placeOrder(buyer, seller);
    await pump();
    const [redirected] = await deliveriesOf(seller.orgId, seller.owner.token, redirect.endpoint.id);
    expect(redirected).toMatchObject({ status: "failed", lastStatusCode: 307 });
    expect(redirected?.lastError).toContain("redirect");
    await api(`/v1/orgs/${seller.orgId}/webhooks/${redirect.endpoint.id}`, {
      token: seller.owner.token,
      method: "DELETE",
    });

    const slow = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "slow");
    await receive(slow.name, { secrets: [slow.endpoint.secret], delayMs: 1500 });
    await placeOrder(buyer, seller);
    const queue = new RecordingQueue();
    await relayOutbox(testDb(), queue);
    const events = queue.take();
    await consume(events, { queue });
    const config = { ...testConfig(), WEBHOOK_TIMEOUT_MS: 300 };
    await consume(queue.take(), { deps: { config } });
    const [timedOut] = await deliveriesOf(seller.orgId, seller.owner.token, slow.endpoint.id);
    expect(timedOut?.status).toBe("failed");
    expect(timedOut?.lastError).toContain("no answer within 300 ms");

    // An endpoint saved while loopback receivers were allowed is refused once they are not, and not retried.
    const strict = { ...testConfig(), WEBHOOK_ALLOW_LOOPBACK: "off" as const };
    const result = await consume([{ kind: "webhook", id: timedOut?.id ?? "" }], {
      attempts: 2,
      deps: { config: strict },
    });
    expect(result.retried).toHaveLength(0);
    expect(result.acked).toHaveLength(1);
    const [refused] = await deliveriesOf(seller.orgId, seller.owner.token, slow.endpoint.id);
    expect(refused).toMatchObject({ status: "dead" });
    expect(refused?.lastError).toContain("URL refused");
    await api(`/v1/orgs/${seller.orgId}/webhooks/${slow.endpoint.id}`, {
      token: seller.owner.token,
      method: "DELETE",
    });
  });
});

describe("the outbox", () => {
  beforeAll(async () => {
    seller = await newSeller("Outbox Co");
  });

  it("delivers an event whose enqueue failed through the sweep, once", async () => {
    const hook = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "sweep");
    await receive(hook.name, { secrets: [hook.endpoint.secret] });
    const { order } = await placeOrder(buyer, seller);
    const event = await one<{ id: string }>(
      "select id from events where entity_id = $1 and type = 'order.placed'",
      [order.id],
    );

    const broken = new RecordingQueue();
    broken.failing = true;
    await expect(relayOutbox(testDb(), broken)).rejects.toThrow("queue unavailable");
    const leased = await one<{ enqueued_at: string | null; relay_lease_until: string | null }>(
      "select enqueued_at, relay_lease_until from events where id = $1",
      [event.id],
    );
    expect(leased.enqueued_at).toBeNull();
    expect(leased.relay_lease_until).not.toBeNull();
    // Within the lease nobody else takes it (no double send in the normal case)…
    const early = new RecordingQueue();
    await relayOutbox(testDb(), early);
    expect(early.messages.map((message) => message.id)).not.toContain(event.id);
    // …after it, the cron's sweep does.
    await sql().query("update events set relay_lease_until = now() - interval '1 second' where id = $1", [
      event.id,
    ]);
    const queue = new RecordingQueue();
    await sweepOutbox(testDb(), queue);
    expect(queue.messages.filter((message) => message.id === event.id)).toHaveLength(1);
    expect(
      (await one<{ enqueued_at: string | null }>("select enqueued_at from events where id = $1", [event.id]))
        .enqueued_at,
    ).not.toBeNull();
    const messages = queue.take();
    await consume(messages, { queue });
    await consume(queue.take(), { queue });
    const hits = await received(hook.name);
    expect(hits).toHaveLength(1);
    expect(hits[0]?.id).toBe(event.id);

    // The same event consumed twice (at-least-once) makes no second delivery: one row per endpoint and event.
    await consume([{ kind: "event", id: event.id }], { queue });
    expect(queue.take()).toHaveLength(0);
    await consume([
      {
        kind: "webhook",
        id: (await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id))[0]?.id ?? "",
      },
    ]);
    expect(await received(hook.name)).toHaveLength(1);
  });

  it("pings one endpoint only, through the real queue, signed and logged; not a disabled one", async () => {
    const hook = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "ping");
    const other = await addEndpoint(seller.orgId, seller.owner.token, ["order.placed"], "not-pinged");
    await receive(hook.name, { secrets: [hook.endpoint.secret] });
    await receive(other.name, { secrets: [other.endpoint.secret] });
    const path = `/v1/orgs/${seller.orgId}/webhooks/${hook.endpoint.id}/pings`;
    const res = await api(path, { token: seller.owner.token, method: "POST" });
    expect(res.status).toBe(202);
    const ping = await json<{ deliveryId: string; eventId: string }>(res);
    // Sent to the real queue binding: the Worker's own queue() consumer delivers it.
    let hits = await received(hook.name);
    for (let wait = 0; wait < 100 && hits.length === 0; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      hits = await received(hook.name);
    }
    expect(hits).toHaveLength(1);
    expect(hits[0]?.verifiedWith).toBe(0);
    expect(hits[0]?.id).toBe(ping.eventId);
    expect(JSON.parse(hits[0]?.body ?? "{}")).toMatchObject({
      type: "webhook.ping",
      orgId: seller.orgId,
      entityType: "webhook_endpoint",
      entityId: hook.endpoint.id,
      payload: { endpointId: hook.endpoint.id, requestedBy: seller.owner.id },
    });
    // Never fanned out to the organisation's other endpoints, whoever relays the outbox.
    await pump();
    expect(await received(other.name)).toHaveLength(0);
    const [logged] = await deliveriesOf(seller.orgId, seller.owner.token, hook.endpoint.id);
    expect(logged).toMatchObject({ id: ping.deliveryId, eventType: "webhook.ping" });

    const stranger = await newSeller("Ping Stranger");
    const sideways = await api(`/v1/orgs/${stranger.orgId}/webhooks/${hook.endpoint.id}/pings`, {
      token: stranger.owner.token,
      method: "POST",
    });
    expect(sideways.status).toBe(404);
    await api(`/v1/orgs/${seller.orgId}/webhooks/${hook.endpoint.id}`, {
      token: seller.owner.token,
      method: "PATCH",
      body: { enabled: false },
    });
    expect((await api(path, { token: seller.owner.token, method: "POST" })).status).toBe(409);
    const subscribe = await api(`/v1/orgs/${seller.orgId}/webhooks`, {
      token: seller.owner.token,
      body: { url: "https://hooks.example.com/p", eventTypes: ["webhook.ping"] },
    });
    expect(subscribe.status).toBe(400);
  });

  it("adds no database round trip to a write's request, and relays its events after the response", async () => {
    // A checkout answers with the same Server-Timing round trips whether or not the relay runs after it.
    const { product, putLine, checkoutBody, cartEtag } = await import("../support/orders.ts");
    const { call } = await import("../support/app.ts");
    const trips = (res: Response) => /"(\d+) round trips"/.exec(res.headers.get("server-timing") ?? "")?.[1];
    const place = async (relay: "on" | "off") => {
      const { variantId } = await product(seller);
      await putLine(buyer, variantId, 20);
      return call(
        `/v1/orgs/${buyer.orgId}/checkout`,
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${buyer.owner.token}`,
            "content-type": "application/json",
            "idempotency-key": crypto.randomUUID(),
            "if-match": (await cartEtag(buyer)) ?? "",
          },
          body: JSON.stringify(checkoutBody),
        },
        { env: { OUTBOX_RELAY: relay } },
      );
    };
    const off = await place("off");
    const on = await place("on");
    expect([off.status, on.status]).toEqual([201, 201]);
    expect(trips(off)).toBe("1");
    expect(trips(on)).toBe("1");
    // `call` waited for the request's waitUntil work: the relay enqueued the checkout's events.
    const group = await json<{ id: string }>(on);
    const events = (await sql().query("select enqueued_at from events where entity_id = $1", [group.id])) as {
      enqueued_at: string | null;
    }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.enqueued_at !== null)).toBe(true);
  });
});

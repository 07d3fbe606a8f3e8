import { afterEach, describe, expect, it } from "vitest";
import { newSeller, type Seller } from "../support/catalog.ts";
import { sql } from "../support/db.ts";
import { pump, receive, receiverUrl } from "../support/delivery.ts";
import { addMember, api, createOrg, json, signUp, type TestUser } from "../support/identity.ts";
import { newBuyer, placeOrder } from "../support/orders.ts";
import { escaped, orgCookie, webPage } from "../support/web.ts";

interface EndpointBody {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  version: number;
  secrets: unknown[];
}

/** Anything a test leaves in the outbox is relayed and consumed before the next one starts. */
afterEach(async () => {
  await pump();
});

async function owned() {
  const owner = await signUp();
  const org = await createOrg(owner);
  return { owner, orgId: org.id, cookies: [owner.cookie, orgCookie(org.id)] };
}

const SECRET = /class="secret"[^>]*>\s*(whsec_[^<\s]+)\s*</;

/** Adds an endpoint through the form; returns the page and the new endpoint (read back through the API). */
async function addThroughForm(
  who: { owner: TestUser; orgId: string },
  fields: Record<string, string | string[]> = {},
) {
  const res = await webPage("/org/webhooks", {
    cookies: [who.owner.cookie, orgCookie(who.orgId)],
    form: {
      orgId: who.orgId,
      url: "https://erp.example.com/hooks/marketplace",
      description: "ERP order sync",
      eventTypes: ["order.placed", "order.shipped"],
      enabled: "on",
      ...fields,
    },
  });
  expect(res.status).toBe(200);
  const html = await res.text();
  const endpoint = (await endpointsOf(who))[0] as EndpointBody;
  return { res, html, endpoint, secret: SECRET.exec(html)?.[1] ?? "" };
}

async function endpointsOf(who: { owner: TestUser; orgId: string }) {
  const res = await api(`/v1/orgs/${who.orgId}/webhooks`, { token: who.owner.token });
  expect(res.status).toBe(200);
  return (await json<{ endpoints: EndpointBody[] }>(res)).endpoints;
}

async function endpointOf(who: { owner: TestUser; orgId: string }, id: string) {
  const res = await api(`/v1/orgs/${who.orgId}/webhooks/${id}`, { token: who.owner.token });
  expect(res.status).toBe(200);
  return json<EndpointBody>(res);
}

describe("webhook pages for visitors without the role", () => {
  const someId = crypto.randomUUID();
  it.each([
    "/org/webhooks",
    `/org/webhooks/${someId}`,
    `/org/webhooks/${someId}/deliveries/${crypto.randomUUID()}`,
  ])("anonymous GET %s is sent to sign in and back", async (path) => {
    const res = await webPage(path);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(path)}`);
  });

  it("an anonymous form post changes nothing and goes to sign in", async () => {
    const who = await owned();
    const res = await webPage("/org/webhooks", {
      form: { orgId: who.orgId, url: "https://erp.example.com/x", eventTypes: "order.placed" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/signin\?next=/);
    expect(await endpointsOf(who)).toEqual([]);
  });

  it("a buyer-role member gets 403 pages and no tab; an admin gets both", async () => {
    const who = await owned();
    const { endpoint } = await addThroughForm(who);
    const buyer = await addMember(who.owner, who.orgId, "buyer");
    const cookies = [buyer.cookie, orgCookie(who.orgId)];
    expect((await webPage("/org/webhooks", { cookies })).status).toBe(403);
    expect((await webPage(`/org/webhooks/${endpoint.id}`, { cookies })).status).toBe(403);
    const post = await webPage("/org/webhooks", {
      cookies,
      form: { orgId: who.orgId, url: "https://erp.example.com/x", eventTypes: "order.placed" },
    });
    expect(post.status).toBe(403);
    const disable = await webPage(`/org/webhooks/${endpoint.id}/enabled`, {
      cookies,
      form: { orgId: who.orgId, enabled: "false" },
    });
    expect(disable.status).toBe(403);
    expect((await endpointOf(who, endpoint.id)).enabled).toBe(true);
    expect(await (await webPage("/org", { cookies })).text()).not.toContain('href="/org/webhooks"');

    const admin = await addMember(who.owner, who.orgId, "admin");
    const adminCookies = [admin.cookie, orgCookie(who.orgId)];
    expect(await (await webPage("/org", { cookies: adminCookies })).text()).toContain('href="/org/webhooks"');
    const list = await webPage("/org/webhooks", { cookies: adminCookies });
    expect(list.status).toBe(200);
    expect(await list.text()).toContain("https://erp.example.com/hooks/marketplace");
  });
});

describe("adding an endpoint", () => {
  it("shows its signing secret once, on the create response only, with how to verify", async () => {
    const who = await owned();
    const { res, html, endpoint, secret } = await addThroughForm(who, {
      description: "<b>ERP</b> sync",
      eventTypes: ["order.placed", "quote.sent", "message.posted"],
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(html).toContain("Copy it now, it will not be shown again.");
    for (const header of ["webhook-id", "webhook-timestamp", "webhook-signature"])
      expect(html).toContain(header);
    expect(endpoint).toMatchObject({
      url: "https://erp.example.com/hooks/marketplace",
      description: "<b>ERP</b> sync",
      eventTypes: ["message.posted", "order.placed", "quote.sent"],
      enabled: true,
    });

    const list = await webPage("/org/webhooks", { cookies: who.cookies });
    expect(list.status).toBe(200);
    const page = await list.text();
    expect(page).toContain(`href="/org/webhooks/${endpoint.id}"`);
    expect(page).toContain(escaped("<b>ERP</b> sync"));
    expect(page).not.toContain("<b>ERP</b>");
    expect(page).toContain("Enabled");
    expect(page).not.toContain(secret);
    expect(page).not.toContain(secret.slice(6, 30));
    expect(page).not.toContain('class="secret"');
    const detail = await (await webPage(`/org/webhooks/${endpoint.id}`, { cookies: who.cookies })).text();
    expect(detail).not.toContain(secret.slice(6, 30));
  });

  it("groups the events with their descriptions as hints", async () => {
    const who = await owned();
    const html = await (await webPage("/org/webhooks", { cookies: who.cookies })).text();
    for (const group of [
      "Checkouts",
      "Orders",
      "Invoices",
      "Requests for quotes",
      "Quotes",
      "Messages",
      "Reviews",
    ])
      expect(html).toContain(`<legend>${group}</legend>`);
    expect(html).toContain("The seller accepted the order.");
    expect(html).toContain('value="order_group.pending_approval"');
    expect(html).toContain("No webhook endpoints yet");
  });

  it("refuses a private address next to the field, keeping what was typed", async () => {
    const who = await owned();
    const res = await webPage("/org/webhooks", {
      cookies: who.cookies,
      form: {
        orgId: who.orgId,
        url: "https://10.0.0.1/x",
        description: "Internal",
        eventTypes: ["invoice.paid"],
        enabled: "on",
      },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("The URL must not point at a private, reserved or metadata address.");
    expect(html).toMatch(/id="f-url"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-url"/);
    expect(html).toContain('value="https://10.0.0.1/x"');
    expect(html).toContain('value="Internal"');
    expect(html).toMatch(/value="invoice.paid" checked/);
    expect(html).not.toContain('class="secret"');
    expect(await endpointsOf(who)).toEqual([]);
  });

  it("asks for at least one event and for a URL", async () => {
    const who = await owned();
    const noEvents = await webPage("/org/webhooks", {
      cookies: who.cookies,
      form: { orgId: who.orgId, url: "https://erp.example.com/x", enabled: "on" },
    });
    expect(noEvents.status).toBe(422);
    const html = await noEvents.text();
    expect(html).toContain("Choose at least one event.");
    expect(html).toContain('href="#f-eventTypes"');
    expect(html).toContain('value="https://erp.example.com/x"');

    const noUrl = await webPage("/org/webhooks", {
      cookies: who.cookies,
      form: { orgId: who.orgId, url: "", eventTypes: ["order.placed", "not.an-event"] },
    });
    expect(noUrl.status).toBe(422);
    const second = await noUrl.text();
    expect(second).toContain("Enter the URL that receives the events.");
    expect(second).toContain("Choose events from the list.");
    expect(second).toMatch(/value="order.placed" checked/);
    expect(await endpointsOf(who)).toEqual([]);
  });
});

describe("an endpoint's page", () => {
  it("edits, disables and enables it", async () => {
    const who = await owned();
    const { endpoint } = await addThroughForm(who);
    const path = `/org/webhooks/${endpoint.id}`;
    const page = await (await webPage(path, { cookies: who.cookies })).text();
    expect(page).toContain('name="version" value="1"');
    expect(page).toContain("No deliveries yet");

    // Saved without "enabled": the form's checkbox was cleared.
    const saved = await webPage(path, {
      cookies: who.cookies,
      form: {
        orgId: who.orgId,
        version: String(endpoint.version),
        url: "https://erp.example.com/hooks/v2",
        description: "ERP v2",
        eventTypes: ["invoice.paid", "review.posted"],
      },
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`${path}?notice=webhook-saved`);
    expect(await endpointOf(who, endpoint.id)).toMatchObject({
      url: "https://erp.example.com/hooks/v2",
      description: "ERP v2",
      eventTypes: ["invoice.paid", "review.posted"],
      enabled: false,
      disabledReason: "manual",
    });
    const after = await (await webPage(`${path}?notice=webhook-saved`, { cookies: who.cookies })).text();
    expect(after).toContain("Webhook endpoint saved.");
    expect(after).toContain('<span class="badge">Disabled</span>');

    // A stale version (the form opened before that save) is refused and keeps what was typed.
    const stale = await webPage(path, {
      cookies: who.cookies,
      form: {
        orgId: who.orgId,
        version: String(endpoint.version),
        url: "https://erp.example.com/hooks/v3",
        eventTypes: ["order.placed"],
        enabled: "on",
      },
    });
    expect(stale.status).toBe(412);
    const staleHtml = await stale.text();
    expect(staleHtml).toContain("Someone changed this endpoint since you opened the page.");
    expect(staleHtml).toContain('value="https://erp.example.com/hooks/v3"');
    expect((await endpointOf(who, endpoint.id)).url).toBe("https://erp.example.com/hooks/v2");

    const enabled = await webPage(`${path}/enabled`, {
      cookies: who.cookies,
      form: { orgId: who.orgId, enabled: "true" },
    });
    expect(enabled.status).toBe(303);
    expect(enabled.headers.get("location")).toBe(`${path}?notice=webhook-enabled`);
    expect(await endpointOf(who, endpoint.id)).toMatchObject({ enabled: true, disabledReason: null });

    const disabled = await webPage(`${path}/enabled`, {
      cookies: who.cookies,
      form: { orgId: who.orgId, enabled: "false" },
    });
    expect(disabled.headers.get("location")).toBe(`${path}?notice=webhook-disabled`);
    expect(await endpointOf(who, endpoint.id)).toMatchObject({ enabled: false, disabledReason: "manual" });
  });

  it("shows an endpoint disabled after failures, since when, with a way to enable it again", async () => {
    const who = await owned();
    const { endpoint } = await addThroughForm(who);
    await sql().query(
      `update webhook_endpoints set enabled = false, disabled_reason = 'failing',
        failing_since = '2025-03-04T05:06:00Z', consecutive_failures = 7 where id = $1`,
      [endpoint.id],
    );
    const list = await (await webPage("/org/webhooks", { cookies: who.cookies })).text();
    expect(list).toMatch(
      /Disabled after failures<\/span><span class="small muted"> since <time datetime="2025-03-04T05:06:00.000Z">/,
    );
    const detail = await (await webPage(`/org/webhooks/${endpoint.id}`, { cookies: who.cookies })).text();
    expect(detail).toContain("Enable again");
  });

  it("rotates the secret: the new one is shown once, the old one signs during the overlap", async () => {
    const who = await owned();
    const { endpoint, secret } = await addThroughForm(who);
    const path = `/org/webhooks/${endpoint.id}`;
    const res = await webPage(`${path}/secret`, {
      cookies: who.cookies,
      form: { orgId: who.orgId, overlapHours: "24" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const rotated = SECRET.exec(html)?.[1] ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    expect(html).toContain("The previous secret keeps signing until");
    expect((await endpointOf(who, endpoint.id)).secrets).toHaveLength(2);
    expect(await (await webPage(path, { cookies: who.cookies })).text()).not.toContain(rotated.slice(6, 30));

    const refused = await webPage(`${path}/secret`, {
      cookies: who.cookies,
      form: { orgId: who.orgId, overlapHours: "5" },
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("Choose one of the overlaps offered.");
    expect((await endpointOf(who, endpoint.id)).secrets).toHaveLength(2);
  });

  it("deletes it", async () => {
    const who = await owned();
    const { endpoint } = await addThroughForm(who);
    const path = `/org/webhooks/${endpoint.id}`;
    expect(await (await webPage(path, { cookies: who.cookies })).text()).toContain(
      "Delete endpoint permanently",
    );
    const res = await webPage(`${path}/delete`, { cookies: who.cookies, form: { orgId: who.orgId } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/org/webhooks?notice=webhook-deleted");
    expect(await endpointsOf(who)).toEqual([]);
    expect((await webPage(path, { cookies: who.cookies })).status).toBe(404);
  });

  it("sends a test event from the endpoint's page, which logs it", async () => {
    const who = await owned();
    const { endpoint } = await addThroughForm(who);
    const path = `/org/webhooks/${endpoint.id}`;
    const page = await (await webPage(path, { cookies: who.cookies })).text();
    expect(page).toContain(`action="${path}/ping"`);
    const sent = await webPage(`${path}/ping`, { cookies: who.cookies, form: { orgId: who.orgId } });
    expect(sent.status).toBe(303);
    expect(sent.headers.get("location")).toBe(`${path}?notice=webhook-ping-queued`);
    const after = await (
      await webPage(`${path}?notice=webhook-ping-queued`, { cookies: who.cookies })
    ).text();
    expect(after).toContain("Test event queued");
    expect(after).toContain("webhook.ping");
  });

  it("another organisation's owner gets 404 for its pages and posts (IDOR)", async () => {
    const victim = await owned();
    const { endpoint } = await addThroughForm(victim);
    const mallory = await owned();
    const path = `/org/webhooks/${endpoint.id}`;
    expect((await webPage(path, { cookies: mallory.cookies })).status).toBe(404);
    expect(
      (await webPage(`${path}/deliveries/${crypto.randomUUID()}`, { cookies: mallory.cookies })).status,
    ).toBe(404);
    // Posted for Mallory's own organisation, or naming the victim's: not found either way.
    for (const orgId of [mallory.orgId, victim.orgId]) {
      const posts: [string, Record<string, string | string[]>][] = [
        [path, { url: "https://evil.example.com/x", eventTypes: "order.placed", enabled: "on" }],
        [`${path}/enabled`, { enabled: "false" }],
        [`${path}/secret`, { overlapHours: "0" }],
        [`${path}/delete`, {}],
        [`${path}/deliveries/${crypto.randomUUID()}/redeliver`, {}],
        [`${path}/ping`, {}],
      ];
      for (const [target, fields] of posts) {
        const res = await webPage(target, { cookies: mallory.cookies, form: { orgId, ...fields } });
        expect(res.status, `${target} for ${orgId === victim.orgId ? "victim" : "own"} org`).toBe(404);
        expect(await res.text()).not.toContain("whsec_");
      }
    }
    expect(await endpointOf(victim, endpoint.id)).toMatchObject({ url: endpoint.url, enabled: true });
  });

  // KNOWN SERVICE BUG (src/services/webhooks/endpoints.ts, rotateSecret): the 404 comes from a `.one`
  // checked after commit, while the batch's secret and version updates are scoped by endpoint id only. A
  // foreign rotation therefore expires the victim's secrets (overlap 0: signing stops) and bumps its
  // version, through the API as through this page. Flip to `it` once the service scopes those statements.
  it("a foreign rotation leaves the endpoint's secrets and version alone", async () => {
    const victim = await owned();
    const { endpoint } = await addThroughForm(victim);
    const mallory = await owned();
    const res = await webPage(`/org/webhooks/${endpoint.id}/secret`, {
      cookies: mallory.cookies,
      form: { orgId: mallory.orgId, overlapHours: "0" },
    });
    expect(res.status).toBe(404);
    expect(await endpointOf(victim, endpoint.id)).toMatchObject({ version: endpoint.version, secrets: [{}] });
  });
});

describe("the delivery log", () => {
  let counter = 0;
  async function sellerWithEndpoint(): Promise<{
    seller: Seller;
    cookies: string[];
    id: string;
    name: string;
  }> {
    const seller = await newSeller();
    const name = `web-${++counter}-${crypto.randomUUID().slice(0, 8)}`;
    const { endpoint, secret } = await addThroughForm(seller, {
      url: `${receiverUrl()}/hooks/${name}`,
      eventTypes: ["order.placed"],
    });
    await receive(name, { secrets: [secret] });
    return { seller, cookies: [seller.owner.cookie, orgCookie(seller.orgId)], id: endpoint.id, name };
  }

  it("lists a delivery, shows its attempts and payload, and redelivers it", async () => {
    const { seller, cookies, id } = await sellerWithEndpoint();
    const { group } = await placeOrder(await newBuyer(), seller);
    await pump();

    const path = `/org/webhooks/${id}`;
    const detail = await (await webPage(path, { cookies })).text();
    expect(detail).toContain("<code>order.placed</code>");
    expect(detail).toContain('<span class="badge badge-ok">Delivered</span>');
    const deliveryId = new RegExp(`href="${path}/deliveries/([0-9a-f-]{36})"`).exec(detail)?.[1];
    expect(deliveryId).toBeDefined();
    expect(detail).toMatch(/Delivered, last 24 h<\/span><span class="stat-value">1</);

    const filtered = await (await webPage(`${path}?status=dead`, { cookies })).text();
    expect(filtered).toContain("No deliveries match");
    expect(filtered).toMatch(/<option value="dead" selected/);

    const deliveryPath = `${path}/deliveries/${deliveryId}`;
    const res = await webPage(deliveryPath, { cookies });
    expect(res.status).toBe(200);
    const html = await res.text();
    const apiDelivery = await json<{ payload: unknown; eventId: string }>(
      await api(`/v1/orgs/${seller.orgId}/webhooks/${id}/deliveries/${deliveryId}`, {
        token: seller.owner.token,
      }),
    );
    expect(apiDelivery.payload).toMatchObject({ groupId: group.id });
    // Pretty-printed and escaped: the JSON's quotes arrive as entities, never as markup.
    expect(html).toContain(escaped(JSON.stringify(apiDelivery.payload, null, 2)));
    expect(html).toContain(apiDelivery.eventId);
    expect(html).toContain('<span class="text-ok">Accepted</span>');

    const redelivered = await webPage(`${deliveryPath}/redeliver`, {
      cookies,
      form: { orgId: seller.orgId },
    });
    expect(redelivered.status).toBe(303);
    expect(redelivered.headers.get("location")).toBe(`${deliveryPath}?notice=webhook-redelivery-queued`);
    const flashed = await (
      await webPage(`${deliveryPath}?notice=webhook-redelivery-queued`, { cookies })
    ).text();
    expect(flashed).toContain("Redelivery queued");
  });

  it("pages older deliveries with a cursor, keeps the status filter, and escapes what receivers said", async () => {
    const who = await owned();
    const { endpoint } = await addThroughForm(who);
    // 22 dead deliveries of already-relayed events (the relay leaves them alone), a minute apart.
    await sql().query(
      `with e as (
         insert into events (type, org_id, entity_type, entity_id, payload, enqueued_at, created_at)
         select 'order.shipped', $2, 'order', gen_random_uuid(), '{"action":"ship"}', now(),
           now() - make_interval(mins => g)
         from generate_series(1, 22) g returning id, created_at)
       insert into webhook_deliveries (endpoint_id, event_id, status, attempts, last_status_code, last_error,
         last_duration_ms, created_at)
       select $1, id, 'dead', 7, 500, '<img src=x onerror=alert(1)>', 1234, created_at from e`,
      [endpoint.id, who.orgId],
    );
    const path = `/org/webhooks/${endpoint.id}`;
    const first = await (await webPage(`${path}?status=dead`, { cookies: who.cookies })).text();
    expect(first.match(/<span class="badge badge-bad">Gave up<\/span>/g)).toHaveLength(20);
    expect(first).not.toContain("<img src=x");
    expect(first).toContain(escaped("<img src=x onerror=alert(1)>"));
    expect(first).toContain("1,234 ms");
    const older = /href="([^"]+)">\s*Older deliveries/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(older).toMatch(/^\/org\/webhooks\/[0-9a-f-]{36}\?status=dead&cursor=/);
    const second = await (await webPage(older ?? "", { cookies: who.cookies })).text();
    expect(second.match(/<span class="badge badge-bad">Gave up<\/span>/g)).toHaveLength(2);
    expect(second).not.toContain("Older deliveries");
    expect(second).toContain("← Newest");
    expect((await webPage(`${path}?cursor=forged.${"A".repeat(43)}`, { cookies: who.cookies })).status).toBe(
      400,
    );
  });

  it("refuses to redeliver to a disabled endpoint, saying why on the page", async () => {
    const { seller, cookies, id } = await sellerWithEndpoint();
    await placeOrder(await newBuyer(), seller);
    await pump();
    const detail = await (await webPage(`/org/webhooks/${id}`, { cookies })).text();
    const deliveryId = /\/deliveries\/([0-9a-f-]{36})"/.exec(detail)?.[1];
    await webPage(`/org/webhooks/${id}/enabled`, {
      cookies,
      form: { orgId: seller.orgId, enabled: "false" },
    });
    const res = await webPage(`/org/webhooks/${id}/deliveries/${deliveryId}/redeliver`, {
      cookies,
      form: { orgId: seller.orgId },
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("The endpoint is disabled; enable it before redelivering.");
  });
});

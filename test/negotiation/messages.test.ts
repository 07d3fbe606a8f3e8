/**
 * Buyer–seller messages: threads about an order, a listing inquiry or an RFQ; posting, paging, ETags,
 * read state and unread counts in /v1/me; tenancy (404 for everyone outside the two organisations),
 * roles, bad input, rate limits, moderation and the events the other side receives.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { eventCatalogue } from "../../src/contracts/events.ts";
import type { messagePage, PostedMessage, threadPage } from "../../src/contracts/messages.ts";
import { problem, roundTrips } from "../support/app.ts";
import { newAdmin } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import { addMember, api, json, type TestUser } from "../support/identity.ts";
import { type Buyer, newBuyer, newSeller, placeOrder, product } from "../support/orders.ts";

type PostedMessageBody = PostedMessage;
type MessagePage = z.infer<typeof messagePage>;
type ThreadPageBody = z.infer<typeof threadPage>;

interface MeBody {
  unreadMessages: number;
  memberships: { orgId: string; unreadMessages: number }[];
}

const threads = (orgId: string) => `/v1/orgs/${orgId}/threads`;
const messages = (orgId: string, threadId: string) => `/v1/orgs/${orgId}/threads/${threadId}/messages`;

async function start(party: Buyer, body: Record<string, unknown>, token = party.owner.token) {
  return api(threads(party.orgId), { token, body });
}

async function posted(res: Response): Promise<PostedMessageBody> {
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${await res.text()}`);
  return json<PostedMessageBody>(res);
}

/** A buyer and a seller with an order between them, and the thread the buyer starts about it. */
async function orderThread(text = "When will this ship?") {
  const buyer = await newBuyer();
  const seller = await newSeller();
  const { order } = await placeOrder(buyer, seller);
  const first = await posted(await start(buyer, { subjectType: "order", subjectId: order.id, body: text }));
  return { buyer, seller, order, thread: first.thread, message: first.message };
}

async function me(user: TestUser) {
  return json<MeBody>(await api("/v1/me", { token: user.token }));
}

async function readyFile(orgId: string, purpose: "image" | "document" = "document", status = "ready") {
  const row = await one<{ id: string }>(
    `insert into files (org_id, purpose, key, content_type, content_length, filename, status)
     values ($1, $2, $3, 'application/pdf', 1234, 'spec.pdf', $4) returning id`,
    [orgId, purpose, `test/${crypto.randomUUID()}`, status],
  );
  return row.id;
}

describe("starting a conversation", () => {
  it("the buyer messages the seller about an order; both see one thread with the message", async () => {
    const { buyer, seller, order, thread, message } = await orderThread("When will this ship?");
    expect(thread.subject).toMatchObject({ type: "order", id: order.id });
    expect(thread.buyer.id).toBe(buyer.orgId);
    expect(thread.seller.id).toBe(seller.orgId);
    expect(thread.otherParty.id).toBe(seller.orgId);
    expect(thread.messageCount).toBe(1);
    expect(thread.unreadCount).toBe(0);
    expect(message).toMatchObject({ body: "When will this ship?", hidden: false, attachments: [] });
    expect(message.sender.org.id).toBe(buyer.orgId);

    const list = await api(threads(seller.orgId), { token: seller.owner.token });
    expect(list.status).toBe(200);
    expect(roundTrips(list)).toBe(1);
    const page = await json<ThreadPageBody>(list);
    expect(page.items.map((t) => t.id)).toEqual([thread.id]);
    expect(page.items[0]).toMatchObject({
      otherParty: { id: buyer.orgId },
      unreadCount: 1,
      messageCount: 1,
      lastMessage: { preview: "When will this ship?", hidden: false },
    });
  });

  it("a second first message about the same subject continues the same thread", async () => {
    const { buyer, seller, order, thread } = await orderThread();
    const again = await posted(
      await start(seller, { subjectType: "order", subjectId: order.id, body: "Tomorrow, by DHL." }),
    );
    expect(again.thread.id).toBe(thread.id);
    expect(again.thread.messageCount).toBe(2);
    const fromBuyer = await posted(
      await start(buyer, { subjectType: "order", subjectId: order.id, body: "Thanks!" }),
    );
    expect(fromBuyer.thread.id).toBe(thread.id);
    expect(fromBuyer.thread.messageCount).toBe(3);
  });

  it("two concurrent first messages end up in one thread", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const { order } = await placeOrder(buyer, seller);
    const [a, b] = await Promise.all([
      start(buyer, { subjectType: "order", subjectId: order.id, body: "From the buyer" }),
      start(seller, { subjectType: "order", subjectId: order.id, body: "From the seller" }),
    ]);
    const [first, second] = [await posted(a), await posted(b)];
    expect(first.thread.id).toBe(second.thread.id);
    const counted = await one<{ n: number; messages: number }>(
      "select count(*)::int as n, max(message_count) as messages from threads where subject_id = $1",
      [order.id],
    );
    expect(counted).toEqual({ n: 1, messages: 2 });
  });

  it("a buyer inquires about a published listing; its seller sees the inquiry", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller("Inquiry Seller");
    const { listingId } = await product(seller);
    const res = await start(buyer, {
      subjectType: "listing",
      subjectId: listingId,
      body: "Do you ship to Norway?",
    });
    expect(roundTrips(res)).toBe(1);
    const { thread } = await posted(res);
    expect(thread.subject.type).toBe("listing");
    expect(thread.subject.title).toMatch(/^Part /);
    expect(thread.seller.id).toBe(seller.orgId);
    const page = await json<ThreadPageBody>(
      await api(`${threads(seller.orgId)}?subjectType=listing&subjectId=${listingId}`, {
        token: seller.owner.token,
      }),
    );
    expect(page.items.map((t) => t.id)).toEqual([thread.id]);
  });

  it("refuses a listing inquiry to one's own listing, a draft listing, or an order of others", async () => {
    const seller = await newSeller();
    const { listingId } = await product(seller);
    const self = await start(seller, { subjectType: "listing", subjectId: listingId, body: "Hello me" });
    expect(self.status).toBe(422);
    expect((await problem(self)).detail).toMatch(/itself/);

    const draft = await api(`/v1/orgs/${seller.orgId}/listings`, {
      token: seller.owner.token,
      body: {
        title: "Draft part",
        description: "Not yet published.",
        category: "fasteners",
        currency: "EUR",
        priceTiers: [{ minQuantity: 1, unitPriceMinor: 100 }],
        minOrderQuantity: 1,
        orderIncrement: 1,
        leadTimeDays: 3,
        attributes: {},
        variants: [{ sku: "DRAFT-1", attributes: {}, stock: 1 }],
      },
    });
    const draftId = (await json<{ id: string }>(draft)).id;
    const buyer = await newBuyer();
    const toDraft = await start(buyer, { subjectType: "listing", subjectId: draftId, body: "Hi" });
    expect(toDraft.status).toBe(404);
    await problem(toDraft);

    const { order } = await orderThread();
    const stranger = await start(buyer, { subjectType: "order", subjectId: order.id, body: "Hi" });
    expect(stranger.status).toBe(404);
    expect((await problem(stranger)).detail).toBe("Order not found.");
  });

  it("talks about an RFQ: its buyer with the addressed seller or a seller of its category, nobody else", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const categorySeller = await newSeller("Category Seller");
    const outsider = await newSeller("Outside Seller");
    await product(categorySeller);
    const category = await one<{ id: string }>("select id from categories where slug = 'fasteners'");
    const addressed = await one<{ id: string }>(
      `insert into rfqs (buyer_org_id, seller_org_id, title, currency, delivery_country, needed_by, respond_by)
       values ($1, $2, 'Bolts, 10k', 'EUR', 'DE', current_date + 30, now() + interval '7 days') returning id`,
      [buyer.orgId, seller.orgId],
    );
    const open = await one<{ id: string }>(
      `insert into rfqs (buyer_org_id, category_id, title, currency, delivery_country, needed_by, respond_by)
       values ($1, $2, 'Fasteners wanted', 'EUR', 'DE', current_date + 30, now() + interval '7 days') returning id`,
      [buyer.orgId, category.id],
    );

    const toAddressed = await posted(
      await start(buyer, {
        subjectType: "rfq",
        subjectId: addressed.id,
        sellerOrgId: seller.orgId,
        body: "Can you do 8 weeks?",
      }),
    );
    expect(toAddressed.thread.subject.title).toBe("Bolts, 10k");
    const sellerReply = await posted(
      await start(seller, { subjectType: "rfq", subjectId: addressed.id, body: "Yes." }),
    );
    expect(sellerReply.thread.id).toBe(toAddressed.thread.id);

    const fromCategory = await start(categorySeller, {
      subjectType: "rfq",
      subjectId: open.id,
      body: "We stock these.",
    });
    expect(fromCategory.status).toBe(201);

    const notInCategory = await start(outsider, { subjectType: "rfq", subjectId: open.id, body: "Hi" });
    expect(notInCategory.status).toBe(404);
    await problem(notInCategory);
    const buyerToOutsider = await start(buyer, {
      subjectType: "rfq",
      subjectId: open.id,
      sellerOrgId: outsider.orgId,
      body: "Hi",
    });
    expect(buyerToOutsider.status).toBe(422);
    await problem(buyerToOutsider);
    const unnamed = await start(buyer, { subjectType: "rfq", subjectId: open.id, body: "Hi" });
    expect(unnamed.status).toBe(422);
    expect((await problem(unnamed)).detail).toMatch(/sellerOrgId/);
  });
});

describe("posting and reading", () => {
  it("posts into the thread, newest first, paged with cursors; the sender's read state follows", async () => {
    const { buyer, seller, thread } = await orderThread("one");
    for (const body of ["two", "three", "four", "five"]) {
      const res = await api(messages(seller.orgId, thread.id), { token: seller.owner.token, body: { body } });
      expect(res.status).toBe(201);
      expect(roundTrips(res)).toBe(1);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(
        `${messages(buyer.orgId, thread.id)}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: buyer.owner.token },
      );
      expect(res.status).toBe(200);
      expect(roundTrips(res)).toBe(1);
      const page: MessagePage = await json<MessagePage>(res);
      seen.push(...page.items.map((m) => m.body ?? ""));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["five", "four", "three", "two", "one"]);

    const sellerView = await json<MessagePage>(
      await api(messages(seller.orgId, thread.id), { token: seller.owner.token }),
    );
    expect(sellerView.thread.unreadCount).toBe(0);
    expect(sellerView.thread.messageCount).toBe(5);
  });

  it("pages the thread list with cursors and filters unread threads", async () => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { order } = await placeOrder(buyer, seller);
      ids.push(
        (await posted(await start(seller, { subjectType: "order", subjectId: order.id, body: `Order ${i}` })))
          .thread.id,
      );
    }
    const first = await json<ThreadPageBody>(
      await api(`${threads(buyer.orgId)}?limit=2`, { token: buyer.owner.token }),
    );
    expect(first.items.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    const second = await json<ThreadPageBody>(
      await api(`${threads(buyer.orgId)}?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? "")}`, {
        token: buyer.owner.token,
      }),
    );
    expect(second.items.map((t) => t.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();

    const read = await api(`${threads(buyer.orgId)}/${ids[1]}/read`, {
      method: "POST",
      token: buyer.owner.token,
    });
    expect(read.status).toBe(204);
    const unread = await json<ThreadPageBody>(
      await api(`${threads(buyer.orgId)}?unread=true`, { token: buyer.owner.token }),
    );
    expect(unread.items.map((t) => t.id)).toEqual([ids[2], ids[0]]);

    const foreign = await api(
      `${threads(buyer.orgId)}?cursor=${encodeURIComponent(first.nextCursor ?? "")}`,
      {
        token: seller.owner.token,
      },
    );
    expect(foreign.status).toBe(404);
  });

  it("answers 304 to If-None-Match while nothing shown changed, and a new ETag after a post", async () => {
    const { buyer, seller, thread } = await orderThread();
    const list = await api(threads(seller.orgId), { token: seller.owner.token });
    const listTag = list.headers.get("etag") ?? "";
    expect(listTag).toMatch(/^".+"$/);
    const same = await api(threads(seller.orgId), {
      token: seller.owner.token,
      headers: { "if-none-match": listTag },
    });
    expect(same.status).toBe(304);
    expect(roundTrips(same)).toBe(1);
    expect(await same.text()).toBe("");

    const convo = await api(messages(seller.orgId, thread.id), { token: seller.owner.token });
    const convoTag = convo.headers.get("etag") ?? "";
    const unchanged = await api(messages(seller.orgId, thread.id), {
      token: seller.owner.token,
      headers: { "if-none-match": convoTag },
    });
    expect(unchanged.status).toBe(304);

    await posted(
      await api(messages(buyer.orgId, thread.id), { token: buyer.owner.token, body: { body: "More" } }),
    );
    const changedList = await api(threads(seller.orgId), {
      token: seller.owner.token,
      headers: { "if-none-match": listTag },
    });
    expect(changedList.status).toBe(200);
    expect(changedList.headers.get("etag")).not.toBe(listTag);
    const changedConvo = await api(messages(seller.orgId, thread.id), {
      token: seller.owner.token,
      headers: { "if-none-match": convoTag },
    });
    expect(changedConvo.status).toBe(200);
  });

  it("counts unread messages in /v1/me, per organisation and in total, until the member reads them", async () => {
    const { buyer, seller, thread } = await orderThread("first");
    const colleague = await addMember(seller.owner, seller.orgId, "viewer");
    await posted(
      await api(messages(buyer.orgId, thread.id), { token: buyer.owner.token, body: { body: "second" } }),
    );

    const before = await api("/v1/me", { token: seller.owner.token });
    expect(roundTrips(before)).toBe(1);
    const counts = await json<MeBody>(before);
    expect(counts.unreadMessages).toBe(2);
    expect(counts.memberships.find((m) => m.orgId === seller.orgId)?.unreadMessages).toBe(2);
    expect((await me(colleague)).unreadMessages).toBe(2);
    expect((await me(buyer.owner)).unreadMessages).toBe(0);

    // Reading the messages marks nothing; marking up to the first message leaves the second unread.
    await api(messages(seller.orgId, thread.id), { token: seller.owner.token });
    const page = await json<MessagePage>(
      await api(messages(seller.orgId, thread.id), { token: seller.owner.token }),
    );
    const firstAt = page.items.at(-1)?.createdAt ?? "";
    const partly = await api(`${threads(seller.orgId)}/${thread.id}/read`, {
      token: seller.owner.token,
      body: { upTo: firstAt },
    });
    expect(partly.status).toBe(204);
    expect((await me(seller.owner)).unreadMessages).toBe(1);
    const all = await api(`${threads(seller.orgId)}/${thread.id}/read`, {
      method: "POST",
      token: seller.owner.token,
    });
    expect(all.status).toBe(204);
    expect(roundTrips(all)).toBe(1);
    expect((await me(seller.owner)).unreadMessages).toBe(0);
    // Never backwards; and a colleague's read state is their own.
    await api(`${threads(seller.orgId)}/${thread.id}/read`, {
      token: seller.owner.token,
      body: { upTo: firstAt },
    });
    expect((await me(seller.owner)).unreadMessages).toBe(0);
    expect((await me(colleague)).unreadMessages).toBe(2);
  });

  it("stores and returns the text as sent: markup stays text", async () => {
    const { buyer, seller, thread } = await orderThread();
    const text = '<script>alert("x")</script>\n\tSee https://example.com/?a=1&b=2';
    const sent = await posted(
      await api(messages(buyer.orgId, thread.id), { token: buyer.owner.token, body: { body: text } }),
    );
    expect(sent.message.body).toBe(text);
    const page = await json<MessagePage>(
      await api(messages(seller.orgId, thread.id), { token: seller.owner.token }),
    );
    expect(page.items[0]?.body).toBe(text);
  });

  it("attaches completed uploads of the sender's organisation, and no other file", async () => {
    const { buyer, seller, thread } = await orderThread();
    const own = await readyFile(buyer.orgId);
    const ok = await posted(
      await api(messages(buyer.orgId, thread.id), {
        token: buyer.owner.token,
        body: { body: "Spec", attachmentIds: [own] },
      }),
    );
    expect(ok.message.attachments).toEqual([
      { id: own, filename: "spec.pdf", contentType: "application/pdf", sizeBytes: 1234 },
    ]);
    // The other party fetches it through the thread; nobody else, and not another file, through it.
    const url = (orgId: string, fileId = own) => `${threads(orgId)}/${thread.id}/attachments/${fileId}/url`;
    const fetched = await api(url(seller.orgId), { token: seller.owner.token });
    expect(fetched.status).toBe(200);
    expect(roundTrips(fetched)).toBe(1);
    expect((await json<{ url: string }>(fetched)).url).toContain("X-Amz-Signature=");
    const other = await newBuyer("Other Co");
    expect((await api(url(other.orgId), { token: other.owner.token })).status).toBe(404);
    expect((await api(url(buyer.orgId), { token: other.owner.token })).status).toBe(404);
    const unattached = await readyFile(buyer.orgId);
    expect((await api(url(seller.orgId, unattached), { token: seller.owner.token })).status).toBe(404);
    for (const fileId of [
      await readyFile(seller.orgId),
      await readyFile(buyer.orgId, "image", "pending"),
      crypto.randomUUID(),
    ]) {
      const res = await api(messages(buyer.orgId, thread.id), {
        token: buyer.owner.token,
        body: { body: "Spec", attachmentIds: [fileId] },
      });
      expect(res.status).toBe(422);
      expect((await problem(res)).errors?.[0]?.message).toContain(fileId);
    }
    // Hidden by moderation: its files go with it.
    const admin = await newAdmin();
    await api(`/v1/admin/messages/${ok.message.id}/hide`, {
      token: admin.token,
      body: { reason: "Spam file" },
    });
    expect((await api(url(seller.orgId), { token: seller.owner.token })).status).toBe(404);
  });
});

describe("who may see and post", () => {
  it("answers 404 to every other organisation on every route, and 401 to anonymous callers", async () => {
    const { buyer, thread, order } = await orderThread();
    const other = await newBuyer("Other Co");
    const o = other.owner.token;
    const base = threads(other.orgId);
    const attempts = [
      api(`${base}/${thread.id}/messages`, { token: o }),
      api(`${base}/${thread.id}/messages`, { token: o, body: { body: "Hi" } }),
      api(`${base}/${thread.id}/read`, { method: "POST", token: o }),
      api(base, { token: o, body: { subjectType: "order", subjectId: order.id, body: "Hi" } }),
      // Naming the buyer's organisation without belonging to it:
      api(`${threads(buyer.orgId)}/${thread.id}/messages`, { token: o }),
      api(`${threads(buyer.orgId)}/${thread.id}/messages`, { token: o, body: { body: "Hi" } }),
      api(threads(buyer.orgId), { token: o }),
      api(`${threads(buyer.orgId)}/${thread.id}/read`, { method: "POST", token: o }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      await problem(res);
    }
    const list = await json<ThreadPageBody>(await api(base, { token: o }));
    expect(list.items).toEqual([]);

    const anonymous = await Promise.all([
      api(threads(buyer.orgId)),
      api(`${threads(buyer.orgId)}/${thread.id}/messages`),
      api(`${threads(buyer.orgId)}/${thread.id}/messages`, { body: { body: "Hi" } }),
      api(`${threads(buyer.orgId)}/${thread.id}/read`, { method: "POST" }),
      api(threads(buyer.orgId), { body: { subjectType: "order", subjectId: order.id, body: "Hi" } }),
    ]);
    for (const res of anonymous) {
      expect(res.status).toBe(401);
      await problem(res);
    }
  });

  it("a viewer reads the conversation but may not post (403)", async () => {
    const { buyer, thread, order } = await orderThread();
    const viewer = await addMember(buyer.owner, buyer.orgId, "viewer");
    const read = await api(messages(buyer.orgId, thread.id), { token: viewer.token });
    expect(read.status).toBe(200);
    const post = await api(messages(buyer.orgId, thread.id), { token: viewer.token, body: { body: "Hi" } });
    expect(post.status).toBe(403);
    await problem(post);
    const startAnother = await start(
      buyer,
      { subjectType: "order", subjectId: order.id, body: "Hi" },
      viewer.token,
    );
    expect(startAnother.status).toBe(403);
    const markRead = await api(`${threads(buyer.orgId)}/${thread.id}/read`, {
      method: "POST",
      token: viewer.token,
    });
    expect(markRead.status).toBe(204);
  });
});

describe("bad input", () => {
  it("answers problem+json for empty, long, control-character and malformed bodies", async () => {
    const { buyer, thread, order } = await orderThread();
    const url = messages(buyer.orgId, thread.id);
    const t = buyer.owner.token;
    const cases: [unknown, number][] = [
      [{ body: "" }, 400],
      [{ body: "   \n\t " }, 400],
      [{ body: "x".repeat(4001) }, 400],
      [{ body: "bell \u0007" }, 400],
      [{ body: "nul \u0000" }, 400],
      [{}, 400],
      [{ body: "ok", extra: 1 }, 400],
      [{ body: "ok", attachmentIds: ["not-a-uuid"] }, 400],
      [{ body: "ok", attachmentIds: Array.from({ length: 6 }, () => crypto.randomUUID()) }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await api(url, { token: t, body });
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(status);
      await problem(res);
    }
    expect((await api(url, { token: t, body: { body: "x".repeat(4000) } })).status).toBe(201);
    expect((await api(url, { token: t, body: { body: "line one\nline two\ttabbed" } })).status).toBe(201);

    const badStarts: [unknown, number][] = [
      [{ subjectType: "invoice", subjectId: order.id, body: "Hi" }, 400],
      [{ subjectType: "order", subjectId: "nope", body: "Hi" }, 400],
      [{ subjectType: "order", subjectId: order.id, sellerOrgId: crypto.randomUUID(), body: "Hi" }, 400],
      [{ subjectType: "order", subjectId: crypto.randomUUID(), body: "Hi" }, 404],
      [{ subjectType: "listing", subjectId: crypto.randomUUID(), body: "Hi" }, 404],
      [{ subjectType: "rfq", subjectId: crypto.randomUUID(), body: "Hi" }, 404],
    ];
    for (const [body, status] of badStarts) {
      const res = await start(buyer, body as Record<string, unknown>);
      expect(res.status, JSON.stringify(body)).toBe(status);
      await problem(res);
    }
    const badThread = await api(messages(buyer.orgId, "not-a-uuid"), { token: t });
    expect(badThread.status).toBe(400);
    const unknownThread = await api(messages(buyer.orgId, crypto.randomUUID()), {
      token: t,
      body: { body: "Hi" },
    });
    expect(unknownThread.status).toBe(404);
    const badCursor = await api(`${url}?cursor=forged.cursor`, { token: t });
    expect(badCursor.status).toBe(400);
    const badUpTo = await api(`${threads(buyer.orgId)}/${thread.id}/read`, {
      token: t,
      body: { upTo: "yesterday" },
    });
    expect(badUpTo.status).toBe(400);
    await problem(badUpTo);
  });
});

describe("rate limits", () => {
  it("stops a member past 30 messages a minute with 429 and Retry-After, also when posts race", async () => {
    const { buyer, thread } = await orderThread();
    // With the first message, 29 in the last minute: of three concurrent posts exactly one fits.
    await sql().query(
      `insert into messages (thread_id, sender_org_id, sender_user_id, body, created_at)
       select $1, $2, $3, 'filler', now() - interval '10 seconds' from generate_series(1, 28)`,
      [thread.id, buyer.orgId, buyer.owner.id],
    );
    await sql().query("update threads set last_message_at = now() where id = $1", [thread.id]);
    const raced = await Promise.all(
      ["a", "b", "c"].map((body) =>
        api(messages(buyer.orgId, thread.id), { token: buyer.owner.token, body: { body } }),
      ),
    );
    expect(raced.map((res) => res.status).sort()).toEqual([201, 429, 429]);
    for (const res of raced.filter((r) => r.status === 429)) {
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      await problem(res);
    }
    // A colleague may still write for the organisation.
    const colleague = await addMember(buyer.owner, buyer.orgId, "buyer");
    expect(
      (await api(messages(buyer.orgId, thread.id), { token: colleague.token, body: { body: "Hi" } })).status,
    ).toBe(201);
  });

  it("holds an API key to the per-sender limit too (30 a minute), not only to its organisation's", async () => {
    const { buyer, thread } = await orderThread();
    const created = await api(`/v1/orgs/${buyer.orgId}/api-keys`, {
      token: buyer.owner.token,
      body: { name: "erp", scopes: ["orders:read", "orders:write"] },
    });
    expect(created.status).toBe(201);
    const { key, id: keyId } = await json<{ key: string; id: string }>(created);
    await sql().query(
      `insert into messages (thread_id, sender_org_id, sender_key_id, body, created_at)
       select $1, $2, $3, 'filler', now() - interval '10 seconds' from generate_series(1, 30)`,
      [thread.id, buyer.orgId, keyId],
    );
    await sql().query("update threads set last_message_at = now() where id = $1", [thread.id]);
    const res = await api(messages(buyer.orgId, thread.id), { token: key, body: { body: "From the ERP" } });
    expect(res.status).toBe(429);
    await problem(res);
    // The organisation's members are not held back by the key's rate.
    const member = await api(messages(buyer.orgId, thread.id), {
      token: buyer.owner.token,
      body: { body: "Hi" },
    });
    expect(member.status).toBe(201);
  });

  it("stops an organisation past 500 messages an hour", async () => {
    const { buyer, thread } = await orderThread();
    await sql().query(
      `insert into messages (thread_id, sender_org_id, sender_user_id, body, created_at)
       select $1, $2, null, 'filler', now() - interval '30 minutes' from generate_series(1, 499)`,
      [thread.id, buyer.orgId],
    );
    await sql().query("update threads set last_message_at = now() where id = $1", [thread.id]);
    const res = await api(messages(buyer.orgId, thread.id), {
      token: buyer.owner.token,
      body: { body: "Hi" },
    });
    expect(res.status).toBe(429);
    const wait = Number(res.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(25 * 60);
    expect(wait).toBeLessThanOrEqual(3600);
  });
});

describe("moderation and events", () => {
  it("a platform admin hides a message: the parties see it hidden, without body or files", async () => {
    const { buyer, seller, thread, message } = await orderThread("Abusive text");
    const admin = await newAdmin();
    const refused = await api(`/v1/admin/messages/${message.id}/hide`, {
      token: seller.owner.token,
      body: { reason: "abuse" },
    });
    expect(refused.status).toBe(403);
    const hidden = await api(`/v1/admin/messages/${message.id}/hide`, {
      token: admin.token,
      body: { reason: "Abusive language" },
    });
    expect(hidden.status).toBe(200);
    expect(roundTrips(hidden)).toBe(1);
    expect(await json(hidden)).toMatchObject({
      id: message.id,
      hidden: true,
      hiddenReason: "Abusive language",
    });
    for (const party of [buyer, seller]) {
      const page = await json<MessagePage>(
        await api(messages(party.orgId, thread.id), { token: party.owner.token }),
      );
      expect(page.items[0]).toMatchObject({ id: message.id, hidden: true, body: null, attachments: [] });
      expect(page.thread.lastMessage).toMatchObject({ hidden: true, preview: null });
    }
    expect((await me(seller.owner)).unreadMessages).toBe(0);
    const missing = await api(`/v1/admin/messages/${crypto.randomUUID()}/hide`, {
      token: admin.token,
      body: { reason: "abuse" },
    });
    expect(missing.status).toBe(404);
    const noReason = await api(`/v1/admin/messages/${message.id}/hide`, { token: admin.token, body: {} });
    expect(noReason.status).toBe(400);
  });

  it("appends message.posted for the other organisation only, in the same write", async () => {
    const { buyer, seller, thread, message } = await orderThread();
    const reply = await posted(
      await api(messages(seller.orgId, thread.id), { token: seller.owner.token, body: { body: "Re" } }),
    );
    const rows = await sql().query(
      "select org_id, entity_id, payload from events where type = 'message.posted' and entity_id = any($1::uuid[]) order by created_at",
      [[message.id, reply.message.id]],
    );
    for (const row of rows)
      expect(eventCatalogue["message.posted"].payload.safeParse(row.payload).success).toBe(true);
    expect(rows).toEqual([
      {
        org_id: seller.orgId,
        entity_id: message.id,
        payload: { threadId: thread.id, senderOrgId: buyer.orgId },
      },
      {
        org_id: buyer.orgId,
        entity_id: reply.message.id,
        payload: { threadId: thread.id, senderOrgId: seller.orgId },
      },
    ]);
  });
});

describe("API keys", () => {
  it("an API key with orders:write posts for its organisation; it has no read state", async () => {
    const { buyer, thread } = await orderThread();
    const key = await json<{ key: string }>(
      await api(`/v1/orgs/${buyer.orgId}/api-keys`, {
        token: buyer.owner.token,
        body: { name: "erp", scopes: ["orders:read", "orders:write"] },
      }),
    );
    const sent = await posted(
      await api(messages(buyer.orgId, thread.id), { token: key.key, body: { body: "From the ERP" } }),
    );
    expect(sent.message.sender.userId).toBeNull();
    const page = await json<ThreadPageBody>(await api(threads(buyer.orgId), { token: key.key }));
    expect(page.items[0]?.unreadCount).toBeNull();
    const read = await api(`${threads(buyer.orgId)}/${thread.id}/read`, { method: "POST", token: key.key });
    expect(read.status).toBe(422);
    await problem(read);
  });
});

/**
 * The messages pages: "Message the seller" from an order or a listing, the conversation list with unread
 * badges, a conversation with a plain reply form (POST → 303 → GET, no JavaScript), text rendered as text.
 */
import { describe, expect, it } from "vitest";
import { one } from "../support/db.ts";
import { addMember, api, json, type TestUser } from "../support/identity.ts";
import { newBuyer, newSeller, placeOrder, product } from "../support/orders.ts";
import { escaped, orgCookie, webPage } from "../support/web.ts";

function browse(path: string, user: TestUser | undefined, orgId?: string, form?: Record<string, string>) {
  return webPage(path, { cookies: [user?.cookie, orgId ? orgCookie(orgId) : undefined], form });
}

/** A buyer who messaged the seller about an order through the pages; returns the thread's page path. */
async function conversation(text = "Can you ship on Friday?") {
  const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Hanse Fasteners")]);
  const { order } = await placeOrder(buyer, seller);
  const sent = await browse("/messages/new", buyer.owner, buyer.orgId, {
    subjectType: "order",
    subjectId: order.id,
    body: text,
  });
  expect(sent.status).toBe(303);
  const location = sent.headers.get("location") ?? "";
  expect(location).toMatch(/^\/messages\/[0-9a-f-]{36}\?notice=message-sent#latest$/);
  const path = location.replace(/[?#].*$/, "");
  return { buyer, seller, order, path, threadId: path.split("/").at(-1) ?? "" };
}

describe("messages pages", () => {
  it("the buyer messages the seller from the order page; the message shows in the conversation", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Hanse Fasteners")]);
    const { order } = await placeOrder(buyer, seller);
    const orderPage = await (await browse(`/orders/${order.id}`, buyer.owner, buyer.orgId)).text();
    const link = `/messages/new?subjectType=order&amp;subjectId=${order.id}`;
    expect(orderPage).toContain(link);
    expect(orderPage).toContain("Message Hanse Fasteners");

    const form = await browse(link.replace("&amp;", "&"), buyer.owner, buyer.orgId);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    expect(formHtml).toContain('action="/messages/new"');
    expect(formHtml).toContain(`value="${order.id}"`);

    const sent = await browse("/messages/new", buyer.owner, buyer.orgId, {
      subjectType: "order",
      subjectId: order.id,
      body: "First line\r\nSecond line",
    });
    expect(sent.status).toBe(303);
    const path = (sent.headers.get("location") ?? "").replace(/[?#].*$/, "");
    const page = await browse(`${path}?notice=message-sent`, buyer.owner, buyer.orgId);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Message sent.");
    expect(html).toContain("First line\nSecond line");
    expect(html).toContain(`href="/orders/${order.id}"`);
    const stored = await one<{ body: string }>("select body from messages where thread_id = $1", [
      path.split("/").at(-1),
    ]);
    expect(stored.body).toBe("First line\nSecond line");

    // Starting again about the same order continues the conversation.
    const again = await browse(link.replace("&amp;", "&"), buyer.owner, buyer.orgId);
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`${path}#reply`);
  });

  it("the seller sees the unread conversation, opening it marks it read, and the reply shows last", async () => {
    const { buyer, seller, path, threadId } = await conversation("Can you ship on Friday?");
    const list = await browse("/messages", seller.owner, seller.orgId);
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain(`href="/messages/${threadId}"`);
    expect(listHtml).toContain("1 unread");
    expect(listHtml).toContain("Can you ship on Friday?");
    expect(listHtml).toMatch(/class="nav-badge"[^>]*>.*1.*unread/s);

    const opened = await (await browse(path, seller.owner, seller.orgId)).text();
    expect(opened).toContain("Can you ship on Friday?");
    expect(opened).not.toContain('class="nav-badge"');
    const me = await json<{ unreadMessages: number }>(await api("/v1/me", { token: seller.owner.token }));
    expect(me.unreadMessages).toBe(0);

    const reply = await browse(path, seller.owner, seller.orgId, { body: "Yes, Friday by DHL." });
    expect(reply.status).toBe(303);
    expect(reply.headers.get("location")).toBe(`${path}?notice=message-sent#latest`);
    const buyerView = await (await browse(path, buyer.owner, buyer.orgId)).text();
    const first = buyerView.indexOf("Can you ship on Friday?");
    const second = buyerView.indexOf("Yes, Friday by DHL.");
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(buyerView).toContain('id="latest"');
  });

  it("links a message's attachment to a short-lived download", async () => {
    const { buyer, seller, path, threadId } = await conversation();
    const file = await one<{ id: string }>(
      `insert into files (org_id, purpose, key, content_type, content_length, filename, status)
       values ($1, 'document', $2, 'application/pdf', 2048, 'drawing.pdf', 'ready') returning id`,
      [buyer.orgId, `test/${crypto.randomUUID()}`],
    );
    const sent = await api(`/v1/orgs/${buyer.orgId}/threads/${threadId}/messages`, {
      token: buyer.owner.token,
      body: { body: "The drawing", attachmentIds: [file.id] },
    });
    expect(sent.status).toBe(201);
    const html = await (await browse(path, seller.owner, seller.orgId)).text();
    const href = `/messages/${threadId}/files/${file.id}`;
    expect(html).toContain(`href="${href}"`);
    expect(html).toContain("drawing.pdf");
    const download = await browse(href, seller.owner, seller.orgId);
    expect(download.status).toBe(303);
    expect(download.headers.get("location")).toContain("X-Amz-Signature=");
    const other = await newBuyer("Other Co");
    expect((await browse(href, other.owner, other.orgId)).status).toBe(404);
  });

  it("renders markup in a message as text", async () => {
    const text = '<script>alert("x")</script> <b>bold</b> & https://example.com/?a=1&b=2';
    const { seller, path } = await conversation(text);
    const html = await (await browse(path, seller.owner, seller.orgId)).text();
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<b>bold</b>");
    expect(html).toContain(escaped("<b>bold</b> & https://example.com/?a=1&b=2"));
  });

  it("keeps what was typed when a reply is refused, and shows viewers no reply form", async () => {
    const { buyer, path } = await conversation();
    const empty = await browse(path, buyer.owner, buyer.orgId, { body: "   " });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain("1 to 4,000 characters");
    const bell = await browse(path, buyer.owner, buyer.orgId, { body: "Ring \u0007 the bell" });
    expect(bell.status).toBe(422);
    expect(await bell.text()).toContain("Ring ");

    const viewer = await addMember(buyer.owner, buyer.orgId, "viewer");
    const page = await (await browse(path, viewer, buyer.orgId)).text();
    expect(page).toContain("Can you ship on Friday?");
    expect(page).not.toContain('name="body"');
    const post = await browse(path, viewer, buyer.orgId, { body: "Hello" });
    expect(post.status).toBe(403);
  });

  it("hides conversations from everyone outside the two organisations, and asks anonymous visitors to sign in", async () => {
    const { path } = await conversation();
    const other = await newBuyer("Other Co");
    expect((await browse(path, other.owner, other.orgId)).status).toBe(404);
    expect((await browse(path, other.owner, other.orgId, { body: "Hi" })).status).toBe(404);
    const list = await (await browse("/messages", other.owner, other.orgId)).text();
    expect(list).toContain("No conversations yet");

    const anonymous = await browse(path, undefined);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(path)}`);
    expect((await browse("/messages/not-a-thread", other.owner, other.orgId)).status).toBe(404);
  });

  it("a buyer asks about a listing from its page", async () => {
    const [buyer, seller] = await Promise.all([newBuyer(), newSeller("Nordic Packaging")]);
    const { listingId } = await product(seller, { title: "Corrugated carton 400 x 300" });
    const listing = await (await browse(`/listings/${listingId}`, buyer.owner, buyer.orgId)).text();
    const link = `/messages/new?subjectType=listing&amp;subjectId=${listingId}`;
    expect(listing).toContain(link);
    const sent = await browse("/messages/new", buyer.owner, buyer.orgId, {
      subjectType: "listing",
      subjectId: listingId,
      body: "Do you print logos?",
    });
    expect(sent.status).toBe(303);
    const sellerList = await (await browse("/messages", seller.owner, seller.orgId)).text();
    expect(sellerList).toContain("Listing: Corrugated carton 400 x 300");
    expect(sellerList).toContain("Do you print logos?");

    // A seller cannot start a conversation with itself about its own listing: the form says so.
    const self = await browse("/messages/new", seller.owner, seller.orgId, {
      subjectType: "listing",
      subjectId: listingId,
      body: "Hello me",
    });
    expect(self.status).toBe(422);
    const selfHtml = await self.text();
    expect(selfHtml).toContain("cannot message itself");
    expect(selfHtml).toContain("Hello me");
  });
});

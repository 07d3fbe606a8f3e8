/**
 * Messages between buyers and sellers: the organisation's conversations with unread badges, one
 * conversation (newest at the bottom) with a plain reply form, and "Message the seller" from an order or a
 * listing. Message bodies are rendered as text only (JSX escapes them; line breaks kept by CSS).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Message, MessageThread } from "../../contracts/messages.ts";
import { ApiError } from "../../lib/problem.ts";
import { serviceContext } from "../../routes/context.ts";
import { messageBody } from "../../routes/messages/messages.routes.ts";
import { uuidParam } from "../../routes/schemas.ts";
import { rolesFor } from "../../services/identity/permissions.ts";
import { attachmentUrl, listMessages, listThreads } from "../../services/messages/reads.ts";
import { markThreadRead, postMessage, startThread } from "../../services/messages/writes.ts";
import type { AppEnv } from "../../types.ts";
import { Breadcrumbs, EmptyState, PageHead, Pager, shortId } from "../components.tsx";
import {
  loadViewer,
  type Membership,
  type PageFacts,
  pageFacts,
  preferredOrgId,
  requireVisitor,
  type UserPrincipal,
  type Viewer,
  type WebContext,
} from "../context.ts";
import { attempt, field, readForm } from "../forms.ts";
import { page } from "../render.tsx";

export const messagePages = new Hono<AppEnv>();

const THREADS_PER_PAGE = 20;
const MESSAGES_PER_PAGE = 50;
const subjectTypes = z.enum(["order", "listing", "rfq"]);
type SubjectType = z.infer<typeof subjectTypes>;

interface MessagesContext {
  principal: UserPrincipal;
  viewer: Viewer;
  org: Membership;
}

/**
 * The organisation the visitor acts for (the org preference, any side) and the page's read of it: run
 * beside loadViewer when the preference names one, repeated for the right one if it did not.
 */
async function messagesRead<T>(
  c: WebContext,
  read: (orgId: string, principal: UserPrincipal) => Promise<T>,
): Promise<(MessagesContext & { data: T }) | Response> {
  const principal = await requireVisitor(c);
  const preferred = preferredOrgId(c);
  if (preferred) {
    const [viewer, guess] = await Promise.all([
      loadViewer(c, principal),
      read(preferred, principal)
        .then((data) => ({ data }))
        .catch((error: unknown) => ({ error })),
    ]);
    if (!viewer.org) return noOrg(c, viewer);
    if (viewer.org.orgId === preferred) {
      if ("error" in guess) throw guess.error;
      return { principal, viewer, org: viewer.org, data: guess.data };
    }
    return { principal, viewer, org: viewer.org, data: await read(viewer.org.orgId, principal) };
  }
  const viewer = await loadViewer(c, principal);
  if (!viewer.org) return noOrg(c, viewer);
  return { principal, viewer, org: viewer.org, data: await read(viewer.org.orgId, principal) };
}

async function messagesForPost(c: WebContext): Promise<MessagesContext | Response> {
  const principal = await requireVisitor(c);
  const viewer = await loadViewer(c, principal);
  if (!viewer.org) return noOrg(c, viewer);
  return { principal, viewer, org: viewer.org };
}

function noOrg(c: WebContext, viewer: Viewer) {
  return page(
    c,
    viewer,
    { title: "Messages", noindex: true },
    <div class="panel auth-card">
      <h1>Messages belong to an organisation</h1>
      <p>Buyers and sellers talk as organisations, so colleagues can follow the conversation.</p>
      <div class="actions">
        <a class="btn btn-primary" href="/org/new">
          Create an organisation
        </a>
      </div>
    </div>,
  );
}

function canWrite(org: Membership): boolean {
  return (rolesFor("messages:write") as readonly string[]).includes(org.role);
}

/** What a thread is about, as people read it. */
function subjectLabel(thread: MessageThread): string {
  const { type, id, title } = thread.subject;
  if (type === "order") return `Order ${shortId(id)}`;
  if (type === "listing") return `Listing: ${title ?? "removed"}`;
  return `RFQ: ${title ?? shortId(id)}`;
}

/** Where the subject lives in the web app, from the acting organisation's side. */
function subjectHref(thread: MessageThread, orgId: string): string | undefined {
  const { type, id } = thread.subject;
  if (type === "listing") return `/listings/${id}`;
  if (type === "order") return thread.buyer.id === orgId ? `/orders/${id}` : `/seller/orders/${id}`;
  return undefined;
}

/** The layout's unread counts once this page has marked `read` messages of the organisation read. */
function afterReading(viewer: Viewer, orgId: string, read: number): Viewer {
  if (read <= 0) return viewer;
  const memberships = viewer.me.memberships.map((m) =>
    m.orgId === orgId ? { ...m, unreadMessages: Math.max(0, m.unreadMessages - read) } : m,
  );
  return {
    me: { ...viewer.me, unreadMessages: Math.max(0, viewer.me.unreadMessages - read), memberships },
    org: memberships.find((m) => m.orgId === orgId),
  };
}

messagePages.get("/messages", async (c) => {
  const unread = c.req.query("unread") === "1";
  const cursor = c.req.query("cursor") || undefined;
  const result = await messagesRead(c, (orgId, principal) =>
    listThreads(serviceContext(c), principal, orgId, { unread, cursor, limit: THREADS_PER_PAGE }),
  );
  if (result instanceof Response) return result;
  const facts = pageFacts(c);
  const { items, nextCursor } = result.data.body;
  const base = unread ? "/messages?unread=1" : "/messages";
  const join = base.includes("?") ? "&" : "?";
  return page(
    c,
    result.viewer,
    { title: "Messages", noindex: true, facts },
    <>
      <PageHead title="Messages" subtitle={`Conversations of ${result.org.orgName}`} />
      <nav class="tabs" aria-label="Which conversations">
        <a href="/messages" aria-current={unread ? undefined : "page"}>
          All
        </a>
        <a href="/messages?unread=1" aria-current={unread ? "page" : undefined}>
          Unread
        </a>
      </nav>
      {items.length === 0 ? (
        <EmptyState title={unread ? "Nothing unread" : "No conversations yet"}>
          <p>
            {unread
              ? "You have read every message of this organisation."
              : "Ask a seller about a listing from its page, or message the other party from an order."}
          </p>
        </EmptyState>
      ) : (
        <ul class="thread-list">
          {items.map((thread) => (
            <ThreadItem facts={facts} thread={thread} />
          ))}
        </ul>
      )}
      <Pager
        nextHref={nextCursor ? `${base}${join}cursor=${encodeURIComponent(nextCursor)}` : null}
        firstHref={cursor ? base : null}
      />
    </>,
  );
});

function ThreadItem(props: { facts: PageFacts; thread: MessageThread }) {
  const { facts, thread } = props;
  const unread = thread.unreadCount ?? 0;
  const last = thread.lastMessage;
  return (
    <li class={unread > 0 ? "thread-item thread-unread" : "thread-item"}>
      <a class="thread-link" href={`/messages/${thread.id}`}>
        <span class="thread-top">
          <strong class="thread-party">{thread.otherParty.name}</strong>
          {unread > 0 && <span class="badge badge-info">{unread} unread</span>}
          {thread.lastMessageAt && (
            <time
              class="thread-time muted small"
              datetime={thread.lastMessageAt}
              title={facts.fmt.dateTime(thread.lastMessageAt)}
            >
              {facts.fmt.relative(thread.lastMessageAt, facts.now)}
            </time>
          )}
        </span>
        <span class="thread-subject muted small">{subjectLabel(thread)}</span>
        <span class="thread-preview">
          {last?.hidden ? <em class="muted">Hidden by a moderator</em> : (last?.preview ?? "")}
        </span>
      </a>
    </li>
  );
}

const threadIdParam = uuidParam("threadId");

messagePages.get("/messages/new", async (c) => {
  const subject = z
    .object({ subjectType: subjectTypes, subjectId: uuidParam("subjectId") })
    .safeParse({ subjectType: c.req.query("subjectType"), subjectId: c.req.query("subjectId") });
  if (!subject.success) throw new ApiError("not_found", "That order, listing or RFQ was not found.");
  const { subjectType, subjectId } = subject.data;
  // A conversation about it already: continue there.
  const result = await messagesRead(c, (orgId, principal) =>
    listThreads(serviceContext(c), principal, orgId, { subjectType, subjectId, limit: 1 }),
  );
  if (result instanceof Response) return result;
  const existing = result.data.body.items[0];
  if (existing) return c.redirect(`/messages/${existing.id}#reply`, 303);
  return renderNew(c, result, subjectType, subjectId);
});

function renderNew(
  c: WebContext,
  context: MessagesContext,
  subjectType: SubjectType,
  subjectId: string,
  problem?: { message: string; body: string; status: 400 | 403 | 404 | 409 | 422 | 429 },
) {
  const about =
    subjectType === "order"
      ? `order ${shortId(subjectId)}`
      : subjectType === "listing"
        ? "this listing"
        : "this RFQ";
  const back =
    subjectType === "order"
      ? `/orders/${subjectId}`
      : subjectType === "listing"
        ? `/listings/${subjectId}`
        : "/messages";
  return page(
    c,
    context.viewer,
    { title: "New message", noindex: true, status: problem?.status ?? 200 },
    <>
      <Breadcrumbs
        items={[
          ["Messages", "/messages"],
          ["New message", undefined],
        ]}
      />
      <PageHead title="New message" subtitle={`About ${about}, as ${context.org.orgName}`} />
      {problem && (
        <div class="alert alert-error" role="alert">
          {problem.message}
        </div>
      )}
      {canWrite(context.org) ? (
        <form method="post" action="/messages/new" class="form panel reply-form" data-once>
          <input type="hidden" name="subjectType" value={subjectType} />
          <input type="hidden" name="subjectId" value={subjectId} />
          <MessageField value={problem?.body} />
          <div class="actions">
            <button class="btn btn-primary" type="submit">
              Send
            </button>
            <a class="btn" href={back}>
              Cancel
            </a>
          </div>
        </form>
      ) : (
        <p class="alert">Your role ({context.org.role}) can read messages but not send them.</p>
      )}
    </>,
  );
}

function MessageField(props: { value?: string }) {
  return (
    <div class="field">
      <label for="message-body">Message</label>
      <textarea
        id="message-body"
        name="body"
        rows={5}
        maxlength={4000}
        required
        aria-describedby="message-hint"
      >
        {props.value ?? ""}
      </textarea>
      <span class="hint" id="message-hint">
        Plain text, up to 4,000 characters. Links are shown as text.
      </span>
    </div>
  );
}

/** The form's text as the API takes it: line breaks as the browser sent them become plain newlines. */
function formBody(form: URLSearchParams): string {
  return (form.get("body") ?? "").replace(/\r\n?/g, "\n");
}

messagePages.post("/messages/new", async (c) => {
  const form = await readForm(c);
  const subject = z
    .object({ subjectType: subjectTypes, subjectId: uuidParam("subjectId") })
    .safeParse({ subjectType: field(form, "subjectType"), subjectId: field(form, "subjectId") });
  if (!subject.success) throw new ApiError("not_found", "That order, listing or RFQ was not found.");
  const { subjectType, subjectId } = subject.data;
  const context = await messagesForPost(c);
  if (context instanceof Response) return context;
  const typed = formBody(form);
  const body = messageBody.safeParse(typed);
  if (!body.success)
    return renderNew(c, context, subjectType, subjectId, {
      message: "Write a message of 1 to 4,000 characters, without control characters.",
      body: typed,
      status: 422,
    });
  const done = await attempt(
    () =>
      startThread(serviceContext(c), context.principal, context.org.orgId, {
        subjectType,
        subjectId,
        body: body.data,
        attachmentIds: [],
      }),
    (p) =>
      renderNew(c, context, subjectType, subjectId, {
        message: p.message,
        body: typed,
        status: p.status as 400 | 403 | 404 | 409 | 422 | 429,
      }),
  );
  if (done instanceof Response) return done;
  return c.redirect(`/messages/${done.thread.id}?notice=message-sent#latest`, 303);
});

messagePages.get("/messages/:threadId", async (c) => {
  const threadId = threadIdParam.safeParse(c.req.param("threadId"));
  if (!threadId.success) throw new ApiError("not_found", "Conversation not found.");
  const before = c.req.query("before") || undefined;
  const result = await messagesRead(c, (orgId, principal) =>
    listMessages(serviceContext(c), principal, orgId, threadId.data, {
      cursor: before,
      limit: MESSAGES_PER_PAGE,
    }),
  );
  if (result instanceof Response) return result;
  const { thread, items } = result.data.body;
  // Opening the conversation reads what it shows: everything up to the newest message on the page.
  const newest = items[0];
  let viewer = result.viewer;
  if (!before && newest && (thread.unreadCount ?? 0) > 0) {
    await markThreadRead(serviceContext(c), result.principal, result.org.orgId, thread.id, newest.createdAt);
    viewer = afterReading(viewer, result.org.orgId, thread.unreadCount ?? 0);
  }
  return renderThread(c, { ...result, viewer }, result.data.body);
});

type ThreadData = Awaited<ReturnType<typeof listMessages>>["body"];

function renderThread(
  c: WebContext,
  context: MessagesContext,
  data: ThreadData,
  problem?: { message: string; body: string; status: 400 | 403 | 404 | 409 | 422 | 429 },
) {
  const facts = pageFacts(c);
  const { thread, items, nextCursor } = data;
  const href = subjectHref(thread, context.org.orgId);
  const oldestFirst = [...items].reverse();
  return page(
    c,
    context.viewer,
    { title: `${thread.otherParty.name} · Messages`, noindex: true, facts, status: problem?.status ?? 200 },
    <>
      <Breadcrumbs
        items={[
          ["Messages", "/messages"],
          [thread.otherParty.name, undefined],
        ]}
      />
      <PageHead
        title={thread.otherParty.name}
        subtitle={href ? <a href={href}>{subjectLabel(thread)}</a> : subjectLabel(thread)}
      />
      {nextCursor && (
        <p class="older-messages">
          <a href={`/messages/${thread.id}?before=${encodeURIComponent(nextCursor)}`}>Older messages</a>
        </p>
      )}
      <ol class="conversation" aria-label={`Messages with ${thread.otherParty.name}, oldest first`}>
        {oldestFirst.map((message, index) => (
          <MessageItem
            facts={facts}
            message={message}
            own={message.sender.org.id === context.org.orgId}
            latest={index === oldestFirst.length - 1}
          />
        ))}
      </ol>
      {problem && (
        <div class="alert alert-error" role="alert">
          {problem.message}
        </div>
      )}
      {canWrite(context.org) ? (
        <form
          method="post"
          action={`/messages/${thread.id}`}
          class="form panel reply-form"
          id="reply"
          data-once
        >
          <MessageField value={problem?.body} />
          <div class="actions">
            <button class="btn btn-primary" type="submit">
              Send
            </button>
          </div>
        </form>
      ) : (
        <p class="muted">Your role ({context.org.role}) can read this conversation but not reply.</p>
      )}
    </>,
  );
}

function MessageItem(props: { facts: PageFacts; message: Message; own: boolean; latest: boolean }) {
  const { facts, message, own } = props;
  return (
    <li class={own ? "msg msg-own" : "msg"} id={props.latest ? "latest" : undefined}>
      <p class="msg-meta small">
        <strong>{message.sender.userName ?? "API integration"}</strong>
        <span class="muted">
          {" "}
          · {message.sender.org.name} ·{" "}
          <time datetime={message.createdAt} title={facts.fmt.dateTime(message.createdAt)}>
            {facts.fmt.relative(message.createdAt, facts.now)}
          </time>
        </span>
      </p>
      {message.hidden ? (
        <p class="muted">
          <em>This message was hidden by a moderator.</em>
        </p>
      ) : (
        <p class="msg-body prewrap">{message.body}</p>
      )}
      {message.attachments.length > 0 && (
        <ul class="msg-files small">
          {message.attachments.map((file) => (
            <li>
              <a href={`/messages/${message.threadId}/files/${file.id}`}>{file.filename}</a>{" "}
              <span class="muted">({facts.fmt.number(Math.ceil(file.sizeBytes / 1024))} KB)</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

messagePages.post("/messages/:threadId", async (c) => {
  const threadId = threadIdParam.safeParse(c.req.param("threadId"));
  if (!threadId.success) throw new ApiError("not_found", "Conversation not found.");
  const form = await readForm(c);
  const context = await messagesForPost(c);
  if (context instanceof Response) return context;
  const typed = formBody(form);
  const again = async (message: string, status: 400 | 403 | 404 | 409 | 422 | 429) =>
    renderThread(
      c,
      context,
      (
        await listMessages(serviceContext(c), context.principal, context.org.orgId, threadId.data, {
          limit: MESSAGES_PER_PAGE,
        })
      ).body,
      { message, body: typed, status },
    );
  const body = messageBody.safeParse(typed);
  if (!body.success)
    return again("Write a message of 1 to 4,000 characters, without control characters.", 422);
  const done = await attempt(
    () =>
      postMessage(serviceContext(c), context.principal, context.org.orgId, threadId.data, {
        body: body.data,
        attachmentIds: [],
      }),
    (p) => {
      // Not a conversation of this organisation: the error page, as for reading it.
      if (p.status === 404) throw new ApiError("not_found", p.message);
      return again(p.message, p.status as 400 | 403 | 409 | 422 | 429);
    },
  );
  if (done instanceof Response) return done;
  return c.redirect(`/messages/${threadId.data}?notice=message-sent#latest`, 303);
});

/** A message's attachment: a redirect to a short-lived presigned GET from storage. */
messagePages.get("/messages/:threadId/files/:fileId", async (c) => {
  const ids = z
    .object({ threadId: threadIdParam, fileId: uuidParam("fileId") })
    .safeParse({ threadId: c.req.param("threadId"), fileId: c.req.param("fileId") });
  if (!ids.success) throw new ApiError("not_found", "Attachment not found.");
  const result = await messagesRead(c, (orgId, principal) =>
    attachmentUrl(serviceContext(c), c.var.config, principal, orgId, ids.data.threadId, ids.data.fileId),
  );
  if (result instanceof Response) return result;
  return c.redirect(result.data.url, 303);
});

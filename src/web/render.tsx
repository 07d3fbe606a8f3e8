/** Rendering pages and error pages; every page goes through page() so headers are the same everywhere. */
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { handleError } from "../http/problem.ts";
import { ApiError } from "../lib/problem.ts";
import type { PageFacts, Viewer, WebContext } from "./context.ts";
import { pageFacts, SignInRequired } from "./context.ts";
import { Layout, type LayoutProps } from "./layout.tsx";

export interface PageOptions extends Omit<LayoutProps, "facts" | "viewer" | "children"> {
  status?: ContentfulStatusCode;
  facts?: PageFacts;
}

/** A full HTML page. Private pages are never cached (middleware/no-store.ts also sees the session). */
export function page(c: WebContext, viewer: Viewer | null, options: PageOptions, body: Child) {
  const { status = 200, facts = pageFacts(c), ...layout } = options;
  return c.html(
    <Layout facts={facts} viewer={viewer} {...layout}>
      {body}
    </Layout>,
    status,
  );
}

const errorTitles: Record<number, [string, string]> = {
  400: ["That request did not work", "Something in the address or the form was not understood."],
  403: [
    "You do not have access",
    "Your account cannot open this page. Ask an owner of the organisation for access.",
  ],
  404: ["Page not found", "The page may have moved, or the link is wrong."],
  409: ["That changed meanwhile", "Someone else changed this first. Reload the page and try again."],
  413: ["Too large", "What you sent is larger than we accept."],
  429: ["Slow down", "Too many requests from here in a short time. Wait a minute and try again."],
  500: ["Something went wrong", "We could not finish that. Nothing was changed; please try again."],
  503: ["Busy right now", "The marketplace was busy with a conflicting change. Please try again."],
};

/** A friendly error page (the API keeps problem+json; these are for people). */
export function errorPage(c: WebContext, status: number, detail?: string) {
  const [title, fallback] = errorTitles[status] ?? errorTitles[status >= 500 ? 500 : 400] ?? ["Error", ""];
  return page(
    c,
    null,
    { title, status: status as ContentfulStatusCode, noindex: true },
    <div class="panel auth-card">
      <p class="muted small">Error {status}</p>
      <h1>{title}</h1>
      <p>{detail ?? fallback}</p>
      <p class="muted small">Reference: {c.var.requestId}</p>
      <div class="actions">
        <a class="btn btn-primary" href="/">
          Go to the catalogue
        </a>
        <a class="btn" href="/search">
          Search
        </a>
      </div>
    </div>,
  );
}

/** The web app's onError: sign-in redirects, ApiErrors as pages with their status, the rest logged as 500. */
export async function webError(error: Error, c: WebContext): Promise<Response> {
  if (error instanceof SignInRequired) {
    return c.redirect(`/signin?next=${encodeURIComponent(error.next)}`, 303);
  }
  if (error instanceof ApiError) {
    const response = await errorPage(c, error.status, error.detail);
    if (error.headers)
      for (const [name, value] of Object.entries(error.headers)) response.headers.set(name, value);
    return response;
  }
  // The API's own mapping decides the status and logs what must be logged (no secrets).
  const problem = handleError(error, c);
  return errorPage(c, problem.status);
}

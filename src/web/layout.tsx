/** The page shell: head (title, description, canonical, stylesheet), header with search and account, footer. */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { assetPath } from "./assets.ts";
import type { PageFacts, Viewer } from "./context.ts";
import { actsAs } from "./context.ts";

export const BRAND = "Tradeyard";

export interface LayoutProps {
  facts: PageFacts;
  viewer: Viewer | null;
  title: string;
  /** Public pages: meta description and canonical URL (absolute, from PUBLIC_URL). */
  description?: string;
  canonical?: string;
  /** Progressive-enhancement scripts by asset name (e.g. "stepper.js"); loaded deferred from 'self'. */
  scripts?: string[];
  /** JSON-LD for search engines (escaped so no string can end the element). */
  jsonLd?: unknown;
  /** The search box's current text. */
  query?: string;
  /** Private pages: never indexed. */
  noindex?: boolean;
  children: Child;
}

/** JSON for a <script type="application/ld+json"> data block: `<` escaped so nothing can close it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function NavLink(props: { href: string; path: string; children: Child }) {
  const current = props.path === props.href || props.path.startsWith(`${props.href}/`);
  return (
    <a href={props.href} aria-current={current ? "page" : undefined}>
      {props.children}
    </a>
  );
}

function AccountNav({ viewer, facts }: { viewer: Viewer | null; facts: PageFacts }) {
  if (!viewer) {
    return (
      <nav class="account-nav" aria-label="Account">
        <a href={`/signin?next=${encodeURIComponent(facts.path)}`}>Sign in</a>
        <a class="btn btn-small btn-primary" href="/signup">
          Create account
        </a>
      </nav>
    );
  }
  const { me, org } = viewer;
  const buying = org ? actsAs(org, "buyer") : false;
  const selling = org ? actsAs(org, "seller") : false;
  return (
    <nav class="account-nav" aria-label="Account">
      {buying && (
        <NavLink href="/cart" path={facts.path}>
          Cart
        </NavLink>
      )}
      {buying && (
        <NavLink href="/orders" path={facts.path}>
          Orders
        </NavLink>
      )}
      {buying && (
        <NavLink href="/rfqs" path={facts.path}>
          Quotes
        </NavLink>
      )}
      {org && (
        <NavLink href="/messages" path={facts.path}>
          Messages
          {org.unreadMessages > 0 && (
            <span class="nav-badge">
              <span class="visually-hidden">, </span>
              {org.unreadMessages}
              <span class="visually-hidden"> unread</span>
            </span>
          )}
        </NavLink>
      )}
      {selling && (
        <NavLink href="/seller" path={facts.path}>
          Selling
        </NavLink>
      )}
      {me.platformAdmin && (
        <NavLink href="/admin" path={facts.path}>
          Admin
        </NavLink>
      )}
      <details class="menu">
        <summary>
          <span class="menu-name">{me.name}</span>
          {org && <span class="menu-org">{org.orgName}</span>}
        </summary>
        <div class="menu-panel">
          {me.memberships.length > 1 && (
            <form method="post" action="/org/switch" class="switcher">
              <label for="org-switch">Acting for</label>
              <select id="org-switch" name="orgId">
                {me.memberships.slice(0, 50).map((m) => (
                  <option value={m.orgId} selected={m.orgId === org?.orgId}>
                    {m.orgName} ({m.orgKind === "both" ? "buyer & seller" : m.orgKind})
                  </option>
                ))}
              </select>
              <input type="hidden" name="next" value={facts.path} />
              <button class="btn btn-small" type="submit">
                Switch
              </button>
            </form>
          )}
          {org && <a href="/org">Organisation</a>}
          <a href="/org/new">New organisation</a>
          <a href="/account">Account and security</a>
          <form method="post" action="/signout">
            <button class="link-button" type="submit">
              Sign out
            </button>
          </form>
        </div>
      </details>
    </nav>
  );
}

/** Shown to a signed-in visitor whose address is not verified yet: what waits for it, and a new link. */
function VerifyBanner(props: { email: string; path: string }) {
  return (
    <div class="alert alert-warn verify-banner">
      <p>
        <strong>Verify your email address.</strong> We sent a link to {props.email}. Until you open it you can
        browse and fill your cart, but not place orders, accept quotes or invitations, or submit listings.
      </p>
      <form method="post" action="/verify-email/resend">
        <input type="hidden" name="next" value={props.path} />
        <button class="btn btn-small" type="submit">
          Send a new link
        </button>
      </form>
    </div>
  );
}

export function Layout(props: LayoutProps) {
  const { facts, viewer } = props;
  const title = props.title === BRAND ? BRAND : `${props.title} · ${BRAND}`;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          {props.description && <meta name="description" content={props.description} />}
          {props.canonical && <link rel="canonical" href={props.canonical} />}
          {props.noindex && <meta name="robots" content="noindex" />}
          <meta name="theme-color" content="#0f2540" />
          <link rel="stylesheet" href={assetPath("app.css")} />
          <link rel="icon" href={assetPath("favicon.svg")} type="image/svg+xml" />
          {props.scripts?.map((name) => (
            <script src={assetPath(name)} defer />
          ))}
          {props.jsonLd !== undefined && (
            <script
              type="application/ld+json"
              // biome-ignore lint/security/noDangerouslySetInnerHtml: JSON with `<` escaped (jsonForScript)
              dangerouslySetInnerHTML={{ __html: jsonForScript(props.jsonLd) }}
            />
          )}
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <div class="site-header-inner">
              <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">
                  T
                </span>
                <span class="brand-name">{BRAND}</span>
              </a>
              <search class="site-search">
                <form method="get" action="/search">
                  <label class="visually-hidden" for="site-q">
                    Search products or SKU
                  </label>
                  <input
                    id="site-q"
                    type="search"
                    name="q"
                    value={props.query ?? ""}
                    placeholder="Search products, SKU or part number"
                    maxlength={200}
                    autocomplete="off"
                  />
                  <button type="submit" class="btn btn-primary">
                    Search
                  </button>
                </form>
              </search>
              <AccountNav viewer={viewer} facts={facts} />
            </div>
          </header>
          <main id="main" tabindex={-1}>
            {facts.notice && (
              <div class="notice" role="status">
                {facts.notice}
              </div>
            )}
            {viewer && !viewer.me.emailVerified && <VerifyBanner email={viewer.me.email} path={facts.path} />}
            {props.children}
          </main>
          <footer class="site-footer">
            <div class="site-footer-inner">
              <span>
                © {new Date(facts.now).getUTCFullYear()} {BRAND} · B2B marketplace
              </span>
              <nav aria-label="Footer">
                <a href="/search">Catalogue</a>
                <a href="/docs">API</a>
              </nav>
              <span class="muted">Prices exclude VAT. Formats: {facts.fmt.locale}</span>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}

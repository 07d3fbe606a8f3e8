/** Sign in, sign up, sign out, and the organisation switcher: the same services and cookies as the API. */
import { Hono } from "hono";
import { z } from "zod";
import { limitPerIp } from "../../routes/auth/auth.handlers.ts";
import { clearSessionCookie, serviceContext, setSessionCookie, userAgent } from "../../routes/context.ts";
import { deviceInput, setDeviceCookie } from "../../routes/device-cookie.ts";
import { email, password, text } from "../../routes/schemas.ts";
import { login, logout, signup } from "../../services/identity/accounts.ts";
import { getMe } from "../../services/identity/me.ts";
import type { AppEnv } from "../../types.ts";
import { ErrorSummary, Field, type FieldErrors } from "../components.tsx";
import {
  assertSameSiteForm,
  forgetPreferredOrg,
  redirectWith,
  requireVisitor,
  safeNext,
  setPreferredOrg,
  visitor,
  type WebContext,
} from "../context.ts";
import { attempt, field, readForm, zodErrors } from "../forms.ts";
import { page } from "../render.tsx";

export const authPages = new Hono<AppEnv>();

const signupInput = z.strictObject({ email, password, name: text(1, 100) });
const loginInput = z.object({
  email: z.string().min(1, "Enter your email").max(320),
  password: z.string().min(1, "Enter your password").max(1024),
});

function SignInForm(props: { next: string; email?: string; message?: string; errors?: FieldErrors }) {
  return (
    <div class="panel auth-card">
      <h1>Sign in</h1>
      <p class="muted">Buy and sell for your organisation.</p>
      <ErrorSummary message={props.message} errors={props.errors} />
      <form method="post" action="/signin" class="form" data-once>
        <input type="hidden" name="next" value={props.next} />
        <Field
          name="email"
          label="Work email"
          type="email"
          autocomplete="username"
          required
          value={props.email}
          errors={props.errors}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          errors={props.errors}
        />
        <button class="btn btn-primary btn-large" type="submit">
          Sign in
        </button>
      </form>
      <p class="small">
        <a href="/forgot-password">Forgot password?</a>
      </p>
      <p class="small">
        New here? <a href={`/signup?next=${encodeURIComponent(props.next)}`}>Create an account</a>
      </p>
    </div>
  );
}

function SignUpForm(props: {
  next: string;
  values?: { email?: string; name?: string };
  message?: string;
  errors?: FieldErrors;
}) {
  return (
    <div class="panel auth-card">
      <h1>Create your account</h1>
      <p class="muted">
        We will email you a link to verify your address. Then create or join your company's organisation to
        buy or sell.
      </p>
      <ErrorSummary
        message={props.message}
        errors={props.errors}
        labels={{ name: "Full name", email: "Work email", password: "Password" }}
      />
      <form method="post" action="/signup" class="form" data-once>
        <input type="hidden" name="next" value={props.next} />
        <Field
          name="name"
          label="Full name"
          autocomplete="name"
          required
          maxlength={100}
          value={props.values?.name}
          errors={props.errors}
        />
        <Field
          name="email"
          label="Work email"
          type="email"
          autocomplete="email"
          required
          value={props.values?.email}
          errors={props.errors}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          required
          hint="At least 8 characters, 12 or more recommended; a passphrase of a few words works well."
          errors={props.errors}
        />
        <button class="btn btn-primary btn-large" type="submit">
          Create account
        </button>
      </form>
      <p class="small">
        Already registered? <a href={`/signin?next=${encodeURIComponent(props.next)}`}>Sign in</a>
      </p>
    </div>
  );
}

function nextOf(c: WebContext): string {
  return safeNext(c.req.query("next"));
}

authPages.get("/signin", async (c) => {
  const next = nextOf(c);
  if (await visitor(c)) return c.redirect(next, 303);
  return page(c, null, { title: "Sign in", noindex: true }, <SignInForm next={next} />);
});

authPages.post("/signin", async (c) => {
  assertSameSiteForm(c);
  const form = await readForm(c);
  const next = safeNext(field(form, "next"));
  const shown = (message: string, errors: FieldErrors, status: 401 | 422 | 429 | 403 | 400) =>
    page(
      c,
      null,
      { title: "Sign in", status, noindex: true },
      <SignInForm next={next} email={field(form, "email")} message={message} errors={errors} />,
    );
  const parsed = loginInput.safeParse({ email: field(form, "email"), password: form.get("password") ?? "" });
  if (!parsed.success) return shown("Enter your email and password.", zodErrors(parsed.error), 422);
  const result = await attempt(
    async () => {
      await limitPerIp(c, "login");
      return login(serviceContext(c), { ...parsed.data, userAgent: userAgent(c), device: deviceInput(c) });
    },
    ({ message, status }) => shown(message, {}, status === 429 ? 429 : status === 403 ? 403 : 401),
    { unauthorizedIsProblem: true },
  );
  if (result instanceof Response) return result;
  setSessionCookie(c, result.session);
  setDeviceCookie(c, result.device);
  return redirectWith(c, next, "signed-in");
});

authPages.get("/signup", async (c) => {
  // Without a page to return to, a new account goes on to create (or learn how to join) an organisation.
  const next = c.req.query("next") ? nextOf(c) : "/org/new";
  if (await visitor(c)) return c.redirect(next, 303);
  return page(c, null, { title: "Create an account", noindex: true }, <SignUpForm next={next} />);
});

authPages.post("/signup", async (c) => {
  assertSameSiteForm(c);
  const form = await readForm(c);
  const next = safeNext(field(form, "next") || "/org/new");
  const values = { email: field(form, "email"), name: field(form, "name") };
  const shown = (message: string | undefined, errors: FieldErrors, status: 422 | 429 | 400 | 403) =>
    page(
      c,
      null,
      { title: "Create an account", status, noindex: true },
      <SignUpForm next={next} values={values} message={message} errors={errors} />,
    );
  const parsed = signupInput.safeParse({ ...values, password: form.get("password") ?? "" });
  if (!parsed.success) return shown(undefined, zodErrors(parsed.error), 422);
  const result = await attempt(
    async () => {
      await limitPerIp(c, "signup");
      // The emailed link brings the person back to where they were going (an invitation, say).
      await signup(serviceContext(c), { ...parsed.data, publicUrl: c.var.config.PUBLIC_URL, next });
    },
    ({ message, errors, status }) =>
      shown(message, errors, status === 429 ? 429 : status === 403 ? 403 : 422),
  );
  if (result instanceof Response) return result;
  // The same page whether the address was new or taken (its owner was emailed instead).
  return c.redirect("/signup/check-inbox", 303);
});

authPages.post("/signout", async (c) => {
  const principal = await visitor(c);
  if (principal) await logout(serviceContext(c), principal);
  clearSessionCookie(c);
  forgetPreferredOrg(c);
  return redirectWith(c, "/", "signed-out");
});

/**
 * Links in emails (`/org/open?org=…&next=…`): act for the organisation the email is about, when the
 * visitor belongs to it, then go on to the page. A person in several organisations lands on the right one;
 * anyone else just goes on (the page itself decides what they may see). Changes nothing but that choice.
 */
authPages.get("/org/open", async (c) => {
  const principal = await requireVisitor(c);
  const orgId = c.req.query("org") ?? "";
  const me = await getMe(serviceContext(c), principal);
  if (me.memberships.some((m) => m.orgId === orgId)) setPreferredOrg(c, orgId);
  c.header("Cache-Control", "no-store");
  return c.redirect(safeNext(c.req.query("next")), 303);
});

/** The account switcher: remembers the organisation to act for (only one the visitor belongs to). */
authPages.post("/org/switch", async (c) => {
  const principal = await requireVisitor(c);
  const form = await readForm(c);
  const orgId = field(form, "orgId");
  const me = await getMe(serviceContext(c), principal);
  if (me.memberships.some((m) => m.orgId === orgId)) setPreferredOrg(c, orgId);
  return redirectWith(c, safeNext(field(form, "next")), "org-switched");
});

/**
 * Forgotten passwords: ask for a link (the answer never says whether the address has an account), then
 * set a new password on the page the link opens. The same services, limits and rules as the API.
 */
import { Hono } from "hono";
import { z } from "zod";
import { limitPerIp } from "../../routes/auth/auth.handlers.ts";
import { serviceContext } from "../../routes/context.ts";
import { email, password } from "../../routes/schemas.ts";
import {
  previewToken,
  RESET_TOKEN_MINUTES,
  type TokenPreview,
} from "../../services/identity/account-tokens.ts";
import { requestPasswordReset, resetPassword } from "../../services/identity/password-reset.ts";
import type { AppEnv } from "../../types.ts";
import { ErrorSummary, Field, type FieldErrors } from "../components.tsx";
import { assertSameSiteForm, redirectWith, type WebContext } from "../context.ts";
import { attempt, field, readForm, zodErrors } from "../forms.ts";
import { page } from "../render.tsx";

export const passwordResetPages = new Hono<AppEnv>();

/** Tokens are 43 base64url characters; anything else is no link of ours (and is never looked up). */
export const TOKEN = /^[\w-]{43}$/;

function ForgotForm(props: { email?: string; message?: string; errors?: FieldErrors }) {
  return (
    <div class="panel auth-card">
      <h1>Reset your password</h1>
      <p class="muted">
        Enter the email address you sign in with. We will email you a link to choose a new password.
      </p>
      <ErrorSummary message={props.message} errors={props.errors} labels={{ email: "Work email" }} />
      <form method="post" action="/forgot-password" class="form" data-once>
        <Field
          name="email"
          label="Work email"
          type="email"
          autocomplete="username"
          required
          value={props.email}
          errors={props.errors}
        />
        <button class="btn btn-primary btn-large" type="submit">
          Email me a link
        </button>
      </form>
      <p class="small">
        Remembered it? <a href="/signin">Sign in</a>
      </p>
    </div>
  );
}

passwordResetPages.get("/forgot-password", (c) =>
  page(c, null, { title: "Reset your password", noindex: true }, <ForgotForm />),
);

passwordResetPages.post("/forgot-password", async (c) => {
  assertSameSiteForm(c);
  const form = await readForm(c);
  const typed = field(form, "email");
  const shown = (message: string | undefined, errors: FieldErrors, status: 422 | 429) =>
    page(
      c,
      null,
      { title: "Reset your password", status, noindex: true },
      <ForgotForm email={typed} message={message} errors={errors} />,
    );
  const parsed = z.object({ email }).safeParse({ email: typed });
  if (!parsed.success) return shown(undefined, { email: "Enter your email address" }, 422);
  const done = await attempt(
    async () => {
      await limitPerIp(c, "password-reset");
      await requestPasswordReset(serviceContext(c), {
        email: parsed.data.email,
        publicUrl: c.var.config.PUBLIC_URL,
      });
    },
    ({ message }) => shown(message, {}, 429),
  );
  if (done instanceof Response) return done;
  return c.redirect("/forgot-password/sent", 303);
});

passwordResetPages.get("/forgot-password/sent", (c) =>
  page(
    c,
    null,
    { title: "Check your inbox", noindex: true },
    <div class="panel auth-card">
      <h1>Check your inbox</h1>
      <p>
        If an account uses that address, we have emailed it a link to choose a new password. The link works
        once, for {RESET_TOKEN_MINUTES} minutes.
      </p>
      <p class="muted small">
        Nothing arrived after a few minutes? Check your spam folder, or make sure you typed the address you
        signed up with.
      </p>
      <div class="actions">
        <a class="btn btn-primary" href="/signin">
          Back to sign in
        </a>
        <a class="btn" href="/forgot-password">
          Try another address
        </a>
      </div>
    </div>,
  ),
);

const UNUSABLE: Record<Exclude<TokenPreview["state"], "ok">, [string, string]> = {
  missing: ["This link does not work", "The link is incomplete or not one of ours. Ask for a new one."],
  used: ["This link has been used", "Each reset link works once. Ask for a new one if you need it."],
  expired: [
    "This link has expired",
    `Reset links work for ${RESET_TOKEN_MINUTES} minutes. Ask for a new one.`,
  ],
};

function Unusable(props: { state: Exclude<TokenPreview["state"], "ok"> }) {
  const [title, text] = UNUSABLE[props.state];
  return (
    <div class="panel auth-card">
      <h1>{title}</h1>
      <p>{text}</p>
      <div class="actions">
        <a class="btn btn-primary" href="/forgot-password">
          Ask for a new link
        </a>
        <a class="btn" href="/signin">
          Sign in
        </a>
      </div>
    </div>
  );
}

function ResetForm(props: { token: string; email: string | null; message?: string; errors?: FieldErrors }) {
  return (
    <div class="panel auth-card">
      <h1>Choose a new password</h1>
      {props.email && (
        <p class="muted">For {props.email}. Every session of the account will be signed out.</p>
      )}
      <ErrorSummary
        message={props.message}
        errors={props.errors}
        labels={{ password: "New password", passwordConfirm: "New password again" }}
      />
      <form method="post" action="/reset-password" class="form" data-once>
        <input type="hidden" name="token" value={props.token} />
        <Field
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          required
          hint="At least 8 characters; a passphrase of a few words works well."
          errors={props.errors}
        />
        <Field
          name="passwordConfirm"
          label="New password again"
          type="password"
          autocomplete="new-password"
          required
          errors={props.errors}
        />
        <button class="btn btn-primary btn-large" type="submit">
          Set new password
        </button>
      </form>
    </div>
  );
}

async function previewOf(c: WebContext, token: string): Promise<TokenPreview> {
  if (!TOKEN.test(token)) return { state: "missing", email: null };
  return previewToken(c.var.db, "password_reset", token, c.var.now());
}

passwordResetPages.get("/reset-password", async (c) => {
  const token = c.req.query("token") ?? "";
  // Looking never uses the link (mail scanners open links too): only the form's POST does.
  const preview = await previewOf(c, token);
  if (preview.state !== "ok") {
    return page(
      c,
      null,
      { title: "Reset your password", status: preview.state === "missing" ? 404 : 410, noindex: true },
      <Unusable state={preview.state} />,
    );
  }
  return page(
    c,
    null,
    { title: "Choose a new password", noindex: true },
    <ResetForm token={token} email={preview.email} />,
  );
});

passwordResetPages.post("/reset-password", async (c) => {
  assertSameSiteForm(c);
  const form = await readForm(c);
  const token = field(form, "token");
  const shown = (message: string | undefined, errors: FieldErrors, status: 400 | 422 | 429) =>
    page(
      c,
      null,
      { title: "Choose a new password", status, noindex: true },
      <ResetForm token={token} email={null} message={message} errors={errors} />,
    );
  if (!TOKEN.test(token)) {
    return page(
      c,
      null,
      { title: "Reset your password", status: 400, noindex: true },
      <Unusable state="missing" />,
    );
  }
  const parsed = z.object({ password }).safeParse({ password: form.get("password") ?? "" });
  if (!parsed.success) return shown(undefined, zodErrors(parsed.error), 422);
  if (parsed.data.password !== (form.get("passwordConfirm") ?? "")) {
    return shown(undefined, { passwordConfirm: "does not match the new password" }, 422);
  }
  const done = await attempt(
    async () => {
      await limitPerIp(c, "password-reset-confirm");
      await resetPassword(serviceContext(c), { token, password: parsed.data.password });
    },
    ({ message, errors, status }) => {
      if (status === 410 || (status === 400 && Object.keys(errors).length === 0)) {
        const state = status === 400 ? "missing" : /expired/.test(message) ? "expired" : "used";
        return page(
          c,
          null,
          { title: "Reset your password", status, noindex: true },
          <Unusable state={state} />,
        );
      }
      return shown(message, errors, status === 429 ? 429 : 422);
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, "/signin", "password-reset");
});

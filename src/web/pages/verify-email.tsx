/**
 * Email verification pages: "check your inbox" after sign-up, the page the emailed link opens (looking
 * never uses the link: mail scanners open links; its confirm button, with the account's password,
 * verifies and signs in), and the "send a new link" button of the banner unverified visitors see.
 */
import { Hono } from "hono";
import { limitPerIp } from "../../routes/auth/auth.handlers.ts";
import { serviceContext, setSessionCookie, userAgent } from "../../routes/context.ts";
import { deviceInput, setDeviceCookie } from "../../routes/device-cookie.ts";
import { password as passwordInput } from "../../routes/schemas.ts";
import {
  previewToken,
  type TokenPreview,
  VERIFICATION_TOKEN_HOURS,
} from "../../services/identity/account-tokens.ts";
import { resendVerification, verifyEmail } from "../../services/identity/email-verification.ts";
import type { AppEnv } from "../../types.ts";
import { ErrorSummary, Field, type FieldErrors } from "../components.tsx";
import {
  assertSameSiteForm,
  type Notice,
  redirectWith,
  requireVisitor,
  safeNext,
  type WebContext,
} from "../context.ts";
import { attempt, field, readForm } from "../forms.ts";
import { errorPage, page } from "../render.tsx";
import { TOKEN } from "./password-reset.tsx";

export const verifyEmailPages = new Hono<AppEnv>();

verifyEmailPages.get("/signup/check-inbox", (c) =>
  page(
    c,
    null,
    { title: "Check your inbox", noindex: true },
    <div class="panel auth-card">
      <h1>Check your inbox</h1>
      <p>
        We have emailed the address you entered a link to verify it. Open it within {VERIFICATION_TOKEN_HOURS}{" "}
        hours to finish signing up: it signs you in.
      </p>
      <p class="muted small">
        If that address already has an account, we have emailed its owner instead, with links to sign in or to
        reset the password. Nothing arrived after a few minutes? Check your spam folder.
      </p>
      <div class="actions">
        <a class="btn" href="/signin">
          Sign in
        </a>
        <a class="btn" href="/forgot-password">
          Forgot password?
        </a>
      </div>
    </div>,
  ),
);

const UNUSABLE: Record<Exclude<TokenPreview["state"], "ok">, [string, string]> = {
  missing: ["This link does not work", "The link is incomplete or not one of ours."],
  used: [
    "This link has been used",
    "Your address is probably verified already: sign in to continue. If it is not, sign in and ask for a new link.",
  ],
  expired: [
    "This link has expired",
    `Verification links work for ${VERIFICATION_TOKEN_HOURS} hours. Sign in and ask for a new one.`,
  ],
};

function Unusable(props: { state: Exclude<TokenPreview["state"], "ok"> }) {
  const [title, text] = UNUSABLE[props.state];
  return (
    <div class="panel auth-card">
      <h1>{title}</h1>
      <p>{text}</p>
      <div class="actions">
        <a class="btn btn-primary" href="/signin">
          Sign in
        </a>
      </div>
    </div>
  );
}

function unusablePage(c: WebContext, state: Exclude<TokenPreview["state"], "ok">, status: 400 | 404 | 410) {
  return page(
    c,
    null,
    { title: "Verify your email address", status, noindex: true },
    <Unusable state={state} />,
  );
}

/**
 * The confirm form. The link proves the inbox, not who chose the password (anyone may sign up with any
 * address), so confirming takes the account's password; whoever does not know it resets it instead, which
 * also verifies the address and signs every session out (someone else's who signed up with it included).
 */
function ConfirmForm(props: {
  token: string;
  next: string;
  email: string;
  message?: string;
  errors?: FieldErrors;
}) {
  return (
    <div class="panel auth-card">
      <h1>Verify your email address</h1>
      <p>
        Confirm that <strong>{props.email}</strong> is yours with the password chosen at sign-up. You will be
        signed in to its account.
      </p>
      <ErrorSummary message={props.message} errors={props.errors} labels={{ password: "Password" }} />
      <form method="post" action="/verify-email" class="form" data-once>
        <input type="hidden" name="token" value={props.token} />
        <input type="hidden" name="next" value={props.next} />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          errors={props.errors}
        />
        <button class="btn btn-primary btn-large" type="submit">
          Confirm and sign in
        </button>
      </form>
      <p class="small">
        <a href="/forgot-password">Forgot your password? Reset it instead</a>: that verifies the address too.
      </p>
      <p class="muted small">
        Did not sign up? Someone may have used your address: reset the password to take the account over, or
        close this page (nothing happens without the button).
      </p>
    </div>
  );
}

async function preview(c: WebContext, token: string): Promise<TokenPreview> {
  return TOKEN.test(token)
    ? previewToken(c.var.db, "email_verification", token, c.var.now())
    : { state: "missing", email: null };
}

verifyEmailPages.get("/verify-email", async (c) => {
  const token = c.req.query("token") ?? "";
  const next = safeNext(c.req.query("next"));
  const found = await preview(c, token);
  if (found.state !== "ok") return unusablePage(c, found.state, found.state === "missing" ? 404 : 410);
  return page(
    c,
    null,
    { title: "Verify your email address", noindex: true },
    <ConfirmForm token={token} next={next} email={found.email ?? ""} />,
  );
});

verifyEmailPages.post("/verify-email", async (c) => {
  // It signs in: no other site may post it (login CSRF).
  assertSameSiteForm(c);
  const form = await readForm(c);
  const token = field(form, "token");
  const next = safeNext(field(form, "next"));
  if (!TOKEN.test(token)) return unusablePage(c, "missing", 400);
  // Shown again after a wrong password or a wait (the link is still unused: its address is read again).
  const again = async (message: string, errors: FieldErrors, status: 401 | 422 | 429) => {
    const found = await preview(c, token);
    if (found.state !== "ok") return unusablePage(c, found.state, found.state === "missing" ? 400 : 410);
    return page(
      c,
      null,
      { title: "Verify your email address", status, noindex: true },
      <ConfirmForm token={token} next={next} email={found.email ?? ""} message={message} errors={errors} />,
    );
  };
  const typed = passwordInput.safeParse(form.get("password") ?? "");
  if (!typed.success) return again("Enter your password.", { password: "Enter your password" }, 422);
  const password = typed.data;
  const verified = await attempt(
    async () => {
      await limitPerIp(c, "verify-email");
      return verifyEmail(serviceContext(c), {
        token,
        password,
        userAgent: userAgent(c),
        device: deviceInput(c),
      });
    },
    ({ message, status }) => {
      if (status === 401 || status === 429) return again(message, {}, status);
      return status === 410
        ? unusablePage(c, /expired/.test(message) ? "expired" : "used", 410)
        : unusablePage(c, "missing", 400);
    },
    { unauthorizedIsProblem: true },
  );
  if (verified instanceof Response) return verified;
  setSessionCookie(c, verified.session);
  setDeviceCookie(c, verified.device);
  return redirectWith(c, next, "email-verified");
});

/** The banner's button: a new link for the signed-in visitor, then back where they were. */
verifyEmailPages.post("/verify-email/resend", async (c) => {
  const principal = await requireVisitor(c);
  const next = safeNext(field(await readForm(c), "next"));
  const sent = await attempt(
    () => resendVerification(serviceContext(c), principal, { publicUrl: c.var.config.PUBLIC_URL }),
    ({ status, message }) => {
      if (status !== 409 && status !== 429) return errorPage(c, status, message);
      const notice: Notice = status === 409 ? "email-already-verified" : "verification-throttled";
      return redirectWith(c, next, notice);
    },
  );
  if (sent instanceof Response) return sent;
  return redirectWith(c, next, "verification-sent");
});

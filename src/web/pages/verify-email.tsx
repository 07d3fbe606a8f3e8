/**
 * Email verification pages: "check your inbox" after sign-up, the page the emailed link opens (looking
 * never uses the link: mail scanners open links; its confirm button verifies and signs in), and the
 * "send a new link" button of the banner unverified visitors see.
 */
import { Hono } from "hono";
import { serviceContext, setSessionCookie, userAgent } from "../../routes/context.ts";
import { setDeviceCookie } from "../../routes/device-cookie.ts";
import {
  previewToken,
  type TokenPreview,
  VERIFICATION_TOKEN_HOURS,
} from "../../services/identity/account-tokens.ts";
import { resendVerification, verifyEmail } from "../../services/identity/email-verification.ts";
import type { AppEnv } from "../../types.ts";
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

verifyEmailPages.get("/verify-email", async (c) => {
  const token = c.req.query("token") ?? "";
  const next = safeNext(c.req.query("next"));
  const preview = TOKEN.test(token)
    ? await previewToken(c.var.db, "email_verification", token, c.var.now())
    : ({ state: "missing", email: null } as const);
  if (preview.state !== "ok") return unusablePage(c, preview.state, preview.state === "missing" ? 404 : 410);
  return page(
    c,
    null,
    { title: "Verify your email address", noindex: true },
    <div class="panel auth-card">
      <h1>Verify your email address</h1>
      <p>
        Confirm that <strong>{preview.email}</strong> is yours. You will be signed in to its account.
      </p>
      <form method="post" action="/verify-email" class="form" data-once>
        <input type="hidden" name="token" value={token} />
        <input type="hidden" name="next" value={next} />
        <button class="btn btn-primary btn-large" type="submit">
          Confirm and sign in
        </button>
      </form>
      <p class="muted small">Did not sign up? Close this page: nothing happens without the button.</p>
    </div>,
  );
});

verifyEmailPages.post("/verify-email", async (c) => {
  // It signs in: no other site may post it (login CSRF).
  assertSameSiteForm(c);
  const form = await readForm(c);
  const token = field(form, "token");
  if (!TOKEN.test(token)) return unusablePage(c, "missing", 400);
  const verified = await attempt(
    () =>
      verifyEmail(serviceContext(c), {
        token,
        userAgent: userAgent(c),
        deviceSecret: c.var.config.DEVICE_COOKIE_SECRET,
      }),
    ({ message, status }) =>
      status === 410
        ? unusablePage(c, /expired/.test(message) ? "expired" : "used", 410)
        : unusablePage(c, "missing", 400),
  );
  if (verified instanceof Response) return verified;
  setSessionCookie(c, verified.session);
  setDeviceCookie(c, verified.device);
  return redirectWith(c, safeNext(field(form, "next")), "email-verified");
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

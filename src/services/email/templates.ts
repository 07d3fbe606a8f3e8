/**
 * The email templates: an outbox row's template and data (src/contracts/emails.ts) rendered to subject,
 * plain text and HTML when it is sent. Each template returns plain strings only (a `Content`); one layout
 * turns them into both parts, escaping every value for HTML and linking only http(s) URLs, so no template
 * can forget an escape or place user-supplied markup. The copy is English; amounts and dates follow the
 * locale (amounts in ISO 4217 code form, dates in UTC with the zone named).
 */
import { z } from "zod";
import {
  type EmailData,
  type EmailTemplate,
  emailCatalogue,
  type RenderedEmail,
} from "../../contracts/emails.ts";

/** The marketplace's name (the web app's BRAND in src/web/layout.tsx). */
const MARKETPLACE = "Tradeyard";
const MAX_FACT_LENGTH = 300;

/** A paragraph, optionally followed by a URL on its own line (a link only when `linked` and http(s)). */
interface Paragraph {
  text: string;
  url?: string;
  linked?: boolean;
}

/** What a template says; the layout makes the text and HTML parts from it. */
interface Content {
  subject: string;
  heading: string;
  intro: (string | Paragraph)[];
  /** The key facts, as label and value rows. */
  facts?: [label: string, value: string][];
  /** The main link: a button, with the raw URL below it. */
  action?: { label: string; url: string };
  /** Paragraphs after the button: expiry, what to do if this was not you. */
  notes?: (string | Paragraph)[];
  /** The footer: why the recipient gets this email. */
  reason: string;
}

interface Formats {
  money(amountMinor: number, currency: string): string;
  date(iso: string): string;
  dateTime(iso: string): string;
}

type Template<T extends EmailTemplate> = (data: EmailData<T>, format: Formats) => Content;

/** The id form the web app shows (`#1A2B3C4D`). */
const ref = (id: string) => `#${id.slice(0, 8).toUpperCase()}`;
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const words = (value: string) => value.replaceAll("_", " ");

/** What the buyer reads per new order status (src/services/orders/machine.ts); others get a generic line. */
const orderStatusSentences = new Map<string, (order: string, seller: string) => string>([
  ["accepted", (order, seller) => `${seller} accepted your order ${order}.`],
  ["rejected", (order, seller) => `${seller} rejected your order ${order}.`],
  ["shipped", (order, seller) => `${seller} shipped your order ${order}.`],
  ["delivered", (order, seller) => `Your order ${order} from ${seller} was marked delivered.`],
  ["completed", (order, seller) => `Your order ${order} from ${seller} is complete.`],
  ["cancelled", (order, seller) => `Your order ${order} from ${seller} was cancelled.`],
  ["expired", (order, seller) => `Your order ${order} from ${seller} expired before it was accepted.`],
  ["placed", (order, seller) => `Your order ${order} was approved and sent to ${seller}.`],
  ["declined", (order, seller) => `Your order ${order} from ${seller} was declined by an approver.`],
]);

const templates: { [T in EmailTemplate]: Template<T> } = {
  invitation: (d, f) => ({
    subject: `${d.inviterName} invited you to join ${d.orgName} on ${MARKETPLACE}`,
    heading: `Join ${d.orgName} on ${MARKETPLACE}`,
    intro: [`${d.inviterName} invited you to join ${d.orgName} with the ${words(d.role)} role.`],
    facts: [
      ["Organisation", d.orgName],
      ["Invited by", d.inviterName],
      ["Role", words(d.role)],
      ["Expires", f.dateTime(d.expiresAt)],
    ],
    action: { label: "Accept invitation", url: d.acceptUrl },
    notes: [
      "If you did not expect this invitation, ignore this email: nothing changes unless you accept it.",
      { text: "API clients accept with a POST to:", url: d.apiAcceptUrl },
    ],
    reason: `You received this email because ${d.inviterName} invited this address to ${d.orgName} on ${MARKETPLACE}.`,
  }),

  order_placed: (d, f) => {
    const total = f.money(d.amountMinor, d.currency);
    return {
      subject: `New order from ${d.buyerName} — ${total}`,
      heading: `New order from ${d.buyerName}`,
      intro: [
        `${d.buyerName} placed order ${ref(d.orderId)} with ${d.sellerName}: ${count(d.lineCount, "line")}, ${total}. Please accept or reject it.`,
      ],
      facts: [
        ["Order", ref(d.orderId)],
        ["Buyer", d.buyerName],
        ["Total", total],
        ["Lines", String(d.lineCount)],
      ],
      action: { label: "Review the order", url: d.url },
      reason: `You received this email because you handle orders for ${d.sellerName} on ${MARKETPLACE}.`,
    };
  },

  order_status: (d) => {
    const sentence = orderStatusSentences.get(d.status);
    return {
      subject: `Order ${ref(d.orderId)} ${words(d.status)} — ${d.sellerName}`,
      heading: `Order ${ref(d.orderId)}: ${words(d.status)}`,
      intro: [
        sentence
          ? sentence(ref(d.orderId), d.sellerName)
          : `Your order ${ref(d.orderId)} from ${d.sellerName} is now ${words(d.status)}.`,
      ],
      facts: [
        ["Order", ref(d.orderId)],
        ["Seller", d.sellerName],
        ["Status", words(d.status)],
      ],
      action: { label: "View the order", url: d.url },
      reason: `You received this email because you placed this order on ${MARKETPLACE}.`,
    };
  },

  approval_needed: (d, f) => {
    const total = f.money(d.amountMinor, d.currency);
    return {
      subject: `Approval needed: ${d.purchaserName}'s order for ${total}`,
      heading: "A purchase waits for your approval",
      intro: [
        `${d.purchaserName} checked out ${total} for ${d.orgName}, above their spending limit. The purchase goes ahead only once an approver approves it.`,
        ...(d.holdUntil
          ? [
              `The stock is held until ${f.dateTime(d.holdUntil)}; without a decision by then the purchase expires.`,
            ]
          : []),
      ],
      facts: [
        ["Purchaser", d.purchaserName],
        ["Organisation", d.orgName],
        ["Total", total],
        ...(d.holdUntil ? [["Decide by", f.dateTime(d.holdUntil)] as [string, string]] : []),
      ],
      action: { label: "Review and decide", url: d.url },
      reason: `You received this email because you approve purchases for ${d.orgName} on ${MARKETPLACE}.`,
    };
  },

  invoice_due: (d, f) => {
    const amount = f.money(d.amountMinor, d.currency);
    return {
      subject: `Invoice ${ref(d.invoiceId)} from ${d.sellerName} due ${f.date(d.dueAt)} — ${amount}`,
      heading: `Invoice from ${d.sellerName} due soon`,
      intro: [
        `Invoice ${ref(d.invoiceId)} from ${d.sellerName} to ${d.buyerName} for ${amount} is unpaid and falls due on ${f.dateTime(d.dueAt)}.`,
      ],
      facts: [
        ["Invoice", ref(d.invoiceId)],
        ["Seller", d.sellerName],
        ["Amount", amount],
        ["Due", f.dateTime(d.dueAt)],
      ],
      action: { label: "View the invoice", url: d.url },
      notes: [
        "If you have already paid it, ignore this reminder: the seller marks it paid when the payment arrives.",
      ],
      reason: `You received this email because you are an owner or admin of ${d.buyerName} on ${MARKETPLACE}.`,
    };
  },

  password_reset: (d) => ({
    subject: `Reset your ${MARKETPLACE} password`,
    heading: "Reset your password",
    intro: [
      `Hello ${d.name},`,
      `We received a request to reset the password of your ${MARKETPLACE} account.`,
    ],
    action: { label: "Choose a new password", url: d.resetUrl },
    notes: [
      `The link works once and expires in ${count(d.expiresMinutes, "minute")}.`,
      "If you did not ask for this, ignore this email: your password stays as it is. If these emails keep coming, someone may be trying to get into your account.",
    ],
    reason: `You received this email because a password reset was requested for this address on ${MARKETPLACE}.`,
  }),

  email_verification: (d) => ({
    subject: `Confirm your email address for ${MARKETPLACE}`,
    heading: "Confirm your email address",
    intro: [
      `Hello ${d.name},`,
      `Confirm that this address is yours so you can use it with your ${MARKETPLACE} account.`,
    ],
    action: { label: "Confirm email address", url: d.verifyUrl },
    notes: [
      `The link expires in ${count(d.expiresHours, "hour")}.`,
      `If you did not create a ${MARKETPLACE} account or change your address, ignore this email: the address stays unconfirmed.`,
    ],
    reason: `You received this email because this address was entered for a ${MARKETPLACE} account.`,
  }),

  account_exists: (d) => ({
    subject: `You already have a ${MARKETPLACE} account`,
    heading: "You already have an account",
    intro: [
      `Hello ${d.name},`,
      `Someone tried to sign up for ${MARKETPLACE} with this address, which already has an account. If it was you, sign in instead.`,
    ],
    action: { label: "Sign in", url: d.signInUrl },
    notes: [
      { text: "Forgot your password? Reset it here:", url: d.resetUrl, linked: true },
      "If it was not you, ignore this email: no account was created, nothing changed, and the sign-up page did not reveal that this address has an account.",
    ],
    reason: `You received this email because someone tried to sign up on ${MARKETPLACE} with this address.`,
  }),

  webhook_disabled: (d, f) => ({
    subject: `Webhook endpoint disabled for ${d.orgName}`,
    heading: "A webhook endpoint was disabled",
    intro: [
      `We disabled a webhook endpoint of ${d.orgName} because its deliveries ${d.failingSince ? `had been failing since ${f.dateTime(d.failingSince)}` : "kept failing"}. It receives no events until it is enabled again.`,
    ],
    facts: [
      ["Endpoint", d.endpointUrl],
      ...(d.failingSince ? [["Failing since", f.dateTime(d.failingSince)] as [string, string]] : []),
      ...(d.lastError ? [["Last error", d.lastError] as [string, string]] : []),
    ],
    action: { label: "Review the endpoint", url: d.url },
    notes: ["Fix the endpoint, then enable it again in your organisation's webhook settings."],
    reason: `You received this email because you are an owner of ${d.orgName} on ${MARKETPLACE}.`,
  }),
};

/**
 * Renders an outbox row. Throws when the template is unknown or the data does not match its catalogue
 * schema (the message names the fields, never their values: the data may hold secret links).
 *
 * @example renderEmail("password_reset", { name: "Ana", resetUrl, expiresMinutes: 30 }).subject
 *   // "Reset your Tradeyard password"
 */
export function renderEmail<T extends EmailTemplate>(
  template: T,
  data: EmailData<T>,
  options: { locale?: string } = {},
): RenderedEmail {
  if (!Object.hasOwn(emailCatalogue, template)) throw new Error(`Unknown email template "${template}"`);
  const parsed = emailCatalogue[template].safeParse(data);
  if (!parsed.success) {
    throw new Error(`Invalid data for email template "${template}":\n${z.prettifyError(parsed.error)}`);
  }
  const render = templates[template] as Template<T>;
  return layout(render(parsed.data as EmailData<T>, formats(options.locale)));
}

function formats(requested = "en"): Formats {
  const locale = resolveLocale(requested);
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
  const dateTime = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  });
  return {
    money(amountMinor, currency) {
      if (!/^[A-Za-z]{3}$/.test(currency)) throw new Error("Invalid currency code in email data");
      const format = new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "code" });
      return format.format(minorToDecimal(amountMinor, format.resolvedOptions().maximumFractionDigits ?? 2));
    },
    date: (iso) => `${date.format(new Date(iso))} UTC`,
    dateTime: (iso) => `${dateTime.format(new Date(iso))} UTC`,
  };
}

function resolveLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? "en";
  } catch {
    return "en";
  }
}

/** Minor units as an exact decimal string (no float rounding for large amounts): 123456, 2 → "1234.56". */
function minorToDecimal(minor: number, digits: number): `${number}` {
  const units = String(Math.abs(minor)).padStart(digits + 1, "0");
  const whole = units.slice(0, units.length - digits);
  const fraction = digits > 0 ? `.${units.slice(units.length - digits)}` : "";
  return `${minor < 0 ? "-" : ""}${whole}${fraction}` as `${number}`;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** The URL when it is absolute http(s), else null: only such URLs are shown or linked. */
function safeUrl(value: string): string | null {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:" ? value : null;
  } catch {
    return null;
  }
}

/** One line of plain text: control characters and line breaks become spaces (subjects, fact values). */
function oneLine(value: string, max = Number.POSITIVE_INFINITY): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const line = value.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const FONT = "font-family:Arial,Helvetica,sans-serif;";
const P = `margin:0 0 16px;${FONT}font-size:15px;line-height:1.5;color:#1f2933;`;
const SMALL = `margin:0 0 16px;${FONT}font-size:13px;line-height:1.5;color:#52606d;`;

function layout(content: Content): RenderedEmail {
  const subject = oneLine(content.subject);
  // A paragraph that introduces a URL goes when its URL is not http(s).
  const paragraphs = (items: (string | Paragraph)[] = []) =>
    items
      .map((item) => (typeof item === "string" ? { text: item } : item))
      .filter((item) => item.url === undefined || safeUrl(item.url));
  const intro = paragraphs(content.intro);
  const notes = paragraphs(content.notes);
  const facts = (content.facts ?? []).map(
    ([label, value]) => [label, oneLine(value, MAX_FACT_LENGTH)] as const,
  );
  const action = content.action && safeUrl(content.action.url) ? content.action : undefined;

  const textParagraph = ({ text, url }: Paragraph) => (url ? `${text}\n${url}` : text);
  const text = [
    MARKETPLACE,
    content.heading,
    ...intro.map(textParagraph),
    ...(facts.length ? [facts.map(([label, value]) => `${label}: ${value}`).join("\n")] : []),
    ...(action ? [`${action.label}:\n${action.url}`] : []),
    ...notes.map(textParagraph),
    `--\n${content.reason}`,
  ].join("\n\n");

  const htmlParagraph = ({ text, url, linked }: Paragraph, style = P) => {
    const link = !url
      ? ""
      : linked
        ? `<br><a href="${escapeHtml(url)}" style="color:#1d4ed8;word-break:break-all;">${escapeHtml(url)}</a>`
        : `<br><span style="word-break:break-all;">${escapeHtml(url)}</span>`;
    return `<p style="${style}">${escapeHtml(text)}${link}</p>`;
  };
  const factRows = facts
    .map(
      ([label, value]) =>
        `<tr><td style="padding:4px 16px 4px 0;${FONT}font-size:14px;color:#52606d;vertical-align:top;white-space:nowrap;">${escapeHtml(label)}</td>` +
        `<td style="padding:4px 0;${FONT}font-size:14px;color:#1f2933;word-break:break-word;">${escapeHtml(value)}</td></tr>`,
    )
    .join("");
  const button = action
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px;"><tr>` +
      `<td style="background:#1d4ed8;border-radius:4px;"><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:12px 22px;${FONT}font-size:15px;font-weight:bold;color:#ffffff;text-decoration:none;">${escapeHtml(action.label)}</a></td>` +
      `</tr></table>` +
      `<p style="${SMALL}">If the button does not work, copy this address into your browser:<br><span style="word-break:break-all;">${escapeHtml(action.url)}</span></p>`
    : "";
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f3f5f8;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f3f5f8;"><tr><td align="center" style="padding:24px 12px;">` +
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #dde3ea;">` +
    `<tr><td style="background:#0f2540;padding:16px 24px;${FONT}font-size:18px;font-weight:bold;color:#ffffff;">${MARKETPLACE}</td></tr>` +
    `<tr><td style="padding:24px;">` +
    `<h1 style="margin:0 0 16px;${FONT}font-size:20px;line-height:1.3;color:#0f2540;">${escapeHtml(content.heading)}</h1>` +
    intro.map((p) => htmlParagraph(p)).join("") +
    (factRows
      ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;">${factRows}</table>`
      : "") +
    button +
    notes.map((p) => htmlParagraph(p, SMALL)).join("") +
    `</td></tr>` +
    `<tr><td style="padding:16px 24px;border-top:1px solid #dde3ea;${FONT}font-size:12px;line-height:1.5;color:#52606d;">${escapeHtml(content.reason)}</td></tr>` +
    `</table></td></tr></table></body></html>`;
  return { subject, text, html };
}

/**
 * The email templates: every catalogue entry renders a specific subject and the same key facts in text
 * and HTML; every value is escaped, only http(s) URLs become links, malformed data throws, and amounts
 * follow their currency's minor unit.
 */
import { describe, expect, it } from "vitest";
import { type EmailData, type EmailTemplate, emailCatalogue } from "../../src/contracts/emails.ts";
import { renderEmail } from "../../src/services/email/templates.ts";

const ORDER_ID = "3f2a9c10-5b7d-4e8a-9c1d-2e3f4a5b6c7d";
const site = "https://market.example";

interface Sample<T extends EmailTemplate> {
  data: EmailData<T>;
  subject: string;
  /** Facts both parts must show. */
  facts: string[];
  /** The main link (the button). */
  link: string;
}

const samples: { [T in EmailTemplate]: Sample<T> } = {
  invitation: {
    data: {
      inviterName: "Maria Lopez",
      orgName: "Globex GmbH",
      role: "admin",
      acceptUrl: `${site}/invitations/accept?token=inv_secret`,
      apiAcceptUrl: `${site}/v1/invitations/inv_secret/accept`,
      expiresAt: "2025-03-12T09:00:00Z",
    },
    subject: "Maria Lopez invited you to join Globex GmbH on Tradeyard",
    facts: [
      "Maria Lopez",
      "Globex GmbH",
      "admin",
      "Mar 12, 2025, 9:00 AM UTC",
      `${site}/v1/invitations/inv_secret/accept`,
    ],
    link: `${site}/invitations/accept?token=inv_secret`,
  },
  order_placed: {
    data: {
      orderId: ORDER_ID,
      buyerName: "Globex GmbH",
      sellerName: "Acme Ltd",
      amountMinor: 123_400,
      currency: "EUR",
      lineCount: 3,
      url: `${site}/seller/orders/${ORDER_ID}`,
    },
    subject: "New order from Globex GmbH — EUR 1,234.00",
    facts: ["#3F2A9C10", "Globex GmbH", "Acme Ltd", "EUR 1,234.00", "3 lines"],
    link: `${site}/seller/orders/${ORDER_ID}`,
  },
  order_status: {
    data: {
      orderId: ORDER_ID,
      sellerName: "Acme Ltd",
      status: "shipped",
      url: `${site}/buyer/orders/${ORDER_ID}`,
    },
    subject: "Order #3F2A9C10 shipped — Acme Ltd",
    facts: ["Acme Ltd shipped your order #3F2A9C10."],
    link: `${site}/buyer/orders/${ORDER_ID}`,
  },
  approval_needed: {
    data: {
      groupId: ORDER_ID,
      purchaserName: "Tom Becker",
      orgName: "Globex GmbH",
      amountMinor: 1_250_000,
      currency: "USD",
      holdUntil: "2025-03-07T17:00:00+01:00",
      url: `${site}/approvals/${ORDER_ID}`,
    },
    subject: "Approval needed: Tom Becker's order for USD 12,500.00",
    facts: ["Tom Becker", "Globex GmbH", "USD 12,500.00", "Mar 7, 2025, 4:00 PM UTC"],
    link: `${site}/approvals/${ORDER_ID}`,
  },
  invoice_due: {
    data: {
      invoiceId: ORDER_ID,
      sellerName: "Acme Ltd",
      buyerName: "Globex GmbH",
      amountMinor: 98_000,
      currency: "JPY",
      dueAt: "2025-03-05T23:30:00-02:00",
      url: `${site}/buyer/invoices/${ORDER_ID}`,
    },
    subject: "Invoice #3F2A9C10 from Acme Ltd due Mar 6, 2025 UTC — JPY 98,000",
    facts: ["#3F2A9C10", "Acme Ltd", "Globex GmbH", "JPY 98,000", "Mar 6, 2025, 1:30 AM UTC"],
    link: `${site}/buyer/invoices/${ORDER_ID}`,
  },
  password_reset: {
    data: { name: "Ana Silva", resetUrl: `${site}/reset-password?token=rst_secret`, expiresMinutes: 30 },
    subject: "Reset your Tradeyard password",
    facts: ["Ana Silva", "expires in 30 minutes", "If you did not ask for this"],
    link: `${site}/reset-password?token=rst_secret`,
  },
  email_verification: {
    data: { name: "Ana Silva", verifyUrl: `${site}/verify-email?token=ver_secret`, expiresHours: 24 },
    subject: "Confirm your email address for Tradeyard",
    facts: ["Ana Silva", "expires in 24 hours", "If you did not create a Tradeyard account"],
    link: `${site}/verify-email?token=ver_secret`,
  },
  account_exists: {
    data: { name: "Ana Silva", signInUrl: `${site}/signin`, resetUrl: `${site}/forgot-password` },
    subject: "You already have a Tradeyard account",
    facts: ["Ana Silva", `${site}/forgot-password`, "If it was not you"],
    link: `${site}/signin`,
  },
  webhook_disabled: {
    data: {
      orgName: "Acme Ltd",
      endpointUrl: "https://hooks.acme.example/marketplace",
      failingSince: "2025-03-01T08:15:00Z",
      lastError: "HTTP 503 Service Unavailable",
      url: `${site}/org/webhooks`,
    },
    subject: "Webhook endpoint disabled for Acme Ltd",
    facts: ["Acme Ltd", "https://hooks.acme.example/marketplace", "Mar 1, 2025, 8:15 AM UTC", "HTTP 503"],
    link: `${site}/org/webhooks`,
  },
};

const templateNames = Object.keys(emailCatalogue) as EmailTemplate[];

/** Intl separates with no-break spaces; the assertions read plain ones. */
const plain = (value: string) => value.replace(/[\u00a0\u202f]/g, " ");
const render = <T extends EmailTemplate>(template: T, data: EmailData<T>, locale?: string) => {
  const email = renderEmail(template, data, locale ? { locale } : undefined);
  return { subject: plain(email.subject), text: plain(email.text), html: plain(email.html) };
};
const htmlEscaped = (value: string) =>
  value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

const ALLOWED_TAGS = new Set([
  "html",
  "head",
  "meta",
  "title",
  "body",
  "table",
  "tr",
  "td",
  "h1",
  "p",
  "a",
  "span",
  "br",
]);

/** The HTML holds only the layout's own tags, no event handlers, and links only to http(s). */
function expectSafeHtml(html: string) {
  for (const [, name] of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g))
    expect(ALLOWED_TAGS).toContain(name?.toLowerCase());
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
    expect(tag).not.toMatch(/\s(src|srcset|background)\s*=/i);
  }
  for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^https?:\/\//);
  expect(html).not.toMatch(/<(script|img|style|link|iframe|form)/i);
}

/** Every string field the template's schema still accepts `value` in, set to `value` one at a time. */
function variants(template: EmailTemplate, value: string): [string, Record<string, unknown>][] {
  const base = samples[template].data as Record<string, unknown>;
  return Object.keys(base)
    .filter((key) => typeof base[key] === "string")
    .map((key) => [key, { ...base, [key]: value }] as [string, Record<string, unknown>])
    .filter(([, data]) => emailCatalogue[template].safeParse(data).success);
}

/** The fields of a template that hold a URL (its schema refuses plain words there). */

describe("every catalogue entry", () => {
  it("has a template that renders its realistic sample", () => {
    expect(templateNames.length).toBeGreaterThanOrEqual(9);
    for (const template of templateNames) {
      expect(samples[template], template).toBeDefined();
      const email = renderEmail(template, samples[template].data);
      expect(email.subject.length, template).toBeGreaterThan(0);
      expect(email.text.length, template).toBeGreaterThan(0);
      expect(email.html, template).toMatch(/^<!doctype html>/);
    }
  });

  it.each(templateNames)(
    "%s: a specific subject, and the key facts and the link in both parts",
    (template) => {
      const sample = samples[template];
      const email = render(template, sample.data);
      expect(email.subject).toBe(sample.subject);
      for (const fact of sample.facts) {
        expect(email.text, fact).toContain(fact);
        expect(email.html, fact).toContain(htmlEscaped(fact));
      }
      expect(email.text.split("\n")).toContain(sample.link);
      expect(email.html).toContain(`href="${htmlEscaped(sample.link)}"`);
      // The raw URL also stands as text below the button, for clients that strip it.
      expect(email.html).toContain(`<span style="word-break:break-all;">${htmlEscaped(sample.link)}</span>`);
      expect(email.html).toContain(">Tradeyard</td>");
      expect(email.text).toMatch(/You received this email because .+/);
      expect(email.html).toMatch(/You received this email because /);
      expectSafeHtml(email.html);
    },
  );
});

describe("hostile values", () => {
  const payloads = [
    "<script>alert(1)</script>",
    `"><img src=x onerror=alert(1)>`,
    `' onmouseover='alert(1)`,
    "Tom & Jerry <b>Ltd</b>",
  ];

  it.each(templateNames)("%s: every free-text field is escaped in the HTML", (template) => {
    for (const payload of payloads) {
      const cases = variants(template, payload);
      expect(cases.length).toBeGreaterThan(0);
      for (const [field, data] of cases) {
        const email = render(template, data as EmailData<typeof template>);
        expectSafeHtml(email.html);
        expect(email.html, field).not.toContain(payload);
        expect(email.html, field).toContain(htmlEscaped(payload));
        expect(email.subject).not.toMatch(/[\r\n]/);
      }
    }
  });

  it("escapes names in the order email exactly", () => {
    const email = render("order_placed", {
      ...samples.order_placed.data,
      buyerName: `"><img src=x onerror=alert(1)>`,
    });
    expect(email.html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(email.html).not.toContain("<img");
    // The subject and the text are plain text: shown as typed, never as markup.
    expect(email.subject).toBe(`New order from "><img src=x onerror=alert(1)> — EUR 1,234.00`);
  });

  it.each(templateNames)(
    "%s: a javascript: or data: URL is refused, or never becomes a link nor shows",
    (template) => {
      const urls = [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
      ];
      const sample = samples[template].data as Record<string, unknown>;
      // (A webhook endpoint's URL is shown as text, never a link: its own test below.)
      const linkFields = Object.keys(sample).filter(
        (key) => key !== "endpointUrl" && String(sample[key]).startsWith("http"),
      );
      expect(linkFields.length).toBeGreaterThan(0);
      for (const url of urls) {
        for (const field of linkFields) {
          const data = { ...sample, [field]: url } as EmailData<typeof template>;
          let email: ReturnType<typeof render>;
          try {
            email = render(template, data);
          } catch (error) {
            // The catalogue takes http(s) links only: such a row fails (the sender records a failed attempt).
            expect(String(error), field).toContain(field);
            continue;
          }
          expectSafeHtml(email.html);
          expect(email.html.toLowerCase(), field).not.toContain(url.slice(0, 11).toLowerCase());
          expect(email.text.toLowerCase(), field).not.toContain(url.slice(0, 11).toLowerCase());
        }
      }
    },
  );

  it("keeps a quote in a URL inside its href", () => {
    const url = `${site}/orders/1?x="><script>alert(1)</script>`;
    const email = render("order_status", { ...samples.order_status.data, url });
    expectSafeHtml(email.html);
    expect(email.html).toContain(`href="${htmlEscaped(url)}"`);
  });

  it("shows a webhook endpoint's URL as text only, never as a link", () => {
    const email = render("webhook_disabled", {
      ...samples.webhook_disabled.data,
      endpointUrl: "javascript:alert(1)",
      lastError: `x\r\nBcc: victim@example.com ${"A".repeat(1000)}`,
    });
    expectSafeHtml(email.html);
    expect(email.html).toContain("javascript:alert(1)");
    expect(email.html).not.toContain('href="javascript');
    // A long multi-line error is one shortened line.
    expect(email.text).toMatch(/Last error: x Bcc: victim@example.com A+…\n/);
    expect(email.text).not.toContain("A".repeat(400));
  });
});

describe("invalid data", () => {
  it("throws naming the template and the field, never the value", () => {
    expect(() =>
      renderEmail("password_reset", {
        name: "Ana",
        resetUrl: "not a url rst_secret_token",
        expiresMinutes: 30,
      }),
    ).toThrow(/password_reset[\s\S]*resetUrl/);
    try {
      renderEmail("password_reset", {
        name: "Ana",
        resetUrl: "not a url rst_secret_token",
        expiresMinutes: 30,
      });
    } catch (error) {
      expect(String(error)).not.toContain("rst_secret_token");
    }
  });

  it.each([
    ["a missing field", { ...samples.order_placed.data, buyerName: undefined }, /buyerName/],
    ["a fractional amount", { ...samples.order_placed.data, amountMinor: 12.5 }, /amountMinor/],
    ["a currency that is no code", { ...samples.order_placed.data, currency: "EURO" }, /currency/],
    ["an order id that is no uuid", { ...samples.order_placed.data, orderId: "42" }, /orderId/],
    ["an amount as a string", { ...samples.order_placed.data, amountMinor: "123400" }, /amountMinor/],
  ])("throws on %s", (_, data, field) => {
    expect(() => renderEmail("order_placed", data as unknown as EmailData<"order_placed">)).toThrow(field);
  });

  it("throws on a date that is not ISO 8601 and on data that is not an object", () => {
    expect(() => renderEmail("invoice_due", { ...samples.invoice_due.data, dueAt: "next Tuesday" })).toThrow(
      /dueAt/,
    );
    expect(() => renderEmail("invitation", null as unknown as EmailData<"invitation">)).toThrow(/invitation/);
  });

  it("throws on a template the catalogue does not have", () => {
    expect(() => renderEmail("newsletter" as EmailTemplate, {} as EmailData<EmailTemplate>)).toThrow(
      /Unknown email template "newsletter"/,
    );
    expect(() => renderEmail("__proto__" as EmailTemplate, {} as EmailData<EmailTemplate>)).toThrow(
      /Unknown/,
    );
  });

  it("throws on a currency code Intl cannot use", () => {
    expect(() => renderEmail("order_placed", { ...samples.order_placed.data, currency: "E1R" })).toThrow(
      /currency/,
    );
  });
});

describe("amounts and dates", () => {
  const order = (amountMinor: number, currency: string, locale?: string) =>
    render("order_placed", { ...samples.order_placed.data, amountMinor, currency }, locale).subject;

  it("uses the currency's own minor unit", () => {
    expect(order(123_456, "EUR")).toContain("EUR 1,234.56");
    expect(order(123_456, "JPY")).toContain("JPY 123,456");
    expect(order(123_456, "KWD")).toContain("KWD 123.456");
    expect(order(5, "EUR")).toContain("EUR 0.05");
    expect(order(0, "JPY")).toContain("JPY 0");
    expect(order(-2_500, "EUR")).toContain("-EUR 25.00");
  });

  it("formats large amounts exactly", () => {
    expect(order(900_719_925_474_099, "EUR")).toContain("EUR 9,007,199,254,740.99");
  });

  it("follows the locale for amounts and dates, and falls back to en for a bad one", () => {
    expect(order(123_456, "EUR", "de-DE")).toContain("1.234,56 EUR");
    expect(order(123_456, "JPY", "de-DE")).toContain("123.456 JPY");
    const german = render("invoice_due", samples.invoice_due.data, "de-DE");
    expect(german.text).toContain("06.03.2025, 01:30 UTC");
    expect(order(123_456, "EUR", "not a locale!")).toContain("EUR 1,234.56");
  });

  it("shows dates in UTC with the zone named, whatever offset the data carries", () => {
    const email = render("approval_needed", {
      ...samples.approval_needed.data,
      holdUntil: "2025-03-07T23:30:00-05:00",
    });
    expect(email.text).toContain("Mar 8, 2025, 4:30 AM UTC");
    const noHold = render("approval_needed", { ...samples.approval_needed.data, holdUntil: null });
    expect(noHold.text).not.toContain("Decide by");
    expect(noHold.text).not.toContain("held until");
  });
});

describe("order statuses", () => {
  it.each([
    ["accepted", "Acme Ltd accepted your order #3F2A9C10."],
    ["rejected", "Acme Ltd rejected your order #3F2A9C10."],
    ["delivered", "Your order #3F2A9C10 from Acme Ltd was marked delivered."],
    ["completed", "Your order #3F2A9C10 from Acme Ltd is complete."],
    ["cancelled", "Your order #3F2A9C10 from Acme Ltd was cancelled."],
    ["expired", "Your order #3F2A9C10 from Acme Ltd expired before it was accepted."],
    ["pending_approval", "Your order #3F2A9C10 from Acme Ltd is now pending approval."],
    ["constructor", "Your order #3F2A9C10 from Acme Ltd is now constructor."],
  ])("%s reads as a sentence", (status, sentence) => {
    const email = render("order_status", { ...samples.order_status.data, status });
    expect(email.text).toContain(sentence);
    expect(email.html).toContain(sentence);
  });
});

describe("security emails", () => {
  it.each(["password_reset", "email_verification", "account_exists"] as const)(
    "%s says what to do if the recipient did not ask for it",
    (template) => {
      const email = render(template, samples[template].data);
      expect(email.text).toMatch(/If (you did not|it was not you)[^\n]*ignore this email/);
      expect(email.html).toMatch(/If (you did not|it was not you)[^<]*ignore this email/);
    },
  );

  it("states how long the reset and verification links last", () => {
    expect(render("password_reset", { ...samples.password_reset.data, expiresMinutes: 1 }).text).toContain(
      "expires in 1 minute.",
    );
    expect(
      render("email_verification", { ...samples.email_verification.data, expiresHours: 48 }).text,
    ).toContain("expires in 48 hours.");
  });
});

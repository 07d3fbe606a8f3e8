import { describe, expect, it } from "vitest";
import { emailProvider, PermanentEmailError } from "../../src/services/email/provider.ts";
import { receive, received, receiverUrl, testDb } from "../support/delivery.ts";
import { testConfig } from "../support/env.ts";

const email = {
  id: crypto.randomUUID(),
  to: "buyer@example.com",
  template: "password_reset",
  subject: "Reset your password",
  text: "Open https://example.com/reset",
  html: "<p>Open</p>",
};

/**
 * The Resend provider over real HTTP: the requests it makes go to the test run's local receiver (standing
 * in for api.resend.com, which the test machine cannot reach), which answers with the statuses it is told.
 */
function resendThroughReceiver(name: string) {
  const seen: { url: string; headers: Headers }[] = [];
  const config = { ...testConfig(), EMAIL_PROVIDER: "resend" as const, RESEND_API_KEY: "re_test_key_123" };
  const fetcher = ((input: RequestInfo | URL, init?: RequestInit) => {
    seen.push({ url: String(input), headers: new Headers(init?.headers) });
    return fetch(`${receiverUrl()}/hooks/${name}`, init);
  }) as typeof fetch;
  return { send: emailProvider(config, testDb(), fetcher), seen };
}

describe("the Resend provider", () => {
  it("posts the email to Resend's API with the key, the outbox id as idempotency key, and both parts", async () => {
    const name = `resend-${crypto.randomUUID().slice(0, 8)}`;
    await receive(name, { secrets: [], statuses: [200] });
    const { send, seen } = resendThroughReceiver(name);
    await send(email);
    expect(seen[0]?.url).toBe("https://api.resend.com/emails");
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer re_test_key_123");
    expect(seen[0]?.headers.get("idempotency-key")).toBe(email.id);
    const [hit] = await received(name);
    expect(JSON.parse(hit?.body ?? "{}")).toEqual({
      from: testConfig().EMAIL_FROM,
      to: [email.to],
      subject: email.subject,
      text: email.text,
      html: email.html,
      tags: [{ name: "template", value: email.template }],
    });
  });

  it("treats a refusal as permanent, and rate limits and server errors as worth a retry", async () => {
    const name = `resend-${crypto.randomUUID().slice(0, 8)}`;
    await receive(name, { secrets: [], statuses: [422, 429, 503] });
    const { send } = resendThroughReceiver(name);
    await expect(send(email)).rejects.toBeInstanceOf(PermanentEmailError);
    for (const status of [429, 503]) {
      const failure = await send(email).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(PermanentEmailError);
      expect(String(failure)).toContain(String(status));
    }
  });
});

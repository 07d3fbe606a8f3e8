/**
 * The stateless promise in one test: a session made on one Worker process keeps working on a new one
 * after the first is killed outright (SIGKILL), because it lives in KV, not in the process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startWranglerDev } from "../../tools/dev/wrangler.ts";
import { freePort } from "../../tools/local-db/backend.ts";
import { type LocalStack, startLocalStack } from "../../tools/local-db/stack.ts";

let stack: LocalStack;
const persistTo = mkdtempSync(join(tmpdir(), "marketplace-survive-"));
beforeAll(async () => {
  stack = await startLocalStack({});
});
afterAll(async () => {
  await stack?.close();
  rmSync(persistTo, { recursive: true, force: true });
});

async function worker() {
  return startWranglerDev({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo,
    ownProcessGroup: true,
    vars: { DATABASE_URL: stack.databaseUrl, LOCAL_DB_PROXY: stack.proxy.url, LOG_LEVEL: "warn" },
  });
}

it("keeps a session working after the Worker process is killed and replaced", {
  timeout: 120_000,
}, async () => {
  const first = await worker();
  let cookie: string;
  try {
    const account = { email: `survivor.${Date.now()}@test.example`, password: "a sturdy passphrase" };
    const post = (path: string, body: unknown) =>
      fetch(`${first.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    // Sign-up signs nobody in (the address is verified by email); an unverified account may sign in.
    expect((await post("/v1/auth/signup", { ...account, name: "S" })).status).toBe(202);
    const login = await post("/v1/auth/login", account);
    expect(login.status).toBe(200);
    cookie = /(__Host-session=[^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1] ?? "";
    expect(cookie).not.toBe("");
    expect((await fetch(`${first.url}/v1/me`, { headers: { cookie } })).status).toBe(200);
  } finally {
    await first.kill();
  }
  expect(first.process.signalCode).toBe("SIGKILL");
  await expect(fetch(`${first.url}/health`)).rejects.toThrow();

  const second = await worker();
  try {
    const me = await fetch(`${second.url}/v1/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { name: string }).name).toBe("S");
  } finally {
    await second.stop();
  }
});

/**
 * The seller's upload flow through wrangler dev's real local S3 endpoint: presign (API) → PUT the bytes
 * straight to storage (never through the Worker) → complete (API). Tampered PUTs are refused by the
 * endpoint itself (signature over type, length, key and expiry).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWranglerDev, type WranglerDev } from "../../tools/dev/wrangler.ts";
import { freePort } from "../../tools/local-db/backend.ts";
import { type LocalStack, startLocalStack } from "../../tools/local-db/stack.ts";

const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 2, 3,
]);
const TTL_SECONDS = 3;

let stack: LocalStack;
let worker: WranglerDev;
const persistTo = mkdtempSync(join(tmpdir(), "marketplace-uploads-"));
let token: string;
let orgId: string;

beforeAll(async () => {
  stack = await startLocalStack({});
  worker = await startWranglerDev({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo,
    ownProcessGroup: true,
    vars: {
      DATABASE_URL: stack.databaseUrl,
      LOCAL_DB_PROXY: stack.proxy.url,
      LOG_LEVEL: "warn",
      UPLOAD_URL_TTL_SECONDS: String(TTL_SECONDS),
    },
  });
  // Sign-up signs nobody in (the address is verified by email); uploading needs no verified address.
  const account = { email: `uploader.${Date.now()}@test.example`, password: "upload passphrase 1" };
  const signup = await post("/v1/auth/signup", { ...account, name: "U" });
  if (signup.status !== 202) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const login = await post("/v1/auth/login", account);
  token = ((await login.json()) as { session: { token: string } }).session.token;
  const org = await post("/v1/orgs", { name: "Upload Co", kind: "seller" });
  orgId = ((await org.json()) as { id: string }).id;
}, 120_000);

afterAll(async () => {
  await worker?.kill();
  await stack?.close();
  rmSync(persistTo, { recursive: true, force: true });
});

function post(path: string, body?: unknown) {
  return fetch(`${worker.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function presign(contentType = "image/png", contentLength = PNG.length) {
  const res = await post(`/v1/orgs/${orgId}/uploads`, {
    purpose: "image",
    contentType,
    contentLength,
    filename: "part.png",
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { uploadId: string; url: string; headers: Record<string, string> };
}

function put(url: string, body: Uint8Array, contentType: string) {
  return fetch(url, { method: "PUT", headers: { "content-type": contentType }, body });
}

describe("uploads through the local S3 endpoint", () => {
  it("presign → PUT → complete → public image", async () => {
    const upload = await presign();
    expect(new URL(upload.url).origin).toBe(worker.url);
    const stored = await put(upload.url, PNG, upload.headers["Content-Type"] ?? "");
    expect(stored.status).toBe(200);
    const complete = await post(`/v1/orgs/${orgId}/uploads/${upload.uploadId}/complete`);
    expect(complete.status).toBe(200);
    expect(await complete.json()).toMatchObject({ status: "ready", url: `/v1/files/${upload.uploadId}` });
    const image = await fetch(`${worker.url}/v1/files/${upload.uploadId}`);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG);
  });

  it("keeps serving the verified bytes when the still-valid URL is used again after complete", async () => {
    const upload = await presign();
    expect((await put(upload.url, PNG, "image/png")).status).toBe(200);
    expect((await post(`/v1/orgs/${orgId}/uploads/${upload.uploadId}/complete`)).status).toBe(200);
    const swapped = PNG.map((_, i) => (i * 37) & 0xff);
    // The URL has not expired: storage accepts the second PUT of the same length and type.
    expect((await put(upload.url, swapped, "image/png")).status).toBe(200);
    const image = await fetch(`${worker.url}/v1/files/${upload.uploadId}`);
    expect(image.status).toBe(200);
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(PNG);
  });

  it("refuses a PUT with another Content-Type", async () => {
    const upload = await presign();
    expect((await put(upload.url, PNG, "image/jpeg")).status).toBe(403);
  });

  it("refuses a PUT with another length", async () => {
    const upload = await presign();
    expect((await put(upload.url, Uint8Array.from([...PNG, 0]), "image/png")).status).toBe(403);
  });

  it("refuses the signature on another key", async () => {
    const upload = await presign();
    const other = new URL(upload.url);
    other.pathname = other.pathname.replace(upload.uploadId, crypto.randomUUID());
    expect((await put(other.toString(), PNG, "image/png")).status).toBe(403);
  });

  it("refuses an expired URL", async () => {
    const upload = await presign();
    await new Promise((resolve) => setTimeout(resolve, (TTL_SECONDS + 1.5) * 1000));
    expect((await put(upload.url, PNG, "image/png")).status).toBe(403);
    expect((await post(`/v1/orgs/${orgId}/uploads/${upload.uploadId}/complete`)).status).toBe(409);
  });

  it("rejects content whose magic bytes do not match the declared type, and deletes it", async () => {
    const fake = new TextEncoder().encode("GIF89a pretending!!!!");
    const upload = await presign("image/png", fake.length);
    expect((await put(upload.url, fake, "image/png")).status).toBe(200);
    const complete = await post(`/v1/orgs/${orgId}/uploads/${upload.uploadId}/complete`);
    expect(complete.status).toBe(422);
    expect((await post(`/v1/orgs/${orgId}/uploads/${upload.uploadId}/complete`)).status).toBe(404);
  });
});

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { fileCacheKey } from "../../src/routes/media/media.handlers.ts";
import { problem, roundTrips } from "../support/app.ts";
import { edgeCopy, servableSeconds } from "../support/cache.ts";
import { newSeller, type Seller, validListing } from "../support/catalog.ts";
import { one, sql } from "../support/db.ts";
import { addMember, api, json } from "../support/identity.ts";

const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1,
]);

let seller: Seller;
beforeAll(async () => {
  seller = await newSeller("Media Co");
});

interface Presigned {
  uploadId: string;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

async function startUpload(s: Seller, body: Record<string, unknown> = {}) {
  return api(`/v1/orgs/${s.orgId}/uploads`, {
    token: s.owner.token,
    body: {
      purpose: "image",
      contentType: "image/png",
      contentLength: PNG.length,
      filename: "bolt.png",
      ...body,
    },
  });
}

/** Stands in for the seller's direct PUT: stores the object through the R2 binding. */
async function storeObject(
  s: Seller,
  uploadId: string,
  bytes: Uint8Array,
  contentType: string,
  purpose = "images",
) {
  await env.FILES.put(`orgs/${s.orgId}/${purpose}/${uploadId}`, bytes, { httpMetadata: { contentType } });
}

async function complete(s: Seller, uploadId: string) {
  return api(`/v1/orgs/${s.orgId}/uploads/${uploadId}/complete`, { method: "POST", token: s.owner.token });
}

async function readyImage(s: Seller) {
  const presigned = await json<Presigned>(await startUpload(s));
  await storeObject(s, presigned.uploadId, PNG, "image/png");
  const res = await complete(s, presigned.uploadId);
  if (res.status !== 200) throw new Error(`complete: ${res.status} ${await res.text()}`);
  return presigned.uploadId;
}

describe("presigned uploads", () => {
  it("issues a SigV4 presigned PUT binding type and length, for a key under the organisation", async () => {
    const res = await startUpload(seller);
    expect(res.status).toBe(201);
    expect(roundTrips(res)).toBe(1);
    const body = await json<Presigned>(res);
    const url = new URL(body.url);
    expect(url.pathname).toBe(
      `/cdn-cgi/local/r2/s3/marketplace-files/orgs/${seller.orgId}/images/${body.uploadId}`,
    );
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("600");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(body.headers).toEqual({ "Content-Type": "image/png", "Content-Length": String(PNG.length) });
    const minutes = (Date.parse(body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(9.9);
    expect(minutes).toBeLessThan(10.1);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it.each([
    ["a type not allowed for images", { contentType: "image/gif" }, "body.contentType"],
    ["an image over the size limit", { contentLength: 10 * 1024 * 1024 + 1 }, "body.contentLength"],
    ["a document that is not a PDF", { purpose: "document", contentType: "image/png" }, "body.contentType"],
    ["an unknown purpose", { purpose: "video" }, "body.purpose"],
    ["a zero length", { contentLength: 0 }, "body.contentLength"],
    ["a missing filename", { filename: undefined }, "body.filename"],
  ])("refuses %s before issuing a URL", async (_, body, field) => {
    const res = await startUpload(seller, body);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors?.map((e) => e.field)).toContain(field);
  });

  it("keeps uploads to the organisation's seller roles", async () => {
    const buyer = await addMember(seller.owner, seller.orgId, "buyer");
    const asBuyer = await api(`/v1/orgs/${seller.orgId}/uploads`, {
      token: buyer.token,
      body: { purpose: "image", contentType: "image/png", contentLength: 10, filename: "x.png" },
    });
    expect(asBuyer.status).toBe(403);
    const other = await newSeller("Other");
    const cross = await api(`/v1/orgs/${seller.orgId}/uploads`, {
      token: other.owner.token,
      body: { purpose: "image", contentType: "image/png", contentLength: 10, filename: "x.png" },
    });
    expect(cross.status).toBe(404);
    const presigned = await json<Presigned>(await startUpload(seller));
    expect(
      (
        await api(`/v1/orgs/${other.orgId}/uploads/${presigned.uploadId}/complete`, {
          method: "POST",
          token: other.owner.token,
        })
      ).status,
    ).toBe(404);
    expect((await api(`/v1/orgs/${seller.orgId}/uploads`, { body: {} })).status).toBe(401);
  });
});

describe("completing uploads", () => {
  it("verifies the stored object and makes the image public, immutable and cacheable", async () => {
    const id = await readyImage(seller);
    const file = await api(`/v1/files/${id}`);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const etag = file.headers.get("etag") ?? "";
    expect((await api(`/v1/files/${id}`, { headers: { "if-none-match": etag } })).status).toBe(304);
  });

  it("lets storefronts on other origins embed public images (CORP cross-origin); the API stays same-origin", async () => {
    const id = await readyImage(seller);
    const cold = await api(`/v1/files/${id}`);
    const warm = await api(`/v1/files/${id}`);
    const notModified = await api(`/v1/files/${id}`, {
      headers: { "if-none-match": warm.headers.get("etag") ?? "" },
    });
    expect(notModified.status).toBe(304);
    for (const res of [cold, warm, notModified]) {
      expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const upload = await startUpload(seller);
    expect(upload.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    const missing = await api(`/v1/files/${crypto.randomUUID()}`);
    expect(missing.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  });

  it("puts a public image in the edge cache for at most the year its header promises", async () => {
    const id = await readyImage(seller);
    expect((await api(`/v1/files/${id}`)).status).toBe(200);
    const cached = await edgeCopy(fileCacheKey(id));
    expect(servableSeconds(cached.headers.get("cache-control"))).toBeGreaterThan(0);
    expect(servableSeconds(cached.headers.get("cache-control"))).toBeLessThanOrEqual(31_536_000);
    const warm = await api(`/v1/files/${id}`);
    expect(roundTrips(warm)).toBe(0);
    expect(warm.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await warm.arrayBuffer())).toEqual(PNG);
  });

  it("serves exactly the verified bytes: another PUT to the upload's key after complete changes nothing", async () => {
    const presigned = await json<Presigned>(await startUpload(seller));
    await storeObject(seller, presigned.uploadId, PNG, "image/png");
    expect((await complete(seller, presigned.uploadId)).status).toBe(200);
    // The presigned PUT stays valid for minutes: the same length and type, any bytes.
    const swapped = new TextEncoder().encode("<svg onload=alert()>");
    expect(swapped.length).toBe(PNG.length);
    await storeObject(seller, presigned.uploadId, swapped, "image/png");
    const file = await api(`/v1/files/${presigned.uploadId}`);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
    // Nothing is left under the key the URL was signed for.
    await env.FILES.delete(`orgs/${seller.orgId}/images/${presigned.uploadId}`);
    const again = await api(`/v1/files/${presigned.uploadId}`, { headers: { "cache-control": "no-cache" } });
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(PNG);
  });

  it("hands out document URLs for the verified copy, never for the key the upload URL was signed for", async () => {
    const pdf = new TextEncoder().encode("%PDF-1.7\n%verified\n");
    const presigned = await json<Presigned>(
      await startUpload(seller, {
        purpose: "document",
        contentType: "application/pdf",
        contentLength: pdf.length,
        filename: "spec.pdf",
      }),
    );
    await storeObject(seller, presigned.uploadId, pdf, "application/pdf", "documents");
    expect((await complete(seller, presigned.uploadId)).status).toBe(200);
    await storeObject(
      seller,
      presigned.uploadId,
      pdf.map(() => 0x41),
      "application/pdf",
      "documents",
    );
    const res = await api(`/v1/orgs/${seller.orgId}/files/${presigned.uploadId}/url`, {
      token: seller.owner.token,
    });
    const { url } = await json<{ url: string }>(res);
    const signedFor = new URL(url).pathname.replace("/cdn-cgi/local/r2/s3/marketplace-files/", "");
    expect(signedFor).not.toBe(`orgs/${seller.orgId}/documents/${presigned.uploadId}`);
    const object = await env.FILES.get(decodeURIComponent(signedFor));
    expect(new Uint8Array(await (object?.arrayBuffer() ?? new ArrayBuffer(0)))).toEqual(pdf);
  });

  it.each([
    [
      "magic bytes that do not match the type",
      new TextEncoder().encode("not really a png!!!!"),
      "image/png",
      "not image/png",
    ],
    ["a different length", Uint8Array.from([...PNG, 0, 0]), "image/png", "size is"],
    ["a different stored type", PNG, "image/webp", "stored as image/webp"],
  ])("rejects and deletes an upload with %s (422)", async (_, bytes, storedType, message) => {
    const presigned = await json<Presigned>(await startUpload(seller));
    await storeObject(seller, presigned.uploadId, bytes, storedType);
    const res = await complete(seller, presigned.uploadId);
    expect(res.status).toBe(422);
    expect((await problem(res)).detail).toContain(message);
    expect(await env.FILES.head(`orgs/${seller.orgId}/images/${presigned.uploadId}`)).toBeNull();
    expect((await complete(seller, presigned.uploadId)).status).toBe(404);
  });

  it("says 409 when nothing was uploaded yet", async () => {
    const presigned = await json<Presigned>(await startUpload(seller));
    expect((await complete(seller, presigned.uploadId)).status).toBe(409);
  });

  it("never serves pending uploads or documents publicly", async () => {
    const presigned = await json<Presigned>(await startUpload(seller));
    await storeObject(seller, presigned.uploadId, PNG, "image/png");
    expect((await api(`/v1/files/${presigned.uploadId}`)).status).toBe(404);
  });

  it("gives members a short-lived presigned GET for documents", async () => {
    const pdf = new TextEncoder().encode("%PDF-1.7\n%test document\n");
    const presigned = await json<Presigned>(
      await startUpload(seller, {
        purpose: "document",
        contentType: "application/pdf",
        contentLength: pdf.length,
        filename: "spec.pdf",
      }),
    );
    await storeObject(seller, presigned.uploadId, pdf, "application/pdf", "documents");
    expect((await complete(seller, presigned.uploadId)).status).toBe(200);
    expect((await api(`/v1/files/${presigned.uploadId}`)).status).toBe(404);
    const res = await api(`/v1/orgs/${seller.orgId}/files/${presigned.uploadId}/url`, {
      token: seller.owner.token,
    });
    const { url } = await json<{ url: string }>(res);
    expect(new URL(url).searchParams.get("X-Amz-Expires")).toBe("300");
    const outsider = await newSeller("Outsider");
    expect(
      (await api(`/v1/orgs/${seller.orgId}/files/${presigned.uploadId}/url`, { token: outsider.owner.token }))
        .status,
    ).toBe(404);
  });
});

describe("attaching images to listings", () => {
  it("attaches ready images of the organisation in order, and nothing else", async () => {
    const first = await readyImage(seller);
    const second = await readyImage(seller);
    const res = await api(`/v1/orgs/${seller.orgId}/listings`, {
      token: seller.owner.token,
      body: validListing({ images: [second, first] }),
    });
    expect(res.status).toBe(201);
    const listing = await json<{ images: { id: string; url: string }[] }>(res);
    expect(listing.images).toEqual([
      { id: second, url: `/v1/files/${second}` },
      { id: first, url: `/v1/files/${first}` },
    ]);
    const pending = (await json<Presigned>(await startUpload(seller))).uploadId;
    const withPending = await api(`/v1/orgs/${seller.orgId}/listings`, {
      token: seller.owner.token,
      body: validListing({ images: [pending] }),
    });
    expect(withPending.status).toBe(400);
    const other = await newSeller("Thief");
    const stolen = await api(`/v1/orgs/${other.orgId}/listings`, {
      token: other.owner.token,
      body: validListing({ images: [first] }),
    });
    expect(stolen.status).toBe(400);
  });
});

describe("cleanup cron", () => {
  it("deletes uploads never completed after the grace period, and nothing else", async () => {
    const stale = (await json<Presigned>(await startUpload(seller))).uploadId;
    const fresh = (await json<Presigned>(await startUpload(seller))).uploadId;
    const ready = await readyImage(seller);
    await storeObject(seller, stale, PNG, "image/png");
    await sql().query(
      "update files set created_at = now() - interval '25 hours' where id = any($1::uuid[])",
      [[stale, ready]],
    );
    const controller = createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env);
    await waitOnExecutionContext(ctx);
    expect(await env.FILES.head(`orgs/${seller.orgId}/images/${stale}`)).toBeNull();
    const remaining = await sql().query("select id from files where id = any($1::uuid[])", [
      [stale, fresh, ready],
    ]);
    expect(remaining.map((r) => (r as { id: string }).id).sort()).toEqual([fresh, ready].sort());
    expect((await one<{ status: string }>("select status from files where id = $1", [ready])).status).toBe(
      "ready",
    );
  });
});

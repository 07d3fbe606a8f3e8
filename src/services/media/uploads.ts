import { and, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { files } from "../../db/schema/index.ts";
import { type Config, MAX_UPLOAD_URL_TTL_SECONDS } from "../../env.ts";
import { randomToken } from "../../lib/crypto.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { assertKeyAccess, assertRole, memberRoleSql, orgWriteAccess } from "../identity/org-access.ts";
import type { Capability } from "../identity/permissions.ts";
import type { Principal } from "../identity/principal.ts";
import { write } from "../write.ts";
import { downloadUrl, magicMatches, presign, s3 } from "./presign.ts";

/**
 * Sellers upload straight to R2 with a presigned PUT (the bytes never pass through the Worker). R2 has
 * no POST policies, so size and type are enforced by signing Content-Type and Content-Length, then by
 * checking the stored object (size, type, magic bytes) before the file may be used.
 */
export const purposes = {
  image: { types: ["image/jpeg", "image/png", "image/webp", "image/avif"], maxBytes: "MAX_IMAGE_BYTES" },
  document: { types: ["application/pdf"], maxBytes: "MAX_DOCUMENT_BYTES" },
  /** Drawings and specifications a buyer attaches to a request for quotes. */
  "rfq-attachment": {
    types: ["application/pdf", "image/png", "image/jpeg"],
    maxBytes: "MAX_DOCUMENT_BYTES",
  },
} as const;
export type Purpose = keyof typeof purposes;

/** The key an upload's presigned PUT is signed for (only ever under `orgs/`). */
function uploadKey(file: { orgId: string; purpose: Purpose; id: string }): string {
  return `orgs/${file.orgId}/${file.purpose}s/${file.id}`;
}

export interface UploadInput {
  purpose: Purpose;
  contentType: string;
  contentLength: number;
  filename: string;
}

/**
 * Registers an upload and returns a presigned PUT for a key the server chooses. One round trip. Listing
 * files take `listings:write` (seller roles); RFQ attachments their own capability.
 */
export async function createUpload(
  ctx: ServiceContext,
  config: Config,
  principal: Principal,
  orgId: string,
  input: UploadInput,
  capability: Capability = "listings:write",
) {
  const rule = purposes[input.purpose];
  const errors: { field: string; message: string }[] = [];
  if (!(rule.types as readonly string[]).includes(input.contentType)) {
    errors.push({
      field: "body.contentType",
      message: `must be one of ${rule.types.join(", ")} for ${input.purpose}s`,
    });
  }
  const maxBytes = config[rule.maxBytes];
  if (input.contentLength > maxBytes) {
    errors.push({
      field: "body.contentLength",
      message: `must be at most ${maxBytes} bytes for ${input.purpose}s`,
    });
  }
  if (errors.length) throw new ApiError("validation_failed", "This file cannot be uploaded.", { errors });
  s3(config);

  const id = crypto.randomUUID();
  const key = uploadKey({ orgId, purpose: input.purpose, id });
  const access = orgWriteAccess(ctx, principal, orgId, capability);
  await write(ctx.db, "upload files")
    .add(
      ...access,
      ctx.db.insert(files).values({
        id,
        orgId,
        purpose: input.purpose,
        key,
        contentType: input.contentType,
        contentLength: input.contentLength,
        filename: input.filename,
        createdBy: principal.kind === "user" ? principal.userId : null,
      }),
    )
    .commit();
  const headers = { "content-type": input.contentType, "content-length": String(input.contentLength) };
  const ttl = config.UPLOAD_URL_TTL_SECONDS;
  return {
    uploadId: id,
    method: "PUT" as const,
    url: await presign(config, "PUT", key, ttl, headers),
    headers: { "Content-Type": input.contentType, "Content-Length": String(input.contentLength) },
    expiresAt: new Date(ctx.now + ttl * 1000).toISOString(),
  };
}

export interface FileView {
  id: string;
  purpose: Purpose;
  contentType: string;
  contentLength: number;
  filename: string;
  status: "pending" | "ready";
  url: string | null;
}

function fileView(row: typeof files.$inferSelect): FileView {
  return {
    id: row.id,
    purpose: row.purpose,
    contentType: row.contentType,
    contentLength: row.contentLength,
    filename: row.filename,
    status: row.status,
    url: row.purpose === "image" && row.status === "ready" ? `/v1/files/${row.id}` : null,
  };
}

/**
 * Where a verified copy lives: under `verified/`, a prefix no URL is ever signed for (uploads are signed
 * only under `orgs/`), with a suffix per attempt so concurrent completes never overwrite each other.
 */
function verifiedKey(file: { orgId: string; purpose: Purpose; id: string }): string {
  return `verified/${file.orgId}/${file.purpose}s/${file.id}/${randomToken(12)}`;
}

type Declared = Pick<typeof files.$inferSelect, "contentLength" | "contentType">;

/** How a stored object differs from its declaration (size and stored type); empty when it matches. */
function storedProblems(file: Declared, object: R2Object): string[] {
  const problems: string[] = [];
  if (object.size !== file.contentLength)
    problems.push(`size is ${object.size} bytes, not the declared ${file.contentLength}`);
  if (object.httpMetadata?.contentType !== file.contentType) {
    problems.push(
      `stored as ${object.httpMetadata?.contentType ?? "no type"}, not the declared ${file.contentType}`,
    );
  }
  return problems;
}

/**
 * Verifies an upload and makes it servable. The presigned PUT stays valid after this, so the bytes are
 * first copied to a key no URL was signed for, and that copy is what gets checked (size, stored type,
 * magic bytes) and what is ever served; the upload key is then deleted. A mismatch deletes the upload
 * (422). Two round trips (read the declaration, then record the outcome), with the R2 work between them:
 * read the upload, write the copy, read the copy's first bytes, delete the upload.
 */
export async function completeUpload(
  ctx: ServiceContext,
  bucket: R2Bucket,
  principal: Principal,
  orgId: string,
  uploadId: string,
  capability: Capability = "listings:write",
): Promise<FileView> {
  assertKeyAccess(principal, orgId, capability);
  const userId = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<{ role: string | null; file: typeof files.$inferSelect | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select row_to_json(f) from (select id, org_id as "orgId", purpose, key, content_type as "contentType",
        content_length as "contentLength", filename, status from files where id = ${uploadId} and org_id = ${orgId}) f) as file`);
  const row = rows[0];
  if (principal.kind === "user") assertRole(row?.role, capability, "upload files");
  const file = row?.file;
  if (!file) throw new ApiError("not_found", "Upload not found.");
  if (file.status === "ready") return fileView(file);

  const uploaded = await bucket.get(file.key);
  if (!uploaded)
    throw new ApiError("conflict", "Nothing has been uploaded yet: PUT the file to the presigned URL first.");
  const copyKey = verifiedKey(file);
  // Size and type first, so a wrong upload is never copied; then everything again on the copy itself.
  const problems = storedProblems(file, uploaded);
  if (problems.length) await uploaded.body.cancel();
  else {
    await bucket.put(copyKey, uploaded.body, {
      httpMetadata: { contentType: uploaded.httpMetadata?.contentType },
    });
    const copy = await bucket.get(copyKey, { range: { offset: 0, length: 16 } });
    if (!copy) throw new Error("the verified copy of an upload vanished");
    problems.push(...storedProblems(file, copy));
    if (!magicMatches(file.contentType, new Uint8Array(await copy.arrayBuffer())))
      problems.push(`the content is not ${file.contentType}`);
  }
  if (problems.length) {
    await bucket.delete([file.key, copyKey]);
    await ctx.db.delete(files).where(and(eq(files.id, file.id), eq(files.status, "pending")));
    throw new ApiError("unprocessable", `The upload was rejected and deleted: ${problems.join("; ")}.`);
  }
  const [ready] = await ctx.db
    .update(files)
    .set({ status: "ready", key: copyKey, completedAt: new Date(ctx.now) })
    .where(and(eq(files.id, file.id), eq(files.orgId, orgId), eq(files.status, "pending")))
    .returning();
  if (!ready) {
    // Another complete of the same upload finished first (or rejected it): its outcome stands.
    await bucket.delete(copyKey);
    throw new ApiError("conflict", "This upload was completed by another request; ask again for its state.");
  }
  await bucket.delete(file.key);
  return fileView(ready);
}

/** A short-lived presigned GET for a private document of the organisation (its members). One round trip. */
export async function documentUrl(
  ctx: ServiceContext,
  config: Config,
  principal: Principal,
  orgId: string,
  fileId: string,
) {
  assertKeyAccess(principal, orgId, "files:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<{ member: boolean; key: string | null }>(sql`
    select exists (select 1 from memberships where org_id = ${orgId} and user_id = ${userId}::uuid) as member,
      (select key from files where id = ${fileId} and org_id = ${orgId} and status = 'ready') as key`);
  const row = rows[0];
  if (principal.kind === "user" && !row?.member) throw new ApiError("not_found", "Organisation not found.");
  if (!row?.key) throw new ApiError("not_found", "File not found.");
  return downloadUrl(config, row.key, ctx.now);
}

/** A ready public image's storage key and type, or undefined. One round trip. */
export async function publicImage(ctx: ServiceContext, fileId: string) {
  const [row] = await ctx.db
    .select({ key: files.key, contentType: files.contentType })
    .from(files)
    .where(and(eq(files.id, fileId), eq(files.purpose, "image"), eq(files.status, "ready")));
  return row;
}

/**
 * Cron: deletes uploads never completed within the grace period, objects and rows. Two round trips per
 * run (find, then delete), in batches of 500.
 */
export async function deleteAbandonedUploads(
  ctx: ServiceContext,
  bucket: R2Bucket,
  graceHours: number,
): Promise<number> {
  const cutoff = new Date(ctx.now - graceHours * 3_600_000);
  const stale = await ctx.db
    .select({ id: files.id, key: files.key })
    .from(files)
    .where(and(eq(files.status, "pending"), lt(files.createdAt, cutoff)))
    .limit(500);
  if (stale.length === 0) return 0;
  await bucket.delete(stale.map((file) => file.key));
  await ctx.db.execute(
    sql`delete from files where status = 'pending' and id in (select jsonb_array_elements_text(${JSON.stringify(stale.map((f) => f.id))}::jsonb)::uuid)`,
  );
  return stale.length;
}

/**
 * How long after an upload was registered its presigned PUT may still be valid: the longest TTL the
 * configuration allows (whatever it was when the URL was signed), plus five minutes of clock slack.
 */
const UPLOAD_URL_MAX_LIFETIME_MS = (MAX_UPLOAD_URL_TTL_SECONDS + 300) * 1000;
/** Keys per R2 bulk delete (its limit is 1,000) and batches per cron run. */
const SWEEP_BATCH = 1000;
const SWEEP_BATCHES = 10;

/**
 * Cron: deletes the upload key of every completed upload once its presigned PUT has expired. `complete`
 * deletes that key, but the URL stays valid until it expires and a PUT after `complete` writes the key
 * again, bytes nothing references and nothing serves. Each upload is swept once (`raw_swept_at`), in
 * batches: per batch one read, one R2 bulk delete, one write.
 */
export async function sweepCompletedUploadKeys(ctx: ServiceContext, bucket: R2Bucket): Promise<number> {
  const cutoff = new Date(ctx.now - UPLOAD_URL_MAX_LIFETIME_MS);
  let swept = 0;
  for (let batch = 0; batch < SWEEP_BATCHES; batch++) {
    const done = await ctx.db
      .select({ id: files.id, orgId: files.orgId, purpose: files.purpose })
      .from(files)
      .where(and(eq(files.status, "ready"), isNull(files.rawSweptAt), lt(files.createdAt, cutoff)))
      .orderBy(files.createdAt)
      .limit(SWEEP_BATCH);
    if (done.length === 0) break;
    await bucket.delete(done.map(uploadKey));
    await ctx.db
      .update(files)
      .set({ rawSweptAt: new Date(ctx.now) })
      .where(
        inArray(
          files.id,
          done.map((file) => file.id),
        ),
      );
    swept += done.length;
    if (done.length < SWEEP_BATCH) break;
  }
  return swept;
}

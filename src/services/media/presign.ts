/**
 * R2's S3 API for the media services: presigned URLs (SigV4 in the query, the headers that must match
 * signed with them) and the file signatures a stored object's first bytes must carry.
 */
import { AwsClient } from "aws4fetch";
import { type Config, ConfigError } from "../../env.ts";

/** File signatures: the first bytes each allowed type must start with. */
export function magicMatches(contentType: string, head: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  switch (contentType) {
    case "image/jpeg":
      return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
    case "image/png":
      return [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, i) => head[i] === byte);
    case "image/webp":
      return ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP";
    case "image/avif":
      return ascii(4, 8) === "ftyp" && ["avif", "avis"].includes(ascii(8, 12));
    case "application/pdf":
      return ascii(0, 5) === "%PDF-";
    default:
      return false;
  }
}

/** The S3 client and object URLs for R2; a missing setting is a ConfigError naming it. */
export function s3(config: Config) {
  const missing = (
    ["R2_S3_ENDPOINT", "R2_BUCKET_NAME", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY"] as const
  ).filter((name) => !config[name]);
  if (missing.length)
    throw new ConfigError(missing.map((variable) => ({ variable, message: "is required for uploads" })));
  return {
    client: new AwsClient({
      accessKeyId: config.R2_ACCESS_KEY_ID ?? "",
      secretAccessKey: config.R2_SECRET_ACCESS_KEY ?? "",
      service: "s3",
      region: "auto",
    }),
    objectUrl: (key: string) =>
      `${config.R2_S3_ENDPOINT?.replace(/\/$/, "")}/${config.R2_BUCKET_NAME}/${key}`,
  };
}

/** A SigV4 query-presigned URL for `method` on `key`, binding the given headers. */
export async function presign(
  config: Config,
  method: "PUT" | "GET",
  key: string,
  ttl: number,
  headers: Record<string, string> = {},
) {
  const { client, objectUrl } = s3(config);
  const url = new URL(objectUrl(key));
  url.searchParams.set("X-Amz-Expires", String(ttl));
  const signed = await client.sign(new Request(url, { method, headers }), {
    aws: { signQuery: true, allHeaders: true },
  });
  return signed.url;
}

/** How long a private download link lives. */
export const DOWNLOAD_URL_SECONDS = 300;

/** A short-lived presigned GET for a private file's key, with its expiry (what every download route returns). */
export async function downloadUrl(config: Config, key: string, now: number) {
  return {
    url: await presign(config, "GET", key, DOWNLOAD_URL_SECONDS),
    expiresAt: new Date(now + DOWNLOAD_URL_SECONDS * 1000).toISOString(),
  };
}

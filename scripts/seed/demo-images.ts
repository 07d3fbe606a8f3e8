/**
 * Gives the demo listings product images through the real seller flow (presign → PUT straight to the
 * local S3 endpoint → complete → attach), once the Worker runs. Images are small generated PNG swatches.
 */
import { crc32, deflateSync } from "node:zlib";
import { DEMO_PASSWORD, demoOrgs } from "./identity.ts";

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A size×size PNG: a diagonal two-colour swatch. */
export function swatchPng(size: number, [r, g, b]: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const light = x + y < size ? 1 : 0.7;
      row.set([Math.round(r * light), Math.round(g * light), Math.round(b * light)], 1 + x * 3);
    }
    rows.push(row);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function call<T>(
  baseUrl: string,
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body) headers.set("content-type", "application/json");
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  const res = await fetch(`${baseUrl}${path}`, { ...init, headers });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Adds an image to each demo listing that has none. Returns how many listings got one. */
export async function addDemoImages(baseUrl: string): Promise<number> {
  let added = 0;
  for (const org of demoOrgs.filter((o) => o.kind === "seller")) {
    const { session } = await call<{ session: { token: string } }>(baseUrl, "/v1/auth/login", {
      method: "POST",
      body: JSON.stringify({ email: org.owner, password: DEMO_PASSWORD }),
    });
    const token = session.token;
    const page = await call<{ items: { id: string; version: number; images: unknown[] }[] }>(
      baseUrl,
      `/v1/orgs/${org.id}/listings?limit=100`,
      { token },
    );
    for (const [index, listing] of page.items.entries()) {
      if (listing.images.length > 0) continue;
      const hue = (index * 47) % 360;
      const colour = hslToRgb(hue);
      const png = swatchPng(96, colour);
      const upload = await call<{ uploadId: string; url: string; headers: Record<string, string> }>(
        baseUrl,
        `/v1/orgs/${org.id}/uploads`,
        {
          method: "POST",
          token,
          body: JSON.stringify({
            purpose: "image",
            contentType: "image/png",
            contentLength: png.length,
            filename: `demo-${index}.png`,
          }),
        },
      );
      const put = await fetch(upload.url, {
        method: "PUT",
        headers: { "content-type": "image/png" },
        body: png,
      });
      if (!put.ok) throw new Error(`demo image PUT: ${put.status} ${await put.text()}`);
      await call(baseUrl, `/v1/orgs/${org.id}/uploads/${upload.uploadId}/complete`, {
        method: "POST",
        token,
      });
      await call(baseUrl, `/v1/orgs/${org.id}/listings/${listing.id}`, {
        method: "PATCH",
        token,
        headers: { "if-match": `"${listing.version}"` },
        body: JSON.stringify({ images: [upload.uploadId] }),
      });
      added += 1;
    }
  }
  return added;
}

function hslToRgb(hue: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (0.55 - 0.35 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

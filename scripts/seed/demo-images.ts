/**
 * Gives the curated demo listings their product pictures through the real seller flow (presign → PUT
 * straight to the local S3 endpoint → complete, which verifies size, type and magic bytes → attach), once
 * the Worker runs. The pictures are drawn here (./drawings.ts); nothing is downloaded.
 */
import { type DemoApi, type SellerListing, sellerListings } from "./api.ts";
import { demoListings } from "./demo-catalog.ts";
import { type ProductKind, productImage } from "./drawings.ts";
import { demoOrgs } from "./identity.ts";

/** Adds its drawing to each curated demo listing that has no image. Returns how many listings got one. */
export async function addDemoImages(api: DemoApi): Promise<number> {
  let added = 0;
  for (const org of demoOrgs.filter((o) => o.kind === "seller")) {
    const curated = new Map(
      demoListings.filter((listing) => listing.seller === org.id).map((listing) => [listing.title, listing]),
    );
    const bare = (await sellerListings(api, org.owner, org.id)).filter(
      (listing) => curated.has(listing.title) && listing.images.length === 0,
    );
    // A few at a time: drawing (here) and verifying (in the Worker) overlap.
    for (let i = 0; i < bare.length; i += 4) {
      const batch = bare.slice(i, i + 4);
      await Promise.all(
        batch.map((listing) =>
          attachImage(api, org, listing, curated.get(listing.title)?.kind ?? "shipping-carton"),
        ),
      );
      added += batch.length;
    }
  }
  return added;
}

async function attachImage(
  api: DemoApi,
  org: { id: string; owner: string },
  listing: SellerListing,
  kind: ProductKind,
): Promise<void> {
  const png = productImage(kind);
  const upload = await api.json<{ uploadId: string; url: string }>(
    org.owner,
    "POST",
    `/v1/orgs/${org.id}/uploads`,
    {
      purpose: "image",
      contentType: "image/png",
      contentLength: png.length,
      filename: `${kind}.png`,
    },
  );
  const put = await fetch(upload.url, { method: "PUT", headers: { "content-type": "image/png" }, body: png });
  if (!put.ok) throw new Error(`demo image PUT: ${put.status} ${await put.text()}`);
  await api.json(org.owner, "POST", `/v1/orgs/${org.id}/uploads/${upload.uploadId}/complete`);
  await api.request(
    org.owner,
    "PATCH",
    `/v1/orgs/${org.id}/listings/${listing.id}`,
    { images: [upload.uploadId] },
    { "if-match": `"${listing.version}"` },
  );
}

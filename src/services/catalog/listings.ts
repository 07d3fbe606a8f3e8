import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { guard, textArray } from "../../db/atomic.ts";
import type { Db } from "../../db/client.ts";
import { listingImages, listings, listingVariants } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { assertKeyAccess, assertRole, memberRoleSql, orgWriteAccess } from "../identity/org-access.ts";
import type { Principal } from "../identity/principal.ts";
import { write } from "../write.ts";
import { cursorKeys, decodeCursor, encodeCursor } from "./cursor.ts";
import type { CreateListingInput, UpdateListingInput } from "./schemas.ts";
import { type ListingStatus, type ListingView, listingEtag, listingJson, normaliseListing } from "./views.ts";

/** Who may manage an organisation's listings, and who may look at its drafts. */

export type Row = { listing: ListingView };

/** The statement a listing write ends with: the listing as it now is (read back in the same batch). */
export function readBack(db: Db, listingId: string) {
  return db.execute<Row>(sql`select ${listingJson} as listing from listings l where l.id = ${listingId}`);
}

const categoryId = (slug: string) => sql`(select id from categories where slug = ${slug})`;
const asJson = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;

function attributesGuard(db: Db, category: SQL, objects: SQL) {
  return guard(
    db,
    "attributes_invalid",
    sql`jsonb_array_length(listing_attribute_problems(${category}, ${objects})) = 0`,
    sql`jsonb_build_object('keys', listing_attribute_problems(${category}, ${objects}))`,
  );
}

function imagesGuard(db: Db, orgId: string, images: string[]) {
  return guard(
    db,
    "images_not_ready",
    sql`(select count(*) from files where id in (select jsonb_array_elements_text(${asJson(images)})::uuid)
         and org_id = ${orgId} and purpose = 'image' and status = 'ready') = ${images.length}`,
  );
}

export const catalogGuardErrors = {
  seller_org: () => new ApiError("forbidden", "Only seller organisations can list goods."),
  category_exists: () =>
    new ApiError("validation_failed", "Unknown category.", {
      errors: [{ field: "body.category", message: "no such category" }],
    }),
  attributes_invalid: (detail: Record<string, unknown> | null) =>
    new ApiError("validation_failed", "Some attributes do not fit the category.", {
      errors: ((detail?.keys as string[] | undefined) ?? []).map((key) => ({
        field: `attributes.${key}`,
        message: "not defined for this category, or of the wrong type",
      })),
    }),
  images_not_ready: () =>
    new ApiError("validation_failed", "Every image must be a completed image upload of this organisation.", {
      errors: [{ field: "body.images", message: "unknown, not yet completed, or not an image" }],
    }),
  listing_exists: () => new ApiError("not_found", "Listing not found."),
  tiers_moq: () =>
    new ApiError("validation_failed", "The first price tier must start at the minimum order quantity.", {
      errors: [
        { field: "body.priceTiers", message: "the first tier must start at the minimum order quantity" },
      ],
    }),
};

/**
 * Locks the listing row for the rest of the batch. Under READ COMMITTED every later statement of the
 * batch then sees whatever a concurrent writer committed, so version and state guards cannot both pass.
 */
export function lockListing(db: Db, listingId: string) {
  return db.execute(sql`select id from listings where id = ${listingId} for update`);
}

function lowestPrice(tiers: { unitPriceMinor: number }[]) {
  return Math.min(...tiers.map((tier) => tier.unitPriceMinor));
}

function variantRows(listingId: string, variants: CreateListingInput["variants"]) {
  return variants.map((variant, position) => ({
    listingId,
    sku: variant.sku,
    attributes: variant.attributes,
    stock: variant.stock,
    weightGrams: variant.weightGrams ?? null,
    position,
  }));
}

/** Creates a draft listing with its variants and images: one round trip, returning the full view. */
export async function createListing(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  input: CreateListingInput,
): Promise<ListingView> {
  const id = crypto.randomUUID();
  const db = ctx.db;
  const objects = asJson([input.attributes, ...input.variants.map((v) => v.attributes)]);
  const statements = [
    ...orgWriteAccess(ctx, principal, orgId, "listings:write"),
    guard(
      db,
      "seller_org",
      sql`exists (select 1 from organizations where id = ${orgId} and kind in ('seller', 'both'))`,
    ),
    guard(db, "category_exists", sql`${categoryId(input.category)} is not null`),
    attributesGuard(db, categoryId(input.category), objects),
    ...(input.images.length ? [imagesGuard(db, orgId, input.images)] : []),
    db.insert(listings).values({
      id,
      orgId,
      categoryId: categoryId(input.category),
      title: input.title,
      description: input.description,
      currency: input.currency,
      priceTiers: input.priceTiers,
      minUnitPriceMinor: lowestPrice(input.priceTiers),
      minOrderQuantity: input.minOrderQuantity,
      orderIncrement: input.orderIncrement,
      leadTimeDays: input.leadTimeDays,
      attributes: input.attributes,
      createdBy: principal.kind === "user" ? principal.userId : null,
    }),
    db.insert(listingVariants).values(variantRows(id, input.variants)),
    ...(input.images.length
      ? [
          db
            .insert(listingImages)
            .values(input.images.map((fileId, position) => ({ listingId: id, fileId, position }))),
        ]
      : []),
  ];
  const { listing } = await write(db, "manage listings", catalogGuardErrors)
    .add(...statements)
    .one("listing", readBack(db, id), (result) => result.rows[0]?.listing, "Listing not found.")
    .commit();
  return normaliseListing(listing);
}

/**
 * Edits a listing at the version the caller read (optimistic concurrency; a stale version is 412). A
 * published listing stays live. One round trip: every rule is a guard in the same batch as the update.
 */
export async function updateListing(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  listingId: string,
  expectedVersion: number,
  changes: UpdateListingInput,
): Promise<ListingView> {
  const db = ctx.db;
  const exists = sql`exists (select 1 from listings where id = ${listingId} and org_id = ${orgId})`;
  const category = changes.category
    ? categoryId(changes.category)
    : sql`(select category_id from listings where id = ${listingId})`;
  const statements: BatchItem<"pg">[] = [
    ...orgWriteAccess(ctx, principal, orgId, "listings:write"),
    // Row lock first: a concurrent edit of the same listing waits here, then sees the new version.
    lockListing(db, listingId),
    guard(db, "listing_exists", exists),
    guard(
      db,
      "version_mismatch",
      sql`(select version from listings where id = ${listingId}) = ${expectedVersion}`,
      sql`jsonb_build_object('version', (select version from listings where id = ${listingId}))`,
    ),
    guard(db, "listing_archived", sql`(select status from listings where id = ${listingId}) <> 'archived'`),
  ];
  if (changes.category) statements.push(guard(db, "category_exists", sql`${category} is not null`));
  if (changes.category || changes.attributes || changes.variants) {
    const listingAttributes = changes.attributes
      ? asJson([changes.attributes])
      : sql`(select jsonb_build_array(attributes) from listings where id = ${listingId})`;
    const variantAttributes = changes.variants
      ? asJson(changes.variants.map((v) => v.attributes))
      : sql`(select coalesce(jsonb_agg(attributes), '[]'::jsonb) from listing_variants where listing_id = ${listingId})`;
    statements.push(attributesGuard(db, category, sql`(${listingAttributes} || ${variantAttributes})`));
  }
  if (changes.priceTiers || changes.minOrderQuantity !== undefined) {
    const firstTier = changes.priceTiers?.[0]
      ? sql`${changes.priceTiers[0].minQuantity}::int`
      : sql`((select price_tiers from listings where id = ${listingId})->0->>'minQuantity')::int`;
    const moq =
      changes.minOrderQuantity !== undefined
        ? sql`${changes.minOrderQuantity}::int`
        : sql`(select min_order_quantity from listings where id = ${listingId})`;
    statements.push(guard(db, "tiers_moq", sql`${firstTier} = ${moq}`));
  }
  if (changes.images?.length) statements.push(imagesGuard(db, orgId, changes.images));

  const { category: _slug, variants, images, ...fields } = changes;
  statements.push(
    db
      .update(listings)
      .set({
        ...fields,
        ...(changes.category ? { categoryId: category } : {}),
        ...(changes.priceTiers ? { minUnitPriceMinor: lowestPrice(changes.priceTiers) } : {}),
        version: sql`${listings.version} + 1`,
        updatedAt: new Date(ctx.now),
      })
      .where(
        sql`${listings.id} = ${listingId} and ${listings.orgId} = ${orgId} and ${listings.version} = ${expectedVersion}`,
      ),
  );
  if (variants) {
    // Variants keep their ids by SKU (orders will point at them); those left out are removed.
    statements.push(
      db.execute(sql`delete from listing_variants where listing_id = ${listingId}
        and sku <> all(${textArray(variants.map((v) => v.sku))})`),
      db
        .insert(listingVariants)
        .values(variantRows(listingId, variants))
        .onConflictDoUpdate({
          target: [listingVariants.listingId, listingVariants.sku],
          set: {
            attributes: sql`excluded.attributes`,
            stock: sql`excluded.stock`,
            weightGrams: sql`excluded.weight_grams`,
            position: sql`excluded.position`,
          },
        }),
    );
  }
  if (images) {
    statements.push(db.execute(sql`delete from listing_images where listing_id = ${listingId}`));
    if (images.length) {
      statements.push(
        db.insert(listingImages).values(images.map((fileId, position) => ({ listingId, fileId, position }))),
      );
    }
  }
  const { listing } = await write(db, "manage listings", {
    ...catalogGuardErrors,
    version_mismatch: (detail) =>
      new ApiError(
        "precondition_failed",
        "The listing changed since you read it; fetch it again and reapply.",
        {
          extra: { currentVersion: detail?.version },
          headers: typeof detail?.version === "number" ? { ETag: listingEtag(detail.version) } : {},
        },
      ),
    listing_archived: () => new ApiError("conflict", "Archived listings cannot be edited."),
  })
    .add(...statements)
    .one("listing", readBack(db, listingId), (result) => result.rows[0]?.listing, "Listing not found.")
    .commit();
  return normaliseListing(listing);
}

/** A listing of the organisation in any state (its editors and viewers; API keys with listings:read). */
export async function getOwnListing(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  listingId: string,
) {
  assertKeyAccess(principal, orgId, "listings:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const { rows } = await ctx.db.execute<{ role: string | null; listing: ListingView | null }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select ${listingJson} from listings l where l.id = ${listingId} and l.org_id = ${orgId}) as listing`);
  const row = rows[0];
  if (principal.kind === "user") assertRole(row?.role, "listings:read", "see this organisation's listings");
  if (!row?.listing) throw new ApiError("not_found", "Listing not found.");
  return normaliseListing(row.listing);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The organisation's listings, newest edit first, optionally by status; keyset pages. One round trip. */
export async function listOwnListings(
  ctx: ServiceContext,
  principal: Principal,
  orgId: string,
  query: { status?: ListingStatus; limit: number; cursor?: string },
): Promise<Page<ListingView>> {
  assertKeyAccess(principal, orgId, "listings:read");
  const userId = principal.kind === "user" ? principal.userId : null;
  const scope = ["own", orgId, query.status ?? null];
  const after = query.cursor ? await decodeCursor(ctx, query.cursor, scope, cursorKeys.timeAndId) : undefined;
  const { rows } = await ctx.db.execute<{
    role: string | null;
    items: { listing: ListingView; key: string }[] | null;
  }>(sql`
    select ${memberRoleSql(orgId, userId)} as role,
      (select json_agg(json_build_object('listing', x.listing, 'key', x.key) order by x.updated_at desc, x.id desc) from (
        select ${listingJson} as listing, l.updated_at::text as key, l.updated_at, l.id from listings l
        where l.org_id = ${orgId}
          ${query.status ? sql`and l.status = ${query.status}` : sql``}
          ${after ? sql`and (l.updated_at, l.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``}
        order by l.updated_at desc, l.id desc
        limit ${query.limit + 1}) x) as items`);
  const row = rows[0];
  if (principal.kind === "user") assertRole(row?.role, "listings:read", "see this organisation's listings");
  const items = row?.items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((item) => normaliseListing(item.listing)),
    nextCursor:
      items.length > query.limit && last ? await encodeCursor(ctx, scope, [last.key, last.listing.id]) : null,
  };
}

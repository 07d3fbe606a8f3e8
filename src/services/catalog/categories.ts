import { asc, sql } from "drizzle-orm";
import type { Category } from "../../contracts/catalog.ts";
import { guard } from "../../db/atomic.ts";
import { type AttributeDefinition, categories } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/problem.ts";
import type { ServiceContext } from "../context.ts";
import { type Principal, principalGuard } from "../identity/principal.ts";
import { write } from "../write.ts";
import { adminGuard } from "./lifecycle.ts";

/** The tree is two levels deep: top-level categories and their sub-categories. */
type CategoryNode = Category;

/** The whole category tree (small reference data): one round trip. */
export async function categoryTree(ctx: ServiceContext): Promise<CategoryNode[]> {
  const rows = await ctx.db.select().from(categories).orderBy(asc(categories.position), asc(categories.name));
  const roots = new Map<string, CategoryNode>();
  for (const row of rows) {
    if (!row.parentId)
      roots.set(row.id, { slug: row.slug, name: row.name, attributes: row.attributes, children: [] });
  }
  for (const row of rows) {
    const parent = row.parentId ? roots.get(row.parentId) : undefined;
    parent?.children.push({ slug: row.slug, name: row.name, attributes: row.attributes, children: [] });
  }
  return [...roots.values()];
}

export interface CategoryInput {
  slug: string;
  name: string;
  parent?: string;
  attributes: AttributeDefinition[];
}

/**
 * Adds a category (platform admins). Sub-categories go under a top-level category (the tree stays two
 * levels deep). One round trip.
 */
export async function createCategory(
  ctx: ServiceContext,
  principal: Principal,
  input: CategoryInput,
): Promise<Category> {
  const parent = input.parent
    ? sql`(select id from categories where slug = ${input.parent} and parent_id is null)`
    : sql`null::uuid`;
  await write(ctx.db, "manage categories", {
    not_platform_admin: () => new ApiError("forbidden", "Only platform admins manage categories."),
    parent_exists: () =>
      new ApiError("validation_failed", "Unknown parent category.", {
        errors: [{ field: "body.parent", message: "must be a top-level category slug" }],
      }),
    slug_free: () => new ApiError("conflict", "A category with this slug exists."),
  })
    .add(
      principalGuard(ctx.db, principal, new Date(ctx.now)),
      adminGuard(ctx.db, principal),
      guard(ctx.db, "parent_exists", input.parent ? sql`${parent} is not null` : sql`true`),
      guard(ctx.db, "slug_free", sql`not exists (select 1 from categories where slug = ${input.slug})`),
      ctx.db.execute(sql`insert into categories (slug, name, parent_id, position, attributes)
        values (${input.slug}, ${input.name}, ${parent},
          (select coalesce(max(position), -1) + 1 from categories where parent_id is not distinct from ${parent}),
          ${JSON.stringify(input.attributes)}::jsonb)`),
    )
    .commit();
  return { slug: input.slug, name: input.name, attributes: input.attributes, children: [] };
}

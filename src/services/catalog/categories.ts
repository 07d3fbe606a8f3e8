import { asc } from "drizzle-orm";
import { type AttributeDefinition, categories } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

/** A sub-category. The tree is two levels deep: top-level categories and their sub-categories. */
export interface CategoryLeaf {
  slug: string;
  name: string;
  attributes: AttributeDefinition[];
  children: [];
}

export interface CategoryNode extends Omit<CategoryLeaf, "children"> {
  children: CategoryLeaf[];
}

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

import { asc } from "drizzle-orm";
import { type AttributeDefinition, categories } from "../../db/schema/index.ts";
import type { ServiceContext } from "../context.ts";

export interface CategoryNode {
  slug: string;
  name: string;
  attributes: AttributeDefinition[];
  children: CategoryNode[];
}

/** The whole category tree (small reference data): one round trip. */
export async function categoryTree(ctx: ServiceContext): Promise<CategoryNode[]> {
  const rows = await ctx.db.select().from(categories).orderBy(asc(categories.position), asc(categories.name));
  const nodes = new Map(
    rows.map((row) => [
      row.id,
      { slug: row.slug, name: row.name, attributes: row.attributes, children: [] as CategoryNode[] },
    ]),
  );
  const roots: CategoryNode[] = [];
  for (const row of rows) {
    const node = nodes.get(row.id);
    if (!node) continue;
    const parent = row.parentId ? nodes.get(row.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

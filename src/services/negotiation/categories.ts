import { sql } from "drizzle-orm";
import type { ServiceContext } from "../context.ts";

export type CategoryChoice = {
  id: string;
  name: string;
  /** The top-level category's name for a sub-category. */
  parent: string | null;
};

/**
 * Categories by id (the public tree names them by slug; an RFQ open to a category names it by id), tops
 * first, each followed by its sub-categories. Small reference data: one round trip.
 */
export async function categoryChoices(ctx: ServiceContext): Promise<CategoryChoice[]> {
  const { rows } = await ctx.db.execute<CategoryChoice>(sql`
    select c.id, c.name, p.name as parent from categories c left join categories p on p.id = c.parent_id
    order by coalesce(p.position, c.position), coalesce(p.name, c.name), c.parent_id nulls first, c.position, c.name`);
  return rows;
}

import { z } from "zod";

export const attributeDefinition = z
  .object({
    key: z.string(),
    label: z.string(),
    type: z.enum(["text", "number", "boolean", "enum"]),
    unit: z.string().optional(),
    options: z.array(z.string()).optional(),
    facet: z.boolean().optional(),
  })
  .meta({ id: "AttributeDefinition", description: "A typed attribute listings of a category carry" });

export interface Category {
  slug: string;
  name: string;
  attributes: z.infer<typeof attributeDefinition>[];
  children: Category[];
}

/** A category and its sub-categories (recursive; today the tree is two levels deep). */
export const category: z.ZodType<Category> = z
  .object({
    slug: z.string(),
    name: z.string(),
    attributes: z.array(attributeDefinition),
    get children() {
      return z.array(category);
    },
  })
  .meta({ id: "Category" });

export const categoryTree = z.object({ categories: z.array(category) }).meta({ id: "CategoryTree" });

/**
 * A listing's price in responses: what is stored. Input is bounded (services/catalog/schemas.ts: at most
 * 10^10 a unit); responses are not, since a stored price may predate a bound, and the API shows it (a cart
 * flags such a line and checkout refuses it) rather than failing the whole page.
 */
export const amountMinor = z.number().meta({ description: "Minor units (cents) of the listing's currency" });

export const priceTierView = z
  .object({ minQuantity: z.number().int(), unitPriceMinor: amountMinor })
  .meta({ id: "PriceTierView", description: "From this quantity up, this unit price" });

/** A seller's rating from its reviews (see src/contracts/reviews.ts), on listings, search hits and its profile. */
export const sellerRating = z
  .object({
    average: z
      .number()
      .nullable()
      .meta({ description: "Mean of the visible reviews' stars, one decimal; null before the first review" }),
    count: z.number().int().meta({ description: "Visible (not hidden) reviews" }),
  })
  .meta({
    id: "SellerRating",
    description: "Kept current by the database as reviews are posted, edited, hidden and unhidden",
  });
export type SellerRating = z.infer<typeof sellerRating>;

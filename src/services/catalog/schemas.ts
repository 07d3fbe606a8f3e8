import { z } from "zod";
import { usableText } from "../../lib/text.ts";
import { uuidInput } from "../../lib/uuid.ts";

/** Listing input rules, shared by the OpenAPI routes (validation, docs) and the services. */

/**
 * The highest unit price a listing may ask, in minor units (10^10: 100 million in a currency with cents).
 * With every quantity bounded too, no price, line or search bound can leave the range of exact numbers.
 */
export const MAX_UNIT_PRICE_MINOR = 10_000_000_000;

const attributeValue = z.union([
  usableText(z.string().trim().min(1).max(200)),
  z.number().finite(),
  z.boolean(),
]);
export const attributesSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "attribute keys are snake_case, up to 40 characters"),
    attributeValue,
  )
  .refine((value) => Object.keys(value).length <= 50, "at most 50 attributes")
  .meta({ example: { material: "stainless-steel", length_mm: 40 } });

export const priceTierSchema = z
  .object({
    minQuantity: z.number().int().min(1).max(10_000_000),
    unitPriceMinor: z
      .number()
      .int()
      .min(0)
      .max(MAX_UNIT_PRICE_MINOR)
      .meta({ description: "Unit price in minor units (cents) of the listing's currency, at most 10^10" }),
  })
  .strict()
  .meta({ id: "PriceTier" });

export const variantInputSchema = z
  .object({
    sku: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, dot, dash and underscore, up to 64"),
    attributes: attributesSchema.default({}),
    stock: z.number().int().min(0).max(1_000_000_000),
    weightGrams: z.number().int().min(0).max(100_000_000).nullable().optional(),
  })
  .strict()
  .meta({ id: "VariantInput" });

const pricingFields = {
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code in capitals")
    .meta({ example: "EUR" }),
  priceTiers: z.array(priceTierSchema).min(1).max(10),
  minOrderQuantity: z.number().int().min(1).max(10_000_000),
  orderIncrement: z.number().int().min(1).max(10_000_000),
};

const listingFields = {
  title: usableText(z.string().trim().min(3).max(200)),
  description: usableText(z.string().trim().max(10_000), "multi"),
  category: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/, "is a category slug")
    .meta({ example: "fasteners" }),
  ...pricingFields,
  leadTimeDays: z.number().int().min(0).max(365),
  attributes: attributesSchema,
  variants: z.array(variantInputSchema).min(1).max(100),
  images: z.array(uuidInput()).max(20).meta({ description: "Ready image upload ids, in display order" }),
};

type TierRuleInput = {
  priceTiers?: { minQuantity: number; unitPriceMinor: number }[];
  minOrderQuantity?: number;
  variants?: { sku: string }[];
  images?: string[];
};

/** Rules across fields, for create and (on the fields present) for update. */
function crossFieldRules(value: TierRuleInput, ctx: z.RefinementCtx) {
  const tiers = value.priceTiers;
  if (tiers) {
    tiers.forEach((tier, i) => {
      if (tier.minQuantity * tier.unitPriceMinor > Number.MAX_SAFE_INTEGER) {
        ctx.addIssue({
          code: "custom",
          path: ["priceTiers", i],
          message: "minQuantity × unitPriceMinor must stay within 2^53 − 1 minor units",
        });
      }
    });
    for (let i = 1; i < tiers.length; i++) {
      const [previous, current] = [tiers[i - 1], tiers[i]];
      if (!previous || !current) continue;
      if (current.minQuantity <= previous.minQuantity) {
        ctx.addIssue({
          code: "custom",
          path: ["priceTiers", i, "minQuantity"],
          message: "tiers must start at rising quantities",
        });
      }
      if (current.unitPriceMinor > previous.unitPriceMinor) {
        ctx.addIssue({
          code: "custom",
          path: ["priceTiers", i, "unitPriceMinor"],
          message: "a larger quantity must not cost more per unit",
        });
      }
    }
    if (value.minOrderQuantity !== undefined && tiers[0] && tiers[0].minQuantity !== value.minOrderQuantity) {
      ctx.addIssue({
        code: "custom",
        path: ["priceTiers", 0, "minQuantity"],
        message: "the first tier must start at the minimum order quantity",
      });
    }
  }
  if (value.variants) {
    const seen = new Set<string>();
    value.variants.forEach((variant, index) => {
      const key = variant.sku.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({ code: "custom", path: ["variants", index, "sku"], message: "duplicate SKU" });
      seen.add(key);
    });
  }
  if (value.images && new Set(value.images).size !== value.images.length) {
    ctx.addIssue({ code: "custom", path: ["images"], message: "an image may appear once" });
  }
}

export const createListingSchema = z
  .strictObject({
    ...listingFields,
    description: listingFields.description.default(""),
    minOrderQuantity: pricingFields.minOrderQuantity.default(1),
    orderIncrement: pricingFields.orderIncrement.default(1),
    leadTimeDays: listingFields.leadTimeDays.default(0),
    attributes: attributesSchema.default({}),
    images: listingFields.images.default([]),
  })
  .superRefine(crossFieldRules)
  .meta({ id: "ListingInput" });

export const updateListingSchema = z
  .strictObject(listingFields)
  .partial()
  .superRefine((value, ctx) => {
    if (Object.keys(value).length === 0)
      ctx.addIssue({ code: "custom", path: [], message: "must change at least one field" });
    crossFieldRules(value, ctx);
  })
  .meta({ id: "ListingChanges" });

export type CreateListingInput = z.infer<typeof createListingSchema>;
export type UpdateListingInput = z.infer<typeof updateListingSchema>;

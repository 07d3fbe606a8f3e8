/**
 * Asking for quotes: about a listing (its seller, one of its variants) or open to the sellers of a
 * category with free-text items (three rows without JavaScript; blank rows are ignored). Validated with
 * the API's own body schema; refusals re-render the form with what was typed.
 */
import { Hono } from "hono";
import { serviceContext } from "../../../routes/context.ts";
import { rfqBody } from "../../../routes/negotiation/negotiation.routes.ts";
import type { ListingView } from "../../../services/catalog/views.ts";
import { getOrg } from "../../../services/identity/orgs.ts";
import { categoryChoices } from "../../../services/negotiation/categories.ts";
import { createRfq } from "../../../services/negotiation/rfqs.ts";
import type { AppEnv } from "../../../types.ts";
import { publishedListingCached } from "../../cache.ts";
import type { FieldErrors } from "../../components.tsx";
import { isUuid, redirectWith, type WebContext } from "../../context.ts";
import { parseDecimal } from "../../format.ts";
import { attempt, type Form, field, readForm, zodErrors } from "../../forms.ts";
import { buyerForPost, buyerRead } from "../buyer/shared.tsx";
import { type NewData, renderNew } from "./rfq-form.tsx";

export const rfqNewPages = new Hono<AppEnv>();

/** The listing asked about (from the edge copy), or the categories to choose from. */
async function readNew(c: WebContext, listingId: string | undefined): Promise<NewData> {
  if (listingId) return { listing: await publishedListingCached(c, listingId), categories: [] };
  return { categories: await categoryChoices(serviceContext(c)) };
}

function listingIdOf(text: string | undefined): string | undefined {
  return text && isUuid(text) ? text.toLowerCase() : undefined;
}

rfqNewPages.get("/rfqs/new", async (c) => {
  const listingId = listingIdOf(c.req.query("listingId"));
  const result = await buyerRead(c, async (orgId, principal) => {
    const [org, data] = await Promise.all([
      getOrg(serviceContext(c), principal, orgId),
      readNew(c, listingId),
    ]);
    return { org, ...data };
  });
  if (result instanceof Response) return result;
  const { listing, org } = result.data;
  const prefill = new URLSearchParams();
  if (org.country) prefill.set("deliveryCountry", org.country);
  if (listing) {
    prefill.set("title", `Quote for ${listing.title}`.slice(0, 200));
    const variant = listing.variants.find((v) => v.id === c.req.query("variant")) ?? listing.variants[0];
    if (variant) prefill.set("items.0.variantId", variant.id);
    const top = listing.priceTiers.reduce((max, tier) => Math.max(max, tier.minQuantity), 0);
    prefill.set(
      "items.0.quantity",
      c.req.query("quantity") ?? String(Math.max(top, listing.minOrderQuantity)),
    );
  }
  return renderNew(c, result, result.data, prefill);
});

/** The form as the API's RFQ body; the row numbers of item errors follow the rows shown. */
function bodyFrom(form: Form, listing: ListingView | undefined) {
  const currency = listing?.currency ?? field(form, "currency");
  const errors: FieldErrors = {};
  const items: Record<string, unknown>[] = [];
  const positions: number[] = [];
  for (let i = 0; i < 50; i++) {
    const description = listing ? listing.title : field(form, `items.${i}.description`);
    const quantity = field(form, `items.${i}.quantity`);
    const target = field(form, `items.${i}.targetUnitPriceMinor`);
    if (!form.has(`items.${i}.quantity`)) break;
    if (!listing && !description && !quantity && !target) continue;
    const targetMinor = target ? parseDecimal(target, currency || "EUR") : undefined;
    if (target && targetMinor === undefined)
      errors[`items.${i}.targetUnitPriceMinor`] = "enter a price like 12.50, or leave it empty";
    positions.push(i);
    const variantId = field(form, `items.${i}.variantId`);
    items.push({
      ...(variantId ? { variantId } : {}),
      description,
      quantity: /^\d{1,9}$/.test(quantity) ? Number(quantity) : Number.NaN,
      ...(targetMinor !== undefined ? { targetUnitPriceMinor: targetMinor } : {}),
    });
  }
  const optional = (name: string) => (form.get(name) ?? "").replace(/\r\n?/g, "\n").trim() || undefined;
  const body = {
    title: field(form, "title"),
    ...(listing ? { listingId: listing.id } : { categoryId: field(form, "categoryId") || undefined }),
    currency,
    deliveryCountry: field(form, "deliveryCountry").toUpperCase(),
    neededBy: field(form, "neededBy"),
    notes: optional("notes"),
    internalNotes: optional("internalNotes"),
    items,
  };
  const parsed = rfqBody.safeParse(body);
  if (!parsed.success) {
    for (const [key, message] of Object.entries(zodErrors(parsed.error))) {
      const name = key.replace(/^items\.(\d+)/, (_, n: string) => `items.${positions[Number(n)] ?? n}`);
      errors[name === "items" ? (listing ? "items.0.quantity" : "items.0.description") : name] ??=
        name === "items" ? "add at least one item" : message;
    }
  }
  return parsed.success && Object.keys(errors).length === 0 ? { body: parsed.data, errors } : { errors };
}

rfqNewPages.post("/rfqs/new", async (c) => {
  const form = await readForm(c);
  const buyer = await buyerForPost(c);
  if (buyer instanceof Response) return buyer;
  const data = await readNew(c, listingIdOf(field(form, "listingId")));
  const again = (problem: { message?: string; errors?: FieldErrors }, status: 403 | 404 | 409 | 422) =>
    renderNew(c, buyer, data, form, problem, status);
  const { body, errors } = bodyFrom(form, data.listing);
  if (!body) return again({ errors }, 422);
  const done = await attempt(
    () => createRfq(serviceContext(c), buyer.principal, buyer.org.orgId, body),
    // The service's own validation (a date in the past) is a form error like the schema's.
    (p) =>
      again(
        { message: p.message, errors: p.errors },
        (p.status === 400 ? 422 : p.status) as 403 | 404 | 409 | 422,
      ),
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/rfqs/${done.id}`, "rfq-created");
});

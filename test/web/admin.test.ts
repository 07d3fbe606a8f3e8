import { describe, expect, it } from "vitest";
import { createListing, newAdmin, newSeller, type Seller } from "../support/catalog.ts";
import { api, json, signUp } from "../support/identity.ts";
import { webPage } from "../support/web.ts";

async function pendingListing(seller: Seller, title: string) {
  const listing = await createListing(seller, { title });
  const submit = await api(`/v1/orgs/${seller.orgId}/listings/${listing.id}/submit`, {
    method: "POST",
    token: seller.owner.token,
  });
  expect(submit.status).toBe(200);
  return listing;
}

async function statusOf(seller: Seller, listingId: string) {
  const res = await api(`/v1/orgs/${seller.orgId}/listings/${listingId}`, { token: seller.owner.token });
  return (await json<{ status: string; rejectionReason: string | null }>(res)) as {
    status: string;
    rejectionReason: string | null;
  };
}

describe("admin pages are for platform admins", () => {
  it.each(["/admin", "/admin/categories"])("anonymous GET %s → sign in", async (path) => {
    const res = await webPage(path);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(path)}`);
  });

  it("anyone else gets the 403 page, and their posts change nothing", async () => {
    const user = await signUp();
    const seller = await newSeller();
    const listing = await pendingListing(seller, "Nitrile gloves, box of 100");
    for (const path of ["/admin", "/admin/categories"]) {
      const res = await webPage(path, { cookies: [user.cookie] });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("You do not have access");
    }
    const approve = await webPage(`/admin/listings/${listing.id}/approve`, {
      cookies: [user.cookie],
      form: {},
    });
    expect(approve.status).toBe(403);
    const category = await webPage("/admin/categories", {
      cookies: [user.cookie],
      form: { name: "Sneaky", slug: "sneaky" },
    });
    expect(category.status).toBe(403);
    expect((await statusOf(seller, listing.id)).status).toBe("pending_review");
  });
});

describe("moderation queue", () => {
  it("shows a pending listing with its seller and tiers; approving publishes it", async () => {
    const admin = await newAdmin();
    const seller = await newSeller("Baltic Fasteners");
    const listing = await pendingListing(seller, "Zinc-plated washer M10, pack of 500");
    const page = await webPage("/admin", { cookies: [admin.cookie] });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Zinc-plated washer M10, pack of 500");
    expect(html).toContain("Baltic Fasteners");
    expect(html).toContain("€0.42");
    expect(html).toContain("New listing");

    const res = await webPage(`/admin/listings/${listing.id}/approve`, { cookies: [admin.cookie], form: {} });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin?notice=listing-approved");
    expect((await statusOf(seller, listing.id)).status).toBe("published");
    expect((await api(`/v1/listings/${listing.id}`)).status).toBe(200);
    expect(await (await webPage("/admin", { cookies: [admin.cookie] })).text()).not.toContain(
      `id="listing-${listing.id}"`,
    );
  });

  it("rejecting needs a reason, shown next to the field; with one the seller gets it", async () => {
    const admin = await newAdmin();
    const seller = await newSeller();
    const listing = await pendingListing(seller, "Pallet wrap film 23 micron");

    const empty = await webPage(`/admin/listings/${listing.id}/reject`, {
      cookies: [admin.cookie],
      form: { reason: "  " },
    });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(html).toMatch(new RegExp(`id="reason-${listing.id}"[^>]*aria-invalid="true"`));
    expect(html).toContain(`id="reason-${listing.id}-error"`);
    expect((await statusOf(seller, listing.id)).status).toBe("pending_review");

    const reason = "Photos show a different product; add the film's width.";
    const res = await webPage(`/admin/listings/${listing.id}/reject`, {
      cookies: [admin.cookie],
      form: { reason },
    });
    expect(res.status).toBe(303);
    expect(await statusOf(seller, listing.id)).toMatchObject({ status: "rejected", rejectionReason: reason });

    // Already decided: the queue says so instead of failing.
    const again = await webPage(`/admin/listings/${listing.id}/approve`, {
      cookies: [admin.cookie],
      form: {},
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("cannot be approved");
  });
});

describe("categories", () => {
  it("shows the tree with attribute definitions and adds a sub-category", async () => {
    const admin = await newAdmin();
    const page = await (await webPage("/admin/categories", { cookies: [admin.cookie] })).text();
    // The tree with each category's attribute definitions; only top-level categories can be parents.
    expect(page).toContain('<th scope="row" data-label="Category">Fasteners</th>');
    expect(page).toContain(
      '<strong>Length</strong> <code>length_mm</code> <span class="muted">Number, in mm</span>',
    );
    expect(page).toContain('<option value="industrial-supplies"');
    expect(page).not.toContain('<option value="fasteners"');

    const slug = `anchors-${Date.now().toString(36)}`;
    const res = await webPage("/admin/categories", {
      cookies: [admin.cookie],
      form: {
        name: "Wall anchors",
        slug,
        parent: "industrial-supplies",
        "key.0": "anchor_type",
        "label.0": "Anchor type",
        "type.0": "enum",
        "options.0": "nylon, metal , chemical",
        "unit.0": "",
        "facet.0": "1",
        "key.1": "diameter_mm",
        "label.1": "Diameter",
        "type.1": "number",
        "options.1": "",
        "unit.1": "mm",
        "key.2": "",
        "label.2": "",
        "type.2": "text",
        "options.2": "",
        "unit.2": "",
      },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/categories?notice=category-created");
    const { categories } = await json<{
      categories: { slug: string; children: { slug: string; attributes: unknown[] }[] }[];
    }>(await api("/v1/categories"));
    const created = categories
      .find((c) => c.slug === "industrial-supplies")
      ?.children.find((c) => c.slug === slug);
    expect(created?.attributes).toEqual([
      {
        key: "anchor_type",
        label: "Anchor type",
        type: "enum",
        options: ["nylon", "metal", "chemical"],
        facet: true,
      },
      { key: "diameter_mm", label: "Diameter", type: "number", unit: "mm" },
    ]);
  });

  it("explains a bad definition next to its row and keeps the form", async () => {
    const admin = await newAdmin();
    const res = await webPage("/admin/categories", {
      cookies: [admin.cookie],
      form: {
        name: "Cable ties",
        slug: "Cable Ties!",
        parent: "",
        "key.0": "",
        "label.0": "",
        "type.0": "text",
        "options.0": "",
        "unit.0": "",
        "key.1": "colour",
        "label.1": "Colour",
        "type.1": "enum",
        "options.1": "",
        "unit.1": "",
      },
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-slug-error"');
    expect(html).toContain('id="f-attributes-1-options-error"');
    expect(html).toContain('value="Cable ties"');
  });
});

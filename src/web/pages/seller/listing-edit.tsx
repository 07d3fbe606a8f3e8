/**
 * Creating and editing a listing: the form (version in a hidden field, passed as If-Match), lifecycle
 * buttons (submit for review, archive), and images (direct-to-R2 upload by script, reorder by form).
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Category } from "../../../contracts/catalog.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { categoryTree } from "../../../services/catalog/categories.ts";
import { transitionListing, transitions } from "../../../services/catalog/lifecycle.ts";
import * as listings from "../../../services/catalog/listings.ts";
import {
  type CreateListingInput,
  type UpdateListingInput,
  updateListingSchema,
} from "../../../services/catalog/schemas.ts";
import type { ListingView } from "../../../services/catalog/views.ts";
import { rolesFor } from "../../../services/identity/permissions.ts";
import type { MemberRole } from "../../../services/identity/principal.ts";
import type { AppEnv } from "../../../types.ts";
import { dropListingPages } from "../../cache.ts";
import { Breadcrumbs, type FieldErrors, StatusBadge } from "../../components.tsx";
import type { Membership, Viewer, WebContext } from "../../context.ts";
import { isUuid, type Notice, pageFacts, redirectWith } from "../../context.ts";
import { attempt, field, readForm } from "../../forms.ts";
import { page } from "../../render.tsx";
import { ImagesPanel } from "./images.tsx";
import {
  buildInput,
  emptyValues,
  findCategory,
  formFieldOf,
  ListingForm,
  type ListingFormValues,
  SaveButton,
  validate,
  valuesFromForm,
  valuesFromListing,
} from "./listing-form.tsx";
import { SellerHead, sellerActor, sellerPage } from "./shared.tsx";

export const listingEditor = new Hono<AppEnv>();

const FORM_ID = "listing-form";

function listingIdOf(c: WebContext): string {
  const id = c.req.param("id") ?? "";
  if (!isUuid(id)) throw new ApiError("not_found", "Listing not found.");
  return id.toLowerCase();
}

/** Whether the member's role may change listings (the permission table, as the services check it). */
export function canWriteListings(org: Membership): boolean {
  return (rolesFor("listings:write") as readonly string[]).includes(org.role as MemberRole);
}

function forbidden(): never {
  throw new ApiError("forbidden", "Your role in this organisation lets you view listings, not change them.");
}

/** Service errors keyed by the form's own field names. */
function formErrors(errors: FieldErrors, built: ReturnType<typeof buildInput>, axes: string[]): FieldErrors {
  const mapped: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) mapped[formFieldOf(key, built.rows, axes)] ??= message;
  return mapped;
}

// ---- New listing -------------------------------------------------------------------------------------

function renderNew(
  c: WebContext,
  viewer: Viewer,
  org: Membership,
  tree: Category[],
  form: { values: ListingFormValues; errors?: FieldErrors; message?: string; status?: ContentfulStatusCode },
) {
  const facts = pageFacts(c);
  return page(
    c,
    viewer,
    { title: "New listing", noindex: true, facts, status: form.status },
    <>
      <Breadcrumbs
        items={[
          ["Listings", "/seller/listings"],
          ["New listing", undefined],
        ]}
      />
      <SellerHead
        path={facts.path}
        org={org}
        title="New listing"
        actions={<SaveButton form={FORM_ID} label="Create draft" />}
      />
      <p class="muted">
        A new listing starts as a draft: only your organisation sees it. Add images after creating it, then
        submit it for review.
      </p>
      <ListingForm
        id={FORM_ID}
        action="/seller/listings/new"
        values={form.values}
        errors={form.errors ?? {}}
        message={form.message}
        tree={tree}
        submitLabel="Create draft"
      />
    </>,
  );
}

listingEditor.get("/seller/listings/new", async (c) => {
  const loaded = await sellerPage(c, () => categoryTree(serviceContext(c)));
  if (loaded instanceof Response) return loaded;
  if (!canWriteListings(loaded.org)) forbidden();
  return renderNew(c, loaded.viewer, loaded.org, loaded.data, { values: emptyValues() });
});

listingEditor.post("/seller/listings/new", async (c) => {
  const [actor, tree, form] = await Promise.all([
    sellerActor(c),
    categoryTree(serviceContext(c)),
    readForm(c),
  ]);
  if (actor instanceof Response) return actor;
  const { principal, viewer, org } = actor;
  const refresh = field(form, "intent") === "refresh";
  const values = valuesFromForm(form, refresh);
  if (refresh) return renderNew(c, viewer, org, tree, { values });
  const category = findCategory(tree, values.category);
  const built = buildInput(values, category);
  const { data, errors } = validate(built, values.axes, "create");
  if (!data) return renderNew(c, viewer, org, tree, { values, errors, status: 422 });
  const created = await attempt(
    () => listings.createListing(serviceContext(c), principal, org.orgId, data as CreateListingInput),
    (problem) =>
      renderNew(c, viewer, org, tree, {
        values,
        message: problem.message,
        errors: formErrors(problem.errors, built, values.axes),
        status: problem.status as ContentfulStatusCode,
      }),
  );
  if (created instanceof Response) return created;
  return redirectWith(c, `/seller/listings/${created.id}`, "listing-created");
});

// ---- Edit --------------------------------------------------------------------------------------------

interface EditState {
  listing: ListingView;
  tree: Category[];
  values: ListingFormValues;
  errors?: FieldErrors;
  message?: string;
  status?: ContentfulStatusCode;
  /** The listing as saved now, when the seller's edit was made on an older version. */
  conflict?: boolean;
}

function StatusPanel(props: {
  listing: ListingView;
  canWrite: boolean;
  fmt: ReturnType<typeof pageFacts>["fmt"];
  now: number;
}) {
  const { listing, fmt } = props;
  const can = (action: "submit" | "archive") =>
    props.canWrite && (transitions[action].from as readonly string[]).includes(listing.status);
  const stock = listing.variants.reduce((sum, v) => sum + v.stock, 0);
  return (
    <section class="panel" aria-labelledby="status-title">
      <div class="panel-title">
        <h2 id="status-title">Status</h2>
        <StatusBadge status={listing.status} />
      </div>
      <dl class="kv small">
        <dt>Category</dt>
        <dd>{listing.category.name}</dd>
        <dt>Variants</dt>
        <dd>
          {fmt.number(listing.variants.length)} · {fmt.number(stock)} in stock
        </dd>
        <dt>Price from</dt>
        <dd>{fmt.money(listing.minUnitPriceMinor, listing.currency)}</dd>
        <dt>Updated</dt>
        <dd>
          <time datetime={listing.updatedAt} title={fmt.dateTime(listing.updatedAt)}>
            {fmt.relative(listing.updatedAt, props.now)}
          </time>
        </dd>
        {listing.publishedAt && (
          <>
            <dt>Published</dt>
            <dd>{fmt.date(listing.publishedAt)}</dd>
          </>
        )}
      </dl>
      {(can("submit") || can("archive") || listing.status === "published") && (
        <div class="actions panel-actions">
          {can("submit") && (
            <form method="post" action={`/seller/listings/${listing.id}/submit`} data-once>
              <input type="hidden" name="version" value={String(listing.version)} />
              <button class="btn btn-primary" type="submit">
                Submit for review
              </button>
            </form>
          )}
          {listing.status === "published" && (
            <a class="btn" href={`/listings/${listing.id}`}>
              View in catalogue
            </a>
          )}
          {can("archive") && (
            <form method="post" action={`/seller/listings/${listing.id}/archive`} data-once>
              <input type="hidden" name="version" value={String(listing.version)} />
              <button class="btn btn-danger" type="submit">
                Archive
              </button>
            </form>
          )}
        </div>
      )}
      {can("submit") && (
        <p class="hint small">Save your changes before submitting: review sees the saved listing.</p>
      )}
    </section>
  );
}

/** What is saved now, beside what the seller typed, after a version conflict. */
function SavedVersion(props: { listing: ListingView; fmt: ReturnType<typeof pageFacts>["fmt"] }) {
  const { listing, fmt } = props;
  return (
    <section class="panel panel-conflict" aria-labelledby="saved-title">
      <h2 id="saved-title">Saved now (version {listing.version})</h2>
      <dl class="kv small">
        <dt>Title</dt>
        <dd>{listing.title}</dd>
        <dt>Category</dt>
        <dd>{listing.category.name}</dd>
        <dt>Order</dt>
        <dd>
          MOQ {fmt.number(listing.minOrderQuantity)}, increment {fmt.number(listing.orderIncrement)}, lead
          time {fmt.number(listing.leadTimeDays)} days
        </dd>
        <dt>Prices</dt>
        <dd>
          {listing.priceTiers.map((tier) => (
            <div>
              from {fmt.number(tier.minQuantity)}: {fmt.money(tier.unitPriceMinor, listing.currency)}
            </div>
          ))}
        </dd>
        <dt>Variants</dt>
        <dd>
          {listing.variants.map((v) => (
            <div>
              {v.sku}: {fmt.number(v.stock)} in stock
            </div>
          ))}
        </dd>
      </dl>
    </section>
  );
}

function renderEdit(c: WebContext, viewer: Viewer, org: Membership, state: EditState) {
  const facts = pageFacts(c);
  const { listing } = state;
  const canWrite = canWriteListings(org);
  const archived = listing.status === "archived";
  return page(
    c,
    viewer,
    {
      title: `${listing.title} · Listings`,
      noindex: true,
      facts,
      status: state.status,
      scripts: ["enhance.js", "upload.js"],
    },
    <>
      <Breadcrumbs
        items={[
          ["Listings", "/seller/listings"],
          [listing.title, undefined],
        ]}
      />
      <SellerHead
        path={facts.path}
        org={org}
        title={listing.title}
        actions={canWrite && !archived ? <SaveButton form={FORM_ID} label="Save changes" /> : undefined}
      />
      {state.conflict && (
        <div class="alert alert-error" role="alert">
          <strong>Someone changed this listing since you opened it.</strong> Nothing you typed was saved, and
          it is all still in the form. The saved version is shown beside it: check it, then press “Save
          changes” to replace it with what you typed.
        </div>
      )}
      {listing.status === "rejected" && (
        <div class="alert alert-warn">
          <strong>Rejected in review.</strong> {listing.rejectionReason ?? "No reason was given."} Fix the
          listing, save, and submit it again.
        </div>
      )}
      {listing.status === "pending_review" && (
        <div class="alert alert-info">
          Under review: the marketplace team checks it before it is published.
        </div>
      )}
      {archived && (
        <div class="alert alert-info">
          This listing is archived: buyers no longer see it, and it cannot be edited.
        </div>
      )}
      {!canWrite && (
        <div class="alert alert-info">
          Your role lets you view this listing; owners, admins and sellers edit it.
        </div>
      )}
      <div class="columns">
        <div>
          <ListingForm
            id={FORM_ID}
            action={`/seller/listings/${listing.id}`}
            values={state.values}
            errors={state.errors ?? {}}
            message={state.conflict ? undefined : state.message}
            tree={state.tree}
            version={listing.version}
            submitLabel="Save changes"
            disabled={archived || !canWrite}
          />
        </div>
        <aside class="stack" aria-label="Listing status and images">
          {state.conflict && <SavedVersion listing={listing} fmt={facts.fmt} />}
          <StatusPanel listing={listing} canWrite={canWrite} fmt={facts.fmt} now={facts.now} />
          <ImagesPanel
            listing={listing}
            orgId={org.orgId}
            canWrite={canWrite && !archived}
            maxBytes={c.var.config.MAX_IMAGE_BYTES}
            fmt={facts.fmt}
          />
        </aside>
      </div>
    </>,
  );
}

async function loadListing(c: WebContext, listingId: string) {
  const ctx = serviceContext(c);
  return sellerPage(c, (principal, orgId) =>
    Promise.all([listings.getOwnListing(ctx, principal, orgId, listingId), categoryTree(ctx)]),
  );
}

listingEditor.get("/seller/listings/:id{[^/]+}", async (c) => {
  const loaded = await loadListing(c, listingIdOf(c));
  if (loaded instanceof Response) return loaded;
  const [listing, tree] = loaded.data;
  return renderEdit(c, loaded.viewer, loaded.org, { listing, tree, values: valuesFromListing(listing) });
});

/** The version the form was rendered at (the If-Match of the edit). */
function formVersion(form: URLSearchParams): number {
  const text = field(form, "version");
  if (!/^\d{1,9}$/.test(text))
    throw new ApiError("bad_request", "The form is missing the listing's version.");
  return Number(text);
}

listingEditor.post("/seller/listings/:id{[^/]+}", async (c) => {
  const listingId = listingIdOf(c);
  const form = await readForm(c);
  const loaded = await loadListing(c, listingId);
  if (loaded instanceof Response) return loaded;
  const { principal, viewer, org } = loaded;
  const [listing, tree] = loaded.data;
  const refresh = field(form, "intent") === "refresh";
  const values = valuesFromForm(form, refresh);
  const version = formVersion(form);
  if (refresh) return renderEdit(c, viewer, org, { listing: { ...listing, version }, tree, values });
  if (!canWriteListings(org)) forbidden();
  const category = findCategory(tree, values.category);
  const built = buildInput(values, category);
  const { data, errors } = validate(built, values.axes, "update");
  // Re-rendered forms keep the version they were opened at, so a conflict is still caught on the next save.
  const typed = { listing: { ...listing, version }, tree, values };
  if (!data) return renderEdit(c, viewer, org, { ...typed, errors, status: 422 });
  const updated = await attempt(
    () =>
      listings.updateListing(
        serviceContext(c),
        principal,
        org.orgId,
        listingId,
        version,
        data as UpdateListingInput,
      ),
    async (problem) => {
      if (problem.status === 412) {
        const current = await listings.getOwnListing(serviceContext(c), principal, org.orgId, listingId);
        return renderEdit(c, viewer, org, { listing: current, tree, values, conflict: true, status: 409 });
      }
      return renderEdit(c, viewer, org, {
        ...typed,
        message: problem.message,
        errors: formErrors(problem.errors, built, values.axes),
        status: problem.status as ContentfulStatusCode,
      });
    },
  );
  if (updated instanceof Response) return updated;
  dropListingPages(c, listingId);
  return redirectWith(c, `/seller/listings/${listingId}`, "listing-saved");
});

// ---- Lifecycle and images ----------------------------------------------------------------------------

/**
 * What a refused lifecycle or image action shows: the edit page as saved, with the reason at its top
 * (a stale version in words); a listing that is not there, or not theirs to change, is the error page.
 */
function refusedOn(c: WebContext, listingId: string, staleMessage: string) {
  return (problem: { message: string; status: number }) => {
    if (problem.status === 404) throw new ApiError("not_found", problem.message);
    if (problem.status === 403) throw new ApiError("forbidden", problem.message);
    return refused(c, listingId, problem.status === 412 ? staleMessage : problem.message, problem.status);
  };
}

async function refused(c: WebContext, listingId: string, message: string, status: number) {
  const loaded = await loadListing(c, listingId);
  if (loaded instanceof Response) return loaded;
  const [listing, tree] = loaded.data;
  return renderEdit(c, loaded.viewer, loaded.org, {
    listing,
    tree,
    values: valuesFromListing(listing),
    message,
    status: status as ContentfulStatusCode,
  });
}

for (const action of ["submit", "archive"] as const) {
  listingEditor.post(`/seller/listings/:id{[^/]+}/${action}`, async (c) => {
    const listingId = listingIdOf(c);
    const [actor, form] = await Promise.all([sellerActor(c), readForm(c)]);
    if (actor instanceof Response) return actor;
    const version = field(form, "version");
    const done = await attempt(
      () =>
        transitionListing(serviceContext(c), actor.principal, { orgId: actor.org.orgId }, listingId, action, {
          expectedVersion: /^\d{1,9}$/.test(version) ? Number(version) : undefined,
        }),
      refusedOn(
        c,
        listingId,
        "Someone changed this listing since you opened it. Check it below, then try again.",
      ),
    );
    if (done instanceof Response) return done;
    dropListingPages(c, listingId);
    return redirectWith(
      c,
      `/seller/listings/${listingId}`,
      action === "submit" ? "listing-submitted" : "listing-archived",
    );
  });
}

listingEditor.post("/seller/listings/:id{[^/]+}/images", async (c) => {
  const listingId = listingIdOf(c);
  const [actor, form] = await Promise.all([sellerActor(c), readForm(c)]);
  if (actor instanceof Response) return actor;
  const order = form.getAll("order").filter((id) => isUuid(id));
  const move = /^([0-9a-f-]{36}):(-1|1)$/i.exec(field(form, "move"));
  const remove = field(form, "remove");
  let next = [...order];
  if (move?.[1]) {
    const from = next.indexOf(move[1]);
    const to = from + Number(move[2]);
    if (from >= 0 && to >= 0 && to < next.length)
      [next[from], next[to]] = [next[to] as string, next[from] as string];
  } else if (remove) {
    next = next.filter((id) => id !== remove);
  }
  const version = formVersion(form);
  // The API's own rules for the image list (at most 20, each once).
  const images = updateListingSchema.safeParse({ images: next });
  if (!images.success)
    throw new ApiError("validation_failed", "A listing shows at most 20 images, each once.");
  const done = await attempt(
    () =>
      listings.updateListing(serviceContext(c), actor.principal, actor.org.orgId, listingId, version, {
        images: images.data.images ?? [],
      }),
    refusedOn(
      c,
      listingId,
      "Someone changed this listing since you opened it: the images below are as saved now.",
    ),
  );
  if (done instanceof Response) return done;
  dropListingPages(c, listingId);
  const notice: Notice = remove ? "image-removed" : "images-reordered";
  return c.redirect(`/seller/listings/${listingId}?notice=${notice}#images`, 303);
});

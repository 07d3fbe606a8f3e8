/** Categories (platform admins): the tree with each category's attribute definitions, and adding one. */

import { Hono } from "hono";
import type { Category } from "../../../contracts/catalog.ts";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { createCategory as createCategoryRoute } from "../../../routes/listings/public.routes.ts";
import { categoryTree, createCategory } from "../../../services/catalog/categories.ts";
import type { AppEnv } from "../../../types.ts";
import { dropCategories } from "../../cache.ts";
import { ErrorSummary, Field, type FieldErrors } from "../../components.tsx";
import {
  loadViewer,
  pageFacts,
  redirectWith,
  requireVisitor,
  type UserPrincipal,
  type WebContext,
} from "../../context.ts";
import { attempt, field, readForm, zodErrors } from "../../forms.ts";
import { page } from "../../render.tsx";
import { formStatus } from "../org/shell.tsx";
import { AdminShell } from "./shell.tsx";

export const categoryPages = new Hono<AppEnv>();

const categoryBody = createCategoryRoute.request.body.content["application/json"].schema;

const ATTRIBUTE_ROWS = 6;
const TYPES = [
  ["text", "Text"],
  ["number", "Number"],
  ["boolean", "Yes / no"],
  ["enum", "One of a list"],
] as const;

interface AttributeRow {
  key: string;
  label: string;
  type: string;
  options: string;
  unit: string;
  facet: boolean;
}

interface CategoryForm {
  slug: string;
  name: string;
  parent: string;
  attributes: AttributeRow[];
}

const blankRow = (): AttributeRow => ({
  key: "",
  label: "",
  type: "text",
  options: "",
  unit: "",
  facet: false,
});
const emptyForm = (): CategoryForm => ({
  slug: "",
  name: "",
  parent: "",
  attributes: Array.from({ length: ATTRIBUTE_ROWS }, blankRow),
});

function AttributeList(props: { category: Category }) {
  const { attributes } = props.category;
  if (attributes.length === 0) return <span class="muted">None</span>;
  return (
    <ul class="attr-list">
      {attributes.map((attribute) => (
        <li>
          <strong>{attribute.label}</strong> <code>{attribute.key}</code>{" "}
          <span class="muted">
            {TYPES.find(([t]) => t === attribute.type)?.[1] ?? attribute.type}
            {attribute.unit ? `, in ${attribute.unit}` : ""}
            {attribute.options ? `: ${attribute.options.join(", ")}` : ""}
          </span>
          {attribute.facet && <span class="badge badge-info">Search filter</span>}
        </li>
      ))}
    </ul>
  );
}

/** Each top-level category with its sub-categories, one row each, and their attribute definitions. */
function CategoryTree(props: { tree: Category[] }) {
  return (
    <div class="category-tree">
      {props.tree.map((root) => (
        <section class="panel" aria-labelledby={`cat-${root.slug}`}>
          <h3 id={`cat-${root.slug}`}>
            {root.name} <span class="mono small muted">{root.slug}</span>
          </h3>
          <div class="table-wrap">
            <table class="table stack-sm attr-table">
              <thead>
                <tr>
                  <th scope="col">Category</th>
                  <th scope="col">Slug</th>
                  <th scope="col">Attribute definitions</th>
                </tr>
              </thead>
              <tbody>
                {[root, ...root.children].map((category) => (
                  <tr>
                    <th scope="row" data-label="Category">
                      {category === root ? `${root.name} (all)` : category.name}
                    </th>
                    <td data-label="Slug" class="mono">
                      {category.slug}
                    </td>
                    <td data-label="Attribute definitions">
                      <AttributeList category={category} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </div>
  );
}

function CreateCategoryPanel(props: {
  tree: Category[];
  form: CategoryForm;
  errors?: FieldErrors;
  message?: string;
}) {
  const { form, errors } = props;
  return (
    <section class="panel" aria-labelledby="new-category-title">
      <h2 id="new-category-title">Add a category</h2>
      <ErrorSummary
        message={props.message}
        errors={errors}
        labels={{ slug: "Slug", name: "Name", parent: "Parent", attributes: "Attributes" }}
      />
      <form method="post" action="/admin/categories" class="form form-wide" data-once>
        <div class="row">
          <Field name="name" label="Name" required maxlength={80} value={form.name} errors={errors} />
          <Field
            name="slug"
            label="Slug"
            required
            maxlength={60}
            hint="In addresses: lower-case letters, digits and dashes."
            value={form.slug}
            errors={errors}
          />
          <Field
            name="parent"
            label="Parent"
            options={[
              ["", "None: a top-level category"],
              ...props.tree.map((c) => [c.slug, c.name] as const),
            ]}
            value={form.parent}
            errors={errors}
          />
        </div>
        <fieldset class="attr-rows">
          <legend>Attribute definitions</legend>
          <p class="small muted">
            What listings in this category describe. Leave rows empty that you do not need. Options only for
            “One of a list”, separated by commas.
          </p>
          {errors?.attributes && <p class="error">{errors.attributes}</p>}
          <table class="table stack-sm attr-form">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Label</th>
                <th scope="col">Type</th>
                <th scope="col">Options</th>
                <th scope="col">Unit</th>
                <th scope="col">Facet</th>
              </tr>
            </thead>
            <tbody>
              {form.attributes.map((row, i) => {
                const cell = (
                  name: keyof AttributeRow,
                  label: string,
                  control: (id: string, error?: string) => unknown,
                ) => {
                  const id = `f-attributes-${i}-${name}`;
                  const error = errors?.[`attributes.${i}.${name}`];
                  return (
                    <td data-label={label} class={error ? "field-invalid" : undefined}>
                      <label class="visually-hidden" for={id}>
                        {label}, attribute {i + 1}
                      </label>
                      {control(id, error)}
                      {error && (
                        <span class="error" id={`${id}-error`}>
                          {error}
                        </span>
                      )}
                    </td>
                  );
                };
                const aria = (id: string, error?: string) => ({
                  "aria-invalid": error ? "true" : undefined,
                  "aria-describedby": error ? `${id}-error` : undefined,
                });
                return (
                  <tr>
                    {cell("key", "Key", (id, error) => (
                      <input
                        type="text"
                        id={id}
                        name={`key.${i}`}
                        value={row.key}
                        maxlength={40}
                        placeholder="e.g. width_mm"
                        {...aria(id, error)}
                      />
                    ))}
                    {cell("label", "Label", (id, error) => (
                      <input
                        type="text"
                        id={id}
                        name={`label.${i}`}
                        value={row.label}
                        maxlength={60}
                        {...aria(id, error)}
                      />
                    ))}
                    {cell("type", "Type", (id, error) => (
                      <select id={id} name={`type.${i}`} {...aria(id, error)}>
                        {TYPES.map(([value, label]) => (
                          <option value={value} selected={row.type === value}>
                            {label}
                          </option>
                        ))}
                      </select>
                    ))}
                    {cell("options", "Options", (id, error) => (
                      <input
                        type="text"
                        id={id}
                        name={`options.${i}`}
                        value={row.options}
                        maxlength={2000}
                        {...aria(id, error)}
                      />
                    ))}
                    {cell("unit", "Unit", (id, error) => (
                      <input
                        type="text"
                        id={id}
                        name={`unit.${i}`}
                        value={row.unit}
                        maxlength={20}
                        class="input-unit"
                        {...aria(id, error)}
                      />
                    ))}
                    {cell("facet", "Facet", (id) => (
                      <input id={id} type="checkbox" name={`facet.${i}`} value="1" checked={row.facet} />
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </fieldset>
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Add category
          </button>
        </div>
      </form>
    </section>
  );
}

async function categoriesPage(
  c: WebContext,
  principal: UserPrincipal,
  options: { form?: CategoryForm; errors?: FieldErrors; message?: string; status?: number } = {},
) {
  const [viewer, tree] = await Promise.all([loadViewer(c, principal), categoryTree(serviceContext(c))]);
  // The tree is public; this page is not (creating is checked again by the service).
  if (!viewer.me.platformAdmin) throw new ApiError("forbidden", "Only platform admins manage categories.");
  const { fmt } = pageFacts(c);
  const count = tree.reduce((n, root) => n + 1 + root.children.length, 0);
  return page(
    c,
    viewer,
    { title: "Categories", noindex: true, status: options.status ? formStatus(options.status) : 200 },
    <AdminShell path="/admin/categories">
      <div class="stack">
        <section aria-labelledby="tree-title">
          <h2 id="tree-title">
            Category tree <span class="muted small">({fmt.number(count)} categories)</span>
          </h2>
          <CategoryTree tree={tree} />
        </section>
        <CreateCategoryPanel
          tree={tree}
          form={options.form ?? emptyForm()}
          errors={options.errors}
          message={options.message}
        />
      </div>
    </AdminShell>,
  );
}

categoryPages.get("/admin/categories", async (c) => categoriesPage(c, await requireVisitor(c)));

categoryPages.post("/admin/categories", async (c) => {
  const principal = await requireVisitor(c);
  const data = await readForm(c);
  const form: CategoryForm = {
    slug: field(data, "slug").toLowerCase(),
    name: field(data, "name"),
    parent: field(data, "parent"),
    attributes: [],
  };
  for (let i = 0; i < 30 && data.has(`key.${i}`); i++) {
    form.attributes.push({
      key: field(data, `key.${i}`),
      label: field(data, `label.${i}`),
      type: field(data, `type.${i}`) || "text",
      options: field(data, `options.${i}`),
      unit: field(data, `unit.${i}`),
      facet: data.get(`facet.${i}`) === "1",
    });
  }
  // Rows left empty are not attributes; the indexes in errors are those of the rows on the page.
  const used = form.attributes
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => row.key || row.label);
  const body = {
    slug: form.slug,
    name: form.name,
    ...(form.parent ? { parent: form.parent } : {}),
    attributes: used.map(({ row }) => ({
      key: row.key,
      label: row.label,
      type: row.type,
      ...(row.unit ? { unit: row.unit } : {}),
      ...(row.options
        ? {
            options: row.options
              .split(",")
              .map((o) => o.trim())
              .filter(Boolean),
          }
        : {}),
      ...(row.facet ? { facet: true } : {}),
    })),
  };
  const parsed = categoryBody.safeParse(body);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const [path, message] of Object.entries(zodErrors(parsed.error))) {
      const match = /^attributes\.(\d+)\.(\w+)/.exec(path);
      const row = match ? used[Number(match[1])] : undefined;
      const key = match && row ? `attributes.${row.index}.${match[2]}` : path;
      errors[key] ??= message;
    }
    return categoriesPage(c, principal, { form, errors, status: 422 });
  }
  const created = await attempt(
    () => createCategory(serviceContext(c), principal, parsed.data),
    (problem) =>
      categoriesPage(c, principal, {
        form,
        errors: problem.errors,
        message: problem.message,
        status: problem.status,
      }),
  );
  if (created instanceof Response) return created;
  dropCategories(c);
  return redirectWith(c, "/admin/categories", "category-created");
});

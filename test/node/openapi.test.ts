/**
 * The contract as clients and SDK generators read it: /openapi.json passes Redocly's recommended rules
 * with no error and no warning (deliberate exceptions are listed with reasons in .redocly.lint-ignore.yaml),
 * every operation has a unique operationId, and every 2xx JSON body is a named, fully described schema.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { expect, it } from "vitest";
import { createApp, openApiInfo } from "../../src/app.ts";
import { eventTypes } from "../../src/contracts/events.ts";

type Schema = Record<string, unknown>;
const document = createApp().getOpenAPI31Document(openApiInfo("http://127.0.0.1:8787")) as unknown as {
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, Schema> }>>;
  webhooks: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
};
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ where: `${method} ${path}`, operation })),
);

it("passes Redocly's recommended rules with no errors or warnings", () => {
  // The path .redocly.lint-ignore.yaml names.
  mkdirSync(".data", { recursive: true });
  writeFileSync(".data/openapi.json", JSON.stringify(document, null, 2));
  let output: string;
  try {
    output = execFileSync("npx", ["redocly", "lint", ".data/openapi.json", "--format=json"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout);
  }
  const report = JSON.parse(output.slice(output.indexOf("{"))) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; message: string }[];
  };
  expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
}, 60_000);

it("names every operation once, in camelCase", () => {
  const ids = operations.map(({ where, operation }) => [where, operation.operationId] as const);
  for (const [where, id] of ids) expect(id, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
  const seen = ids.map(([, id]) => id);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.length).toBeGreaterThanOrEqual(50);
});

/** Where a schema, followed through $refs, leaves a value undescribed (any JSON accepted). */
function undescribed(schema: Schema, at: string, seen = new Set<string>()): string[] {
  const ref = schema.$ref;
  if (typeof ref === "string") {
    if (seen.has(ref)) return [];
    seen.add(ref);
    const target = document.components.schemas[ref.replace("#/components/schemas/", "")];
    return target ? undescribed(target, ref, seen) : [`${at}: dangling ${ref}`];
  }
  const keys = Object.keys(schema).filter((key) => !["description", "example", "nullable"].includes(key));
  if (keys.length === 0) return [`${at}: any value`];
  const found: string[] = [];
  const nested = (value: unknown, where: string) => {
    if (value && typeof value === "object" && !Array.isArray(value))
      found.push(...undescribed(value as Schema, where, seen));
  };
  if (schema.type === "object" && !schema.properties && !schema.additionalProperties)
    found.push(`${at}: object without properties`);
  for (const [name, value] of Object.entries((schema.properties as Record<string, Schema>) ?? {}))
    nested(value, `${at}.${name}`);
  nested(schema.items, `${at}[]`);
  if (schema.additionalProperties === true) found.push(`${at}: additionalProperties any`);
  else nested(schema.additionalProperties, `${at}{}`);
  for (const key of ["anyOf", "oneOf", "allOf"])
    for (const [i, value] of ((schema[key] as Schema[]) ?? []).entries()) nested(value, `${at}.${key}${i}`);
  return found;
}

it("describes every 2xx JSON body with a named, fully described schema", () => {
  let checked = 0;
  for (const { where, operation } of operations) {
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!status.startsWith("2")) continue;
      const schema = (response.content as Record<string, { schema: Schema }> | undefined)?.[
        "application/json"
      ]?.schema;
      if (!schema) continue;
      checked += 1;
      expect(schema.$ref, `${where} ${status} is not a named component`).toMatch(/^#\/components\/schemas\//);
      expect(undescribed(schema, `${where} ${status}`)).toEqual([]);
    }
  }
  expect(checked).toBeGreaterThanOrEqual(45);
});

it("lists every catalogued event as a webhook with a named, fully described body", () => {
  expect(Object.keys(document.webhooks).sort()).toEqual([...eventTypes].sort());
  for (const [type, item] of Object.entries(document.webhooks)) {
    const schema = item.post?.requestBody?.content["application/json"]?.schema ?? {};
    expect(schema.$ref, type).toMatch(/^#\/components\/schemas\/Event/);
    expect(undescribed(schema, type)).toEqual([]);
  }
});

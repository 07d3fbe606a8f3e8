/**
 * `npm run openapi`: writes the OpenAPI document the Worker serves at /openapi.json to a file (default
 * .data/openapi.json), for linters and SDK generators, without starting anything.
 *   npm run openapi -- --out openapi.json --server https://api.example.com
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createApp, openApiInfo } from "../src/app.ts";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: ".data/openapi.json" },
    server: { type: "string", default: "http://127.0.0.1:8787" },
  },
});
const document = createApp().getOpenAPI31Document(openApiInfo(values.server));
const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
console.log(`openapi: ${Object.keys(document.paths ?? {}).length} paths written to ${out}`);

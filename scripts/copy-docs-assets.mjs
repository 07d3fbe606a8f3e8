// Copies the Swagger UI browser bundle from node_modules into public/docs/vendor, served as Workers static
// assets (never part of the Worker bundle). Runs after `npm install`; plain .mjs so any Node can run it.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const source = dirname(require.resolve("swagger-ui-dist/package.json"));
const target = join(
  import.meta.dirname ?? dirname(new URL(import.meta.url).pathname),
  "..",
  "public",
  "docs",
  "vendor",
);
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"])
  copyFileSync(join(source, file), join(target, file));

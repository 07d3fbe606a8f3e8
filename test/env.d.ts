// Types for the test side of workerd: the Worker's exports, and the bindings the test config adds.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
  interface Env {
    /** Which Postgres the test run uses ("postgres" | "pglite"), from test/global-setup.ts. */
    DATABASE_KIND: string;
  }
}

/** The storefront: home, search, listing and seller pages (public; cached for anonymous visitors). */
import { Hono } from "hono";
import type { AppEnv } from "../../types.ts";
import { loadViewer, visitor } from "../context.ts";
import { page } from "../render.tsx";

export const storefrontPages = new Hono<AppEnv>();

storefrontPages.get("/", async (c) => {
  const principal = await visitor(c);
  const viewer = principal ? await loadViewer(c, principal) : null;
  return page(
    c,
    viewer,
    { title: "Tradeyard", description: "B2B marketplace: volume pricing from verified suppliers." },
    <section class="hero">
      <div>
        <h1>Source supplies for your business</h1>
        <p>Volume pricing, clear lead times and one checkout across suppliers.</p>
      </div>
    </section>,
  );
});

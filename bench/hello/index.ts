/**
 * The benchmark's baseline: a bare Hono Worker, served by the same wrangler dev as the API in the same
 * run. The API's per-request overhead is reported as a ratio against it.
 */
import { Hono } from "hono";

const app = new Hono();
app.get("/health", (c) => c.json({ status: "ok" }));
app.get("/hello", (c) => c.text("hello"));
app.get("/logged", (c) => {
  console.log(JSON.stringify({ level: "info", message: "request", path: c.req.path }));
  return c.json({ status: "ok" });
});

export default app;

import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers liveness", async () => {
  const res = await exports.default.fetch("http://example.com/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
});

it("is ready", async () => {
  const res = await exports.default.fetch("http://example.com/ready");
  expect(await res.json()).toMatchObject({ status: "ok" });
  expect(res.headers.get("server-timing")).toMatch(/desc="1 round trips"/);
});

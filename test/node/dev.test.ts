/**
 * `npm run dev` end to end: one command brings up database, proxy and Worker; /ready and /docs answer;
 * Ctrl-C (SIGINT) stops everything; a second start reuses the data without seeding again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { demoListings } from "../../scripts/seed/demo-catalog.ts";
import { demoOrderScenarios, NORTHWIND } from "../../scripts/seed/demo-orders.ts";
import { freePort } from "../../tools/local-db/backend.ts";
import { findTestServer } from "../global-setup.ts";

const dataDir = mkdtempSync(join(tmpdir(), "marketplace-dev-test-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function startDev(port: number, databaseUrl?: string) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    MARKETPLACE_DATA_DIR: dataDir,
    PORT: String(port),
  };
  delete env.DATABASE_URL; // the embedded database, as on a fresh laptop, unless a server is given
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const child = spawn(process.execPath, ["scripts/dev.ts"], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  // A first start also draws, uploads and verifies the demo images and places the demo orders.
  const deadline = Date.now() + 300_000;
  while (!output.includes("[dev] ready in") && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!output.includes("[dev] ready in")) {
    child.kill("SIGINT"); // never leave a half-started stack behind
    await exitOf(child);
    throw new Error(`npm run dev did not start:\n${output}`);
  }
  return { child, output: () => output };
}

function exitOf(child: ChildProcess) {
  return new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

it("serves /ready and /docs from one command, stops on Ctrl-C and reuses its data", {
  timeout: 600_000,
}, async () => {
  const port = await freePort();
  const first = await startDev(port);
  try {
    expect(first.output()).toContain("embedded PGlite");
    expect(first.output()).toContain(`http://127.0.0.1:${port}/docs`);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      checks: { postgres: { ok: true }, kv: { ok: true }, r2: { ok: true } },
    });
    const docs = await fetch(`http://127.0.0.1:${port}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger-ui-bundle.js");
    const bundle = await fetch(`http://127.0.0.1:${port}/docs/vendor/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
    await expectDemoData(port);
  } finally {
    first.child.kill("SIGINT");
  }
  expect(await exitOf(first.child)).toBe(0);
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();

  const second = await startDev(port);
  try {
    expect(second.output()).not.toContain("seed:");
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
  } finally {
    second.child.kill("SIGINT");
  }
  expect(await exitOf(second.child)).toBe(0);
});

/** The curated catalogue is live with pictures, and the demo buyer has orders in every state and invoices. */
async function expectDemoData(port: number) {
  const base = `http://127.0.0.1:${port}`;
  const search = await fetch(`${base}/v1/listings?limit=100`);
  const { hits } = (await search.json()) as {
    hits: { title: string; currency: string; image: string | null }[];
  };
  const published = demoListings.filter((listing) => listing.status === "published");
  expect(hits.map((hit) => hit.title).sort()).toEqual(published.map((listing) => listing.title).sort());
  expect(hits.filter((hit) => !hit.image)).toEqual([]);
  const image = await fetch(`${base}${hits[0]?.image}`);
  expect(image.headers.get("content-type")).toBe("image/png");
  expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(4_000);

  const login = await fetch(`${base}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "buyer@demo.example", password: "demo-marketplace-2026" }),
  });
  const { session } = (await login.json()) as { session: { token: string } };
  const auth = { authorization: `Bearer ${session.token}` };
  const orders = (await (
    await fetch(`${base}/v1/orgs/${NORTHWIND}/orders?limit=50`, { headers: auth })
  ).json()) as {
    items: { status: string }[];
  };
  expect(new Set(orders.items.map((order) => order.status))).toEqual(
    new Set(["pending_approval", "placed", "accepted", "shipped", "delivered", "completed"]),
  );
  const invoices = (await (
    await fetch(`${base}/v1/orgs/${NORTHWIND}/invoices`, { headers: auth })
  ).json()) as {
    items: { status: string }[];
  };
  expect(invoices.items.map((invoice) => invoice.status).sort()).toEqual(["open", "paid"]);

  // The seed's checkouts told the demo seller by email: relayed after each write (waitUntil), through the
  // local Queue, to the Worker's queue() consumer, into the dev mailbox. Nothing in the test sends them.
  let templates: string[] = [];
  for (let wait = 0; wait < 100 && !templates.includes("order_placed"); wait++) {
    const mailbox = await fetch(`${base}/v1/dev/mailbox?to=seller@demo.example`);
    templates = ((await mailbox.json()) as { messages: { template: string }[] }).messages.map(
      (m) => m.template,
    );
    if (!templates.includes("order_placed")) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(templates).toContain("order_placed");
}

// The Postgres server the suite uses (the CI starts one); without one only the PGlite run above applies.
const SERVER = await findTestServer();

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: String(SERVER) });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function demoLogin(port: number) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "buyer@demo.example", password: "demo-marketplace-2026" }),
  });
  return res.status;
}

it.skipIf(!SERVER)(
  "seeds a database dropped and recreated at the same URL (seeding is decided by the database)",
  {
    timeout: 600_000,
  },
  async () => {
    const name = `marketplace_dev_test_${process.pid}_${Date.now()}`;
    const url = new URL(String(SERVER));
    url.pathname = `/${name}`;
    await admin(`create database ${name}`);
    try {
      const port = await freePort();
      for (const round of ["first", "recreated"]) {
        if (round === "recreated") {
          await admin(`drop database ${name} with (force)`);
          await admin(`create database ${name}`);
        }
        const dev = await startDev(port, url.toString());
        try {
          expect(dev.output(), round).toContain("seed: [1/");
          expect(dev.output(), round).toContain(
            `demo images uploaded through presigned URLs for ${demoListings.length} listings`,
          );
          expect(dev.output(), round).toContain(
            `${demoOrderScenarios.length} demo checkouts placed and moved along through the orders API`,
          );
          expect(dev.output(), round).toContain(
            "2 demo requests for quotes, a negotiated quote, a conversation and a review",
          );
          expect(await demoLogin(port), round).toBe(200);
        } finally {
          dev.child.kill("SIGINT");
        }
        expect(await exitOf(dev.child)).toBe(0);
      }
    } finally {
      await admin(`drop database if exists ${name} with (force)`);
    }
  },
);

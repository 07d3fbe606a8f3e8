/**
 * wrangler.toml and the consumer agree on the retry schedule: the platform dead-letters a message after
 * `max_retries`, the consumer's delay table (src/services/delivery/messages.ts) has one delay per retry.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { MAX_RETRIES } from "../../src/services/delivery/messages.ts";

it("gives the delivery queue, in every environment, as many retries as the consumer has delays", () => {
  const toml = readFileSync("wrangler.toml", "utf8");
  const consumers = [...toml.matchAll(/\[\[(?:env\.\w+\.)?queues\.consumers\]\]\n([^[]*)/g)].map(
    (m) => m[1] ?? "",
  );
  const delivery = consumers.filter((block) => /queue = "marketplace-delivery"\n/.test(block));
  expect(delivery).toHaveLength(2);
  for (const block of delivery) {
    expect(Number(/max_retries = (\d+)/.exec(block)?.[1])).toBe(MAX_RETRIES);
    expect(block).toContain('dead_letter_queue = "marketplace-delivery-dlq"');
  }
});

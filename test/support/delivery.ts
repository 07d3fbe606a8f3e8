/**
 * Driving delivery in tests: the Worker under test never relays by itself (OUTBOX_RELAY is off in
 * vitest.config.ts), so each test runs the real relay, the real consumer and the real sender when it wants
 * them to, on the test database, with the queue replaced by a recorder it can read, fail and replay.
 */
import { env } from "cloudflare:workers";
import { createDb } from "../../src/db/client.ts";
import { DbMeter } from "../../src/db/meter.ts";
import { createLogger } from "../../src/lib/logger.ts";
import {
  type ConsumerDeps,
  consumeDeadLetters,
  consumeDeliveries,
} from "../../src/services/delivery/consumer.ts";
import type { DeliveryMessage, DeliveryQueue } from "../../src/services/delivery/messages.ts";
import { relayOutbox } from "../../src/services/delivery/relay.ts";
import { emailProvider } from "../../src/services/email/provider.ts";
import { sendOutboxEmail } from "../../src/services/email/sender.ts";
import { normalizeEmail } from "../../src/services/identity/accounts.ts";
import { sql } from "./db.ts";
import { testConfig } from "./env.ts";

export function testDb() {
  return createDb(testConfig(), new DbMeter());
}

/** The URL of the test run's webhook receiver (test/webhook-receiver.ts). */
export function receiverUrl(): string {
  return (env as unknown as { TEST_WEBHOOK_RECEIVER: string }).TEST_WEBHOOK_RECEIVER;
}

/** A queue that records what is sent (and can be made to fail, like an unreachable Queues API). */
export class RecordingQueue implements DeliveryQueue {
  messages: DeliveryMessage[] = [];
  failing = false;
  async sendBatch(batch: Iterable<MessageSendRequest<DeliveryMessage>>): Promise<void> {
    if (this.failing) throw new Error("queue unavailable");
    for (const message of batch) this.messages.push(message.body);
  }
  take(): DeliveryMessage[] {
    const taken = this.messages;
    this.messages = [];
    return taken;
  }
}

export function consumerDeps(queue: DeliveryQueue, overrides: Partial<ConsumerDeps> = {}): ConsumerDeps {
  const config = testConfig();
  const db = testDb();
  return {
    db,
    config,
    queue,
    provider: emailProvider(config, db),
    fetcher: fetch,
    now: Date.now,
    logger: createLogger({ test: "delivery" }, "error"),
    ...overrides,
  };
}

let sequence = 0;

/** What the consumer decided for each message of a batch. */
export interface BatchOutcome {
  acked: string[];
  retried: { id: string; delaySeconds: number | undefined }[];
}

/**
 * A batch as the Queues runtime hands it to `queue()`: messages with ids, attempts, ack() and
 * retry({ delaySeconds }); it records the consumer's decisions (the plugin's own helper drops the delays).
 */
function recordingBatch(queue: string, bodies: DeliveryMessage[], attempts: number) {
  const outcome: BatchOutcome = { acked: [], retried: [] };
  const messages = bodies.map((body) => {
    const id = `test-${++sequence}`;
    return {
      id,
      timestamp: new Date(),
      attempts,
      body,
      ack: () => void outcome.acked.push(id),
      retry: (options?: QueueRetryOptions) =>
        void outcome.retried.push({ id, delaySeconds: options?.delaySeconds }),
    };
  });
  const batch = {
    queue,
    messages,
    ackAll: () => {
      for (const message of messages) message.ack();
    },
    retryAll: (options?: QueueRetryOptions) => {
      for (const message of messages) message.retry(options);
    },
  } as unknown as MessageBatch<DeliveryMessage>;
  return { batch, outcome };
}

/** Runs the real consumer on `messages` as one batch, each on its `attempts`-th delivery. */
export async function consume(
  messages: DeliveryMessage[],
  options: {
    attempts?: number;
    queue?: DeliveryQueue;
    deadLetters?: boolean;
    deps?: Partial<ConsumerDeps>;
  } = {},
): Promise<BatchOutcome> {
  const { batch, outcome } = recordingBatch(
    options.deadLetters ? "marketplace-delivery-dlq" : "marketplace-delivery",
    messages,
    options.attempts ?? 1,
  );
  const deps = consumerDeps(options.queue ?? new RecordingQueue(), options.deps);
  await (options.deadLetters ? consumeDeadLetters(batch, deps) : consumeDeliveries(batch, deps));
  return outcome;
}

/**
 * Relays the outbox and consumes what follows: events (fan-out), then the webhooks and notification
 * emails they create, first attempts only (a retry the consumer asks for is returned, not replayed). The
 * emails the relay itself took (written by requests: invitations, resets…) stay pending for the test that
 * reads them (deliverEmailsTo), whichever file's relay took them. Returns every message handled.
 */
export async function pump(queue = new RecordingQueue()) {
  await relayOutbox(testDb(), queue);
  queue.messages = queue.messages.filter((message) => message.kind !== "email");
  const handled: DeliveryMessage[] = [];
  const retried: string[] = [];
  for (let round = 0; round < 10; round++) {
    const messages = queue.take();
    if (messages.length === 0) break;
    handled.push(...messages);
    const result = await consume(messages, { queue });
    retried.push(...result.retried.map((message) => message.id));
  }
  return { handled, retried };
}

/**
 * Sends every pending email addressed to `address` through the real sender (template, provider) into the
 * dev mailbox, without the queue: a test that reads its mail does not race other files' relays.
 */
export async function deliverEmailsTo(address: string): Promise<void> {
  const pending = (await sql().query(
    "select id from email_outbox where to_email = $1 and status = 'pending' order by created_at",
    [normalizeEmail(address)],
  )) as { id: string }[];
  const db = testDb();
  const provider = emailProvider(testConfig(), db);
  for (const { id } of pending) await sendOutboxEmail(db, provider, id);
}

/** The receiver's record for endpoint `name`. */
export async function received(name: string) {
  const response = await fetch(`${receiverUrl()}/control/${name}`);
  return ((await response.json()) as { received: import("../webhook-receiver.ts").Received[] }).received;
}

/** Registers endpoint `name` at the receiver: the secrets it verifies with and the statuses it answers. */
export async function receive(
  name: string,
  config: {
    secrets: string[];
    statuses?: number[];
    redirectTo?: string;
    delayMs?: number;
    answer?: "endless" | "huge" | "early-hints";
  },
) {
  await fetch(`${receiverUrl()}/control/${name}`, { method: "PUT", body: JSON.stringify(config) });
}

/** The dev mailbox for `address` (newest first), after sending what is pending for it. */
export async function mailbox(address: string) {
  await deliverEmailsTo(address);
  const { exports } = await import("cloudflare:workers");
  const response = await exports.default.fetch(
    `http://api.test/v1/dev/mailbox?to=${encodeURIComponent(address)}`,
  );
  return (
    (await response.json()) as {
      messages: { template: string; subject: string; body: string; html: string }[];
    }
  ).messages;
}

/**
 * Waits (up to 10 s) until `address` has a `template` email, relaying and consuming the outbox meanwhile
 * (another test file's relay may have taken the event: its consumer writes the email, this one sends it).
 */
export async function waitForMail(address: string, template: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await pump();
    const messages = await mailbox(address);
    const found = messages.filter((message) => message.template === template);
    if (found.length > 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * What travels on the delivery queue: ids only (the rows are the truth; a message may arrive twice, late or
 * after the row changed, and every consumer step checks the row's state before acting).
 */
export type DeliveryMessage =
  /** An outbox event: fan it out to webhook deliveries and notification emails. */
  | { kind: "event"; id: string }
  /** An outbox email: render it and hand it to the provider. */
  | { kind: "email"; id: string }
  /** One webhook delivery (an event for one endpoint): POST it, signed. */
  | { kind: "webhook"; id: string };

/**
 * Delays before each retry, in seconds (the Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h): 8 attempts over about 27 hours. wrangler.toml's `max_retries` for the delivery queue must equal
 * {@link MAX_RETRIES} (test/node/queue-config.test.ts checks it); after the last attempt the platform moves the
 * message to the dead-letter queue.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;
export const MAX_RETRIES = RETRY_DELAYS_SECONDS.length;
export const MAX_ATTEMPTS = MAX_RETRIES + 1;

/** The delay before the retry that follows attempt number `attempt` (1-based), or null after the last. */
export function retryDelaySeconds(attempt: number): number | null {
  return RETRY_DELAYS_SECONDS[attempt - 1] ?? null;
}

/** Producer side of the delivery queue, as the relay and the consumer use it. */
export interface DeliveryQueue {
  sendBatch(messages: Iterable<MessageSendRequest<DeliveryMessage>>): Promise<unknown>;
}

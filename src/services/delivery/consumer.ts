import type { Db } from "../../db/client.ts";
import type { Config } from "../../env.ts";
import type { Logger } from "../../lib/logger.ts";
import type { EmailProvider } from "../email/provider.ts";
import { markEmailDead, sendOutboxEmail } from "../email/sender.ts";
import { fanOutEvents, markEmailsEnqueued } from "./fanout.ts";
import { type DeliveryMessage, type DeliveryQueue, retryDelaySeconds } from "./messages.ts";
import { enqueue, relayOutbox } from "./relay.ts";
import { attemptWebhook, buryDelivery } from "./webhook-attempt.ts";

export interface ConsumerDeps {
  db: Db;
  config: Config;
  queue: DeliveryQueue;
  provider: EmailProvider;
  fetcher: typeof fetch;
  now: () => number;
  logger: Logger;
}

type Delivery = Message<DeliveryMessage>;

/** A retry after this message's attempt, or, after the last, a plain retry the platform dead-letters. */
function retryLater(message: Delivery): void {
  const delay = retryDelaySeconds(message.attempts);
  if (delay === null) message.retry();
  else message.retry({ delaySeconds: delay });
}

/**
 * The delivery queue's consumer. Events of the batch are fanned out together (one round trip) and what
 * they create is enqueued; emails and webhooks are attempted one by one (concurrently). Every message
 * is acknowledged or retried explicitly; a retry waits per the schedule in messages.ts.
 */
export async function consumeDeliveries(
  batch: MessageBatch<DeliveryMessage>,
  deps: ConsumerDeps,
): Promise<void> {
  const events = batch.messages.filter((message) => message.body?.kind === "event");
  const others = batch.messages.filter((message) => message.body?.kind !== "event");
  const work: Promise<void>[] = [];
  if (events.length > 0) work.push(fanOut(events, deps));
  for (const message of others) work.push(deliverOne(message, deps));
  await Promise.all(work);
}

async function fanOut(messages: Delivery[], deps: ConsumerDeps): Promise<void> {
  try {
    const next = await fanOutEvents(
      deps.db,
      messages.map((message) => message.body.id),
      deps.config.PUBLIC_URL,
    );
    await enqueue(deps.queue, next);
    await markEmailsEnqueued(
      deps.db,
      next.filter((message) => message.kind === "email").map((message) => message.id),
    );
    for (const message of messages) message.ack();
  } catch (error) {
    deps.logger.error("event fan-out failed", { error: String(error), events: messages.length });
    for (const message of messages) retryLater(message);
  }
}

async function deliverOne(message: Delivery, deps: ConsumerDeps): Promise<void> {
  const body = message.body;
  try {
    if (body?.kind === "email") {
      const outcome = await sendOutboxEmail(deps.db, deps.provider, body.id);
      if (outcome === "sent" || outcome === "skipped") return message.ack();
      deps.logger.warn("email not sent", { id: body.id, attempt: message.attempts, error: outcome.error });
      if (outcome.permanent) {
        await markEmailDead(deps.db, body.id);
        return message.ack();
      }
      return retryLater(message);
    }
    if (body?.kind === "webhook") {
      const outcome = await attemptWebhook(deps, body.id, retryDelaySeconds(message.attempts));
      if (outcome.result !== "failed" || !outcome.retry) return message.ack();
      return retryLater(message);
    }
    deps.logger.error("unknown delivery message dropped", { body: JSON.stringify(body).slice(0, 200) });
    message.ack();
  } catch (error) {
    deps.logger.error("delivery failed", { kind: body?.kind, id: body?.id, error: String(error) });
    retryLater(message);
  }
}

/**
 * The dead-letter queue's consumer: messages that used every attempt. Emails and webhook deliveries are
 * marked dead (a webhook endpoint failing for a day is disabled, its owners emailed); an event that could
 * not be fanned out in about a day is logged for an operator and left for manual replay.
 */
export async function consumeDeadLetters(
  batch: MessageBatch<DeliveryMessage>,
  deps: ConsumerDeps,
): Promise<void> {
  let disabled = 0;
  for (const message of batch.messages) {
    const body = message.body;
    try {
      if (body?.kind === "email") await markEmailDead(deps.db, body.id);
      else if (body?.kind === "webhook")
        disabled += (await buryDelivery(deps.db, body.id, deps.config.PUBLIC_URL)) ? 1 : 0;
      else deps.logger.error("event dead-lettered: not fanned out", { id: body?.id });
      message.ack();
    } catch (error) {
      deps.logger.error("dead letter not recorded", { kind: body?.kind, id: body?.id, error: String(error) });
      message.retry();
    }
  }
  // The owners' "endpoint disabled" emails leave now rather than at the next sweep.
  if (disabled > 0) await relayOutbox(deps.db, deps.queue);
}

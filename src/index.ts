import { createApp } from "./app.ts";
import { createDb } from "./db/client.ts";
import { DbMeter } from "./db/meter.ts";
import { type Bindings, readConfig } from "./env.ts";
import { createLogger } from "./lib/logger.ts";
import { consumeDeadLetters, consumeDeliveries } from "./services/delivery/consumer.ts";
import type { DeliveryMessage } from "./services/delivery/messages.ts";
import { SWEEP_CRON, sweepOutbox, sweepStrandedDeliveries } from "./services/delivery/relay.ts";
import { remindDueInvoices } from "./services/delivery/reminders.ts";
import { forgetOldDeliveryRecords } from "./services/delivery/retention.ts";
import { emailProvider } from "./services/email/provider.ts";
import { passwordParams } from "./services/identity/password.ts";
import { policyFromConfig } from "./services/identity/sessions.ts";
import { deleteAbandonedUploads, sweepCompletedUploadKeys } from "./services/media/uploads.ts";
import { expireNegotiations } from "./services/negotiation/rfqs.ts";
import { forgetOldIdempotencyKeys, IDEMPOTENCY_HOURS } from "./services/orders/checkout.ts";
import { expireStaleOrders } from "./services/orders/orders.ts";

const app = createApp();

/**
 * Cron. Hourly: housekeeping no request should wait for; every minute: the outbox's slow path. (The entry
 * module exports only handlers: workerd refuses a module with any other export.)
 */
export async function scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const config = readConfig(env);
  const meter = new DbMeter();
  if (controller.cron === SWEEP_CRON) {
    const db = createDb(config, meter);
    const relayed = await sweepOutbox(db, env.DELIVERY);
    const stranded = await sweepStrandedDeliveries(db, env.DELIVERY);
    if (relayed + stranded > 0)
      createLogger({ cron: controller.cron }, config.LOG_LEVEL).info("outbox swept", {
        relayed,
        strandedDeliveries: stranded,
        dbRoundTrips: meter.roundTrips,
      });
    return;
  }
  const ctx = {
    db: createDb(config, meter),
    kv: env.SESSIONS,
    now: controller.scheduledTime,
    sessionPolicy: policyFromConfig(config),
    cursorSecret: config.CURSOR_SECRET,
    passwordParams: passwordParams(config.PASSWORD_HASH_COST),
  };
  const deleted = await deleteAbandonedUploads(ctx, env.FILES, config.UPLOAD_GRACE_HOURS);
  const swept = await sweepCompletedUploadKeys(ctx, env.FILES);
  const expired = await expireStaleOrders(ctx, config.ORDER_ACCEPT_HOURS);
  const forgotten = await forgetOldIdempotencyKeys(ctx, IDEMPOTENCY_HOURS);
  const negotiations = await expireNegotiations(ctx);
  const invoicesReminded = await remindDueInvoices(ctx.db, config.PUBLIC_URL);
  const forgottenRecords = await forgetOldDeliveryRecords(ctx.db);
  createLogger({ cron: controller.cron }, config.LOG_LEVEL).info("housekeeping done", {
    abandonedUploadsDeleted: deleted,
    completedUploadKeysSwept: swept,
    ordersExpired: expired,
    idempotencyKeysForgotten: forgotten,
    ...negotiations,
    invoicesReminded,
    forgottenRecords: JSON.stringify(forgottenRecords),
    dbRoundTrips: meter.roundTrips,
  });
}

/** The delivery queue and its dead-letter queue (wrangler.toml [[queues.consumers]]). */
export async function queue(batch: MessageBatch<DeliveryMessage>, env: Bindings): Promise<void> {
  const config = readConfig(env);
  const db = createDb(config, new DbMeter());
  const deps = {
    db,
    config,
    queue: env.DELIVERY,
    provider: emailProvider(config, db),
    fetcher: fetch,
    now: Date.now,
    logger: createLogger({ queue: batch.queue }, config.LOG_LEVEL),
  };
  if (batch.queue.endsWith("-dlq")) await consumeDeadLetters(batch, deps);
  else await consumeDeliveries(batch, deps);
}

export default {
  fetch: app.fetch,
  scheduled,
  queue,
} satisfies ExportedHandler<Bindings, DeliveryMessage>;

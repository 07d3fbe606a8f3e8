import { createApp } from "./app.ts";
import { createDb } from "./db/client.ts";
import { DbMeter } from "./db/meter.ts";
import { type Bindings, readConfig } from "./env.ts";
import { createLogger } from "./lib/logger.ts";
import { passwordParams } from "./services/identity/password.ts";
import { policyFromConfig } from "./services/identity/sessions.ts";
import { deleteAbandonedUploads, sweepCompletedUploadKeys } from "./services/media/uploads.ts";
import { expireNegotiations } from "./services/negotiation/rfqs.ts";
import { forgetOldIdempotencyKeys, IDEMPOTENCY_HOURS } from "./services/orders/checkout.ts";
import { expireStaleOrders } from "./services/orders/orders.ts";

const app = createApp();

/** Cron: housekeeping that no request should wait for. */
export async function scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const config = readConfig(env);
  const meter = new DbMeter();
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
  createLogger({ cron: controller.cron }, config.LOG_LEVEL).info("housekeeping done", {
    abandonedUploadsDeleted: deleted,
    completedUploadKeysSwept: swept,
    ordersExpired: expired,
    idempotencyKeysForgotten: forgotten,
    ...negotiations,
    dbRoundTrips: meter.roundTrips,
  });
}

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Bindings>;

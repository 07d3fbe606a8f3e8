/**
 * Counts the database round trips one request makes and the time spent waiting on them.
 * One instance per request; the numbers feed `Server-Timing` and the request log line.
 */
export class DbMeter {
  roundTrips = 0;
  ms = 0;
  /** Whether a statement sent appends to the outbox (`events`, `email_outbox`): the relay then runs. */
  outboxWritten = false;

  async measure<T>(trip: () => Promise<T>): Promise<T> {
    this.roundTrips += 1;
    const started = performance.now();
    try {
      return await trip();
    } finally {
      this.ms += performance.now() - started;
    }
  }

  /** `db;dur=<ms>;desc="<n> round trips"` */
  serverTiming(): string {
    return `db;dur=${this.ms.toFixed(1)};desc="${this.roundTrips} round trips"`;
  }
}

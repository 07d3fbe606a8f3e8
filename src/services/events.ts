import { type SQL, sql } from "drizzle-orm";
import { type EventType, eventCatalogue } from "../contracts/events.ts";

/** Rows of one catalogued event (or a choice among several decided in SQL) to append. */
export interface EventRows {
  /** One catalogued type, or `oneOf` them chosen by `when` (SQL yielding one of them); all share entity and version. */
  type: EventType | { oneOf: readonly EventType[]; when: SQL };
  /** The organisation each row is for. */
  orgId: SQL;
  entityId: SQL;
  /** jsonb matching the type's catalogued payload. */
  payload: SQL;
  /** What the row expressions read. */
  from?: SQL;
}

/**
 * The one statement that appends events, for a write batch (an event exists exactly when its change
 * committed): `insert into events … select … [union all select …]`, one select per {@link EventRows}.
 * Version and entity come from the catalogue (src/contracts/events.ts), never from the caller.
 *
 * @example
 * appendEvents([{ type: "invoice.paid", orgId: sql`org`, entityId: sql`p.id`, payload: sql`'{}'::jsonb`,
 *   from: sql`paid p, unnest(array[p.buyer_org_id, p.seller_org_id]) org` }], at)
 */
export function appendEvents(parts: readonly EventRows[], at: SQL): SQL {
  const selects = parts.map((part) => {
    const types = typeof part.type === "string" ? [part.type] : part.type.oneOf;
    const [first] = types;
    if (!first) throw new Error("appendEvents: no event type");
    const { version, entity } = eventCatalogue[first];
    for (const other of types) {
      const spec = eventCatalogue[other];
      if (spec.version !== version || spec.entity !== entity)
        throw new Error(`appendEvents: ${other} and ${first} differ in version or entity`);
    }
    // A choice outside `oneOf` yields null, which the NOT NULL type column refuses: never an uncatalogued type.
    const type =
      typeof part.type === "string"
        ? sql`${part.type}::text`
        : sql`(case when (${part.type.when})::text = any(array[${sql.join(
            types.map((t) => sql`${t}`),
            sql`, `,
          )}]::text[]) then (${part.type.when})::text end)`;
    return sql`select ${type}, ${version}::int, ${part.orgId}, ${entity}::text, ${part.entityId}, ${part.payload}, ${at}
      ${part.from ? sql`from ${part.from}` : sql``}`;
  });
  return sql`insert into events (type, version, org_id, entity_type, entity_id, payload, created_at)
    ${sql.join(selects, sql` union all `)}`;
}

/** The event an order's move to `status` appends. */
export function orderEventType(status: string): EventType {
  const type = `order.${status}`;
  if (!(type in eventCatalogue)) throw new Error(`no catalogued event for an order becoming ${status}`);
  return type as EventType;
}

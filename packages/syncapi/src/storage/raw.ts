/** Helpers of the raw postgres.js statements (hot-path.ts): rows to storage types, filters to SQL. */
import type { Sql } from "@dendrite-ts/runtime";
import type { StoredEvent } from "./events";
import type { SqlEventFilter } from "./event-filter";
import type { StateRow } from "./state";

/** A postgres.js SQL fragment (an unawaited tagged template). */
export type Fragment = ReturnType<Sql["unsafe"]>;

export type Raw = Record<string, unknown>;

export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** An output_room_events row as JSON (row_to_json) or as a result row: snake_case, int8 maybe as string. */
export function storedEventFromRow(r: Raw): StoredEvent {
  return {
    pos: num(r.pos),
    eventId: r.event_id as string,
    roomId: r.room_id as string,
    type: r.type as string,
    sender: r.sender as string,
    stateKey: (r.state_key ?? null) as string | null,
    depth: num(r.depth),
    roomVersion: r.room_version as string,
    eventJson: r.event_json as Record<string, unknown>,
    unsignedExtra: (r.unsigned_extra ?? {}) as Record<string, unknown>,
    redactedBecause: (r.redacted_because ?? null) as Record<string, unknown> | null,
    txnId: (r.txn_id ?? null) as string | null,
    txnDeviceId: (r.txn_device_id ?? null) as string | null,
    containsUrl: r.contains_url as boolean,
    originKind: r.origin_kind as StoredEvent["originKind"],
    excluded: r.excluded as boolean,
    relatesTo: (r.relates_to ?? null) as string | null,
    relType: (r.rel_type ?? null) as string | null,
  };
}

export function stateRowFromRow(r: Raw): StateRow {
  return {
    id: num(r.id),
    roomId: r.room_id as string,
    type: r.type as string,
    stateKey: r.state_key as string,
    eventId: r.event_id as string,
    membership: (r.membership ?? null) as string | null,
    addedPos: num(r.added_pos),
    removedPos: numOrNull(r.removed_pos),
  };
}

function typeMatch(sql: Sql, pattern: string): Fragment {
  if (!pattern.includes("*")) return sql`e.type = ${pattern}::text`;
  const like = pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
  return sql`e.type LIKE ${like}::text`;
}

/** (p1 OR p2 …) */
function anyOf(sql: Sql, parts: Fragment[]): Fragment {
  const inner = parts.slice(1).reduce((acc, p) => sql`${acc} OR ${p}`, parts[0]!);
  return sql`(${inner})`;
}

/** event-filter.ts's eventFilterSql for the alias `e`, as a list of `AND …` fragments. */
export function eventFilterFragment(sql: Sql, f: SqlEventFilter | undefined): Fragment {
  const conds: Fragment[] = [];
  if (f) {
    if (f.types) conds.push(f.types.length === 0 ? sql`false` : anyOf(sql, f.types.map((p) => typeMatch(sql, p))));
    if (f.not_types?.length) conds.push(sql`NOT ${anyOf(sql, f.not_types.map((p) => typeMatch(sql, p)))}`);
    if (f.senders) conds.push(f.senders.length === 0 ? sql`false` : sql`e.sender = ANY(${f.senders}::text[])`);
    if (f.not_senders?.length) conds.push(sql`NOT (e.sender = ANY(${f.not_senders}::text[]))`);
    if (f.rooms) conds.push(f.rooms.length === 0 ? sql`false` : sql`e.room_id = ANY(${f.rooms}::text[])`);
    if (f.not_rooms?.length) conds.push(sql`NOT (e.room_id = ANY(${f.not_rooms}::text[]))`);
    if (f.contains_url !== undefined) conds.push(sql`e.contains_url = ${f.contains_url}::bool`);
    if (f.relates_to) conds.push(f.relates_to.length === 0 ? sql`false` : sql`e.relates_to = ANY(${f.relates_to}::text[])`);
    if (f.rel_type !== undefined) conds.push(sql`e.rel_type = ${f.rel_type}::text`);
    if (f.event_type !== undefined) conds.push(sql`e.type = ${f.event_type}::text`);
    if (f.ignored_senders?.length) conds.push(sql`(e.state_key IS NOT NULL OR NOT (e.sender = ANY(${[...f.ignored_senders]}::text[])))`);
  }
  return conds.reduce((acc, c) => sql`${acc} AND ${c}`, sql``);
}


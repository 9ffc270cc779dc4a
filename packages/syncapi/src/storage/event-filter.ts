/**
 * A RoomEventFilter as an SQL condition on output_room_events, so `limit` counts only matching
 * events (filtering after the LIMIT would return short, wrongly "limited" pages).
 */
import { and, eq, inArray, isNotNull, not, notInArray, or, sql, type SQL } from "drizzle-orm";
import { outputRoomEvents as t } from "./schema";

export interface SqlEventFilter {
  types?: string[];
  not_types?: string[];
  senders?: string[];
  not_senders?: string[];
  rooms?: string[];
  not_rooms?: string[];
  contains_url?: boolean;
  /** /relations: children of these events … */
  relates_to?: string[];
  /** … with this relation type … */
  rel_type?: string;
  /** … and this exact event type. */
  event_type?: string;
  /** Non-state events from these senders are left out; their state events stay (m.ignored_user_list). */
  ignored_senders?: readonly string[];
}

function typeMatch(pattern: string): SQL {
  if (!pattern.includes("*")) return eq(t.type, pattern);
  const like = pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
  return sql`${t.type} LIKE ${like}`;
}

export function eventFilterSql(f: SqlEventFilter | undefined): SQL | undefined {
  if (!f) return undefined;
  const conds: (SQL | undefined)[] = [];
  if (f.types) conds.push(f.types.length === 0 ? sql`false` : or(...f.types.map(typeMatch)));
  if (f.not_types?.length) conds.push(not(or(...f.not_types.map(typeMatch))!));
  if (f.senders) conds.push(f.senders.length === 0 ? sql`false` : inArray(t.sender, f.senders));
  if (f.not_senders?.length) conds.push(notInArray(t.sender, f.not_senders));
  if (f.rooms) conds.push(f.rooms.length === 0 ? sql`false` : inArray(t.roomId, f.rooms));
  if (f.not_rooms?.length) conds.push(notInArray(t.roomId, f.not_rooms));
  if (f.contains_url !== undefined) conds.push(eq(t.containsUrl, f.contains_url));
  if (f.relates_to) conds.push(f.relates_to.length === 0 ? sql`false` : inArray(t.relatesTo, f.relates_to));
  if (f.rel_type !== undefined) conds.push(eq(t.relType, f.rel_type));
  if (f.event_type !== undefined) conds.push(eq(t.type, f.event_type));
  if (f.ignored_senders?.length) conds.push(or(isNotNull(t.stateKey), notInArray(t.sender, [...f.ignored_senders])));
  return conds.length === 0 ? undefined : and(...conds);
}

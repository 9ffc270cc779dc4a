/**
 * Event type and state key NIDs. Assigned in autocommit (never inside an event's transaction)
 * so a cached NID always exists: a rolled-back transaction cannot leave the cache pointing at
 * a row that was never written. Strings are immutable facts, so the cache never goes stale.
 */
import { inArray, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { eventStateKeys, eventTypes } from "./schema";

export interface NidQueries {
  /** NIDs of `types`, creating the missing ones. */
  assignEventTypeNids(types: readonly string[]): Promise<Map<string, number>>;
  /** NIDs of `keys`, creating the missing ones. */
  assignStateKeyNids(keys: readonly string[]): Promise<Map<string, number>>;
  /** NIDs of `types` that exist (no writes). */
  eventTypeNids(types: readonly string[]): Promise<Map<string, number>>;
  /** NIDs of `keys` that exist (no writes). */
  stateKeyNids(keys: readonly string[]): Promise<Map<string, number>>;
  /** Strings for type NIDs. */
  eventTypesByNid(nids: readonly number[]): Promise<Map<number, string>>;
  /** Strings for state key NIDs. */
  stateKeysByNid(nids: readonly number[]): Promise<Map<number, string>>;
}

const CACHE_LIMIT = 100_000;

class BiCache {
  readonly byName = new Map<string, number>();
  readonly byNid = new Map<number, string>();
  add(name: string, nid: number): void {
    if (this.byName.size >= CACHE_LIMIT) {
      this.byName.clear();
      this.byNid.clear();
    }
    this.byName.set(name, nid);
    this.byNid.set(nid, name);
  }
}

export function nidQueries(db: Executor): NidQueries {
  const typeCache = new BiCache();
  const keyCache = new BiCache();

  const types = { table: eventTypes, name: eventTypes.eventType, nid: eventTypes.eventTypeNid };
  const keys = { table: eventStateKeys, name: eventStateKeys.eventStateKey, nid: eventStateKeys.eventStateKeyNid };
  type Kind = typeof types | typeof keys;

  async function select(kind: Kind, cache: BiCache, names: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing: string[] = [];
    for (const n of new Set(names)) {
      const hit = cache.byName.get(n);
      if (hit === undefined) missing.push(n);
      else out.set(n, hit);
    }
    if (missing.length > 0) {
      const rows = await db
        .select({ name: kind.name, nid: kind.nid })
        .from(kind.table)
        .where(inArray(kind.name, missing));
      for (const r of rows) {
        cache.add(r.name, r.nid);
        out.set(r.name, r.nid);
      }
    }
    return out;
  }

  async function assign(kind: Kind, cache: BiCache, names: readonly string[]): Promise<Map<string, number>> {
    const out = await select(kind, cache, names);
    const missing = [...new Set(names)].filter((n) => !out.has(n));
    if (missing.length === 0) return out;
    const col = kind === types ? "event_type" : "event_state_key";
    const values = missing.map((n) => ({ [col === "event_type" ? "eventType" : "eventStateKey"]: n }));
    // DO UPDATE (a no-op) rather than DO NOTHING so RETURNING also yields rows another writer made.
    const rows = await db
      .insert(kind.table)
      .values(values as never)
      .onConflictDoUpdate({ target: kind.name, set: { [kind === types ? "eventType" : "eventStateKey"]: sql`excluded.${sql.raw(col)}` } })
      .returning({ name: kind.name, nid: kind.nid });
    for (const r of rows) {
      cache.add(r.name, r.nid);
      out.set(r.name, r.nid);
    }
    return out;
  }

  async function byNid(kind: Kind, cache: BiCache, nids: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const missing: number[] = [];
    for (const n of new Set(nids)) {
      const hit = cache.byNid.get(n);
      if (hit === undefined) missing.push(n);
      else out.set(n, hit);
    }
    if (missing.length > 0) {
      const rows = await db.select({ name: kind.name, nid: kind.nid }).from(kind.table).where(inArray(kind.nid, missing));
      for (const r of rows) {
        cache.add(r.name, r.nid);
        out.set(r.nid, r.name);
      }
    }
    return out;
  }

  return {
    assignEventTypeNids: (names) => assign(types, typeCache, names),
    assignStateKeyNids: (names) => assign(keys, keyCache, names),
    eventTypeNids: (names) => select(types, typeCache, names),
    stateKeyNids: (names) => select(keys, keyCache, names),
    eventTypesByNid: (nids) => byNid(types, typeCache, nids),
    stateKeysByNid: (nids) => byNid(keys, keyCache, nids),
  };
}

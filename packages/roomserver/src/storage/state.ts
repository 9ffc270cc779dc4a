/**
 * Queries on `roomserver.state_blocks` and `roomserver.state_snapshots`. Written in autocommit
 * on the root database, never inside an event's transaction: both tables are content-addressed,
 * so a row left behind by a crash is harmless, and caches never hold a rolled-back NID.
 * Blocks and snapshots never change once written, so they cache forever (bounded by size).
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Executor } from "./db";
import { stateBlocks, stateSnapshots } from "./schema";
import { chunkEntries, compareKeys, hashBlock, hashBlockList, normaliseEntries, type StateEntry } from "./state-entries";

export interface StateQueries {
  /** Stores `entries` (any order) as the room's state; returns the snapshot NID. Empty state = 0. */
  writeState(roomNid: number, entries: Iterable<StateEntry>): Promise<number>;
  /** The entries of a snapshot, sorted by key (shared: never modify). Snapshot 0 is the empty state. */
  loadState(stateSnapshotNid: number): Promise<readonly StateEntry[]>;
  /** The block NIDs of a snapshot (tests, diagnostics). */
  snapshotBlockNids(stateSnapshotNid: number): Promise<number[]>;
  /**
   * The entry for one key in each of several snapshots (undefined: none), without assembling
   * them: each state event's "state before" differs, and a big room's /state asks for thousands.
   */
  entriesAt(lookups: readonly StateLookup[]): Promise<(StateEntry | undefined)[]>;
}

export interface StateLookup {
  stateSnapshotNid: number;
  typeNid: number;
  stateKeyNid: number;
}

const BLOCK_CACHE_ENTRIES = 2_000_000;
const SNAPSHOT_CACHE = 10_000;
/** Assembled snapshots kept whole: a busy room's current state is asked for several times per event. */
const ASSEMBLED_CACHE = 64;

export function stateQueries(db: Executor): StateQueries {
  const blockCache = new Map<number, StateEntry[]>();
  let cachedEntries = 0;
  const blockNidByHash = new Map<string, number>();
  const snapshotCache = new Map<number, number[]>();
  const assembled = new Map<number, readonly StateEntry[]>();

  // Known blocks by a cheap fingerprint (confirmed by comparing entries), so an unchanged block
  // of a big room's state costs integer arithmetic, not a SHA-256, each time the state is written.
  const byFingerprint = new Map<number, { nid: number; entries: readonly StateEntry[] }[]>();

  function cacheBlock(nid: number, hash: string, entries: StateEntry[]): void {
    if (cachedEntries + entries.length > BLOCK_CACHE_ENTRIES) {
      blockCache.clear();
      blockNidByHash.clear();
      byFingerprint.clear();
      cachedEntries = 0;
    }
    if (!blockCache.has(nid)) cachedEntries += entries.length;
    blockCache.set(nid, entries);
    blockNidByHash.set(hash, nid);
    const fp = fingerprint(entries);
    const list = byFingerprint.get(fp) ?? [];
    if (!list.some((c) => c.nid === nid)) list.push({ nid, entries });
    byFingerprint.set(fp, list);
  }

  function knownBlock(block: readonly StateEntry[]): number | undefined {
    return byFingerprint.get(fingerprint(block))?.find((c) => sameEntries(c.entries, block))?.nid;
  }

  async function blockNidsFor(blocks: StateEntry[][]): Promise<number[]> {
    const result: (number | undefined)[] = blocks.map(knownBlock);
    const missing = result.flatMap((nid, i) => (nid === undefined ? [i] : []));
    if (missing.length === 0) return result as number[];
    const hashes = new Map(missing.map((i) => [i, hashBlock(blocks[i]!)]));
    const keyOf = (i: number) => hashes.get(i)!.toString("hex");
    for (const i of missing) result[i] = blockNidByHash.get(keyOf(i));
    const uniq = [...new Map(missing.filter((i) => result[i] === undefined).map((i) => [keyOf(i), i])).values()];
    if (uniq.length > 0) {
      await db
        .insert(stateBlocks)
        .values(
          uniq.map((i) => {
            const b = blocks[i]!;
            return {
              blockHash: hashes.get(i)!,
              typeNids: b.map((e) => e.typeNid),
              stateKeyNids: b.map((e) => e.stateKeyNid),
              eventNids: b.map((e) => e.eventNid),
            };
          }),
        )
        .onConflictDoNothing({ target: stateBlocks.blockHash });
      const rows = await db
        .select({ nid: stateBlocks.stateBlockNid, hash: stateBlocks.blockHash })
        .from(stateBlocks)
        .where(inArray(stateBlocks.blockHash, uniq.map((i) => hashes.get(i)!)));
      const byHash = new Map(rows.map((r) => [Buffer.from(r.hash).toString("hex"), r.nid]));
      for (const i of missing) {
        if (result[i] !== undefined) continue;
        const nid = byHash.get(keyOf(i));
        if (nid === undefined) throw new Error("state block missing after insert");
        result[i] = nid;
      }
    }
    // Cache after the result is complete: a cache reset midway must not lose an answer.
    for (const i of missing) cacheBlock(result[i]!, keyOf(i), blocks[i]!);
    return result as number[];
  }

  function rememberSnapshot(nid: number, blocks: number[]): void {
    if (snapshotCache.size >= SNAPSHOT_CACHE) snapshotCache.clear();
    snapshotCache.set(nid, blocks);
  }

  /** Block lists of several snapshots: the cached ones, the rest in one query. */
  async function snapshotsBlockNids(nids: readonly number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    const missing: number[] = [];
    for (const nid of new Set(nids)) {
      if (nid === 0) out.set(0, []);
      else if (snapshotCache.has(nid)) out.set(nid, snapshotCache.get(nid)!);
      else missing.push(nid);
    }
    for (const part of inParts(missing)) {
      const rows = await db
        .select({ nid: stateSnapshots.stateSnapshotNid, blocks: stateSnapshots.stateBlockNids })
        .from(stateSnapshots)
        .where(inArray(stateSnapshots.stateSnapshotNid, part));
      for (const r of rows) {
        rememberSnapshot(r.nid, r.blocks);
        out.set(r.nid, r.blocks);
      }
    }
    for (const nid of missing) if (!out.has(nid)) throw new Error(`state snapshot ${nid} not found`);
    return out;
  }

  /** Blocks by NID: the cached ones, the rest in one query (held here: a cache reset must not lose one). */
  async function blocksOf(blockNids: Iterable<number>): Promise<Map<number, StateEntry[]>> {
    const blocks = new Map<number, StateEntry[]>();
    const missing: number[] = [];
    for (const n of new Set(blockNids)) {
      const cached = blockCache.get(n);
      if (cached) blocks.set(n, cached);
      else missing.push(n);
    }
    for (const part of inParts(missing)) {
      const rows = await db.select().from(stateBlocks).where(inArray(stateBlocks.stateBlockNid, part));
      for (const r of rows) {
        const entries = r.eventNids.map((eventNid, i) => ({
          typeNid: r.typeNids[i]!,
          stateKeyNid: r.stateKeyNids[i]!,
          eventNid,
        }));
        blocks.set(r.stateBlockNid, entries);
        cacheBlock(r.stateBlockNid, Buffer.from(r.blockHash).toString("hex"), entries);
      }
    }
    return blocks;
  }

  async function snapshotBlockNids(stateSnapshotNid: number): Promise<number[]> {
    if (stateSnapshotNid === 0) return [];
    const hit = snapshotCache.get(stateSnapshotNid);
    if (hit) return hit;
    const [row] = await db
      .select({ blocks: stateSnapshots.stateBlockNids })
      .from(stateSnapshots)
      .where(eq(stateSnapshots.stateSnapshotNid, stateSnapshotNid));
    if (!row) throw new Error(`state snapshot ${stateSnapshotNid} not found`);
    rememberSnapshot(stateSnapshotNid, row.blocks);
    return row.blocks;
  }

  return {
    async writeState(roomNid, entries) {
      const sorted = normaliseEntries(entries);
      if (sorted.length === 0) return 0;
      const blockNids = await blockNidsFor(chunkEntries(sorted));
      const snapshotHash = hashBlockList(blockNids);
      const inserted = await db
        .insert(stateSnapshots)
        .values({ roomNid, snapshotHash, stateBlockNids: blockNids })
        .onConflictDoNothing({ target: [stateSnapshots.roomNid, stateSnapshots.snapshotHash] })
        .returning({ nid: stateSnapshots.stateSnapshotNid });
      let nid = inserted[0]?.nid;
      if (nid === undefined) {
        const [row] = await db
          .select({ nid: stateSnapshots.stateSnapshotNid })
          .from(stateSnapshots)
          .where(and(eq(stateSnapshots.roomNid, roomNid), eq(stateSnapshots.snapshotHash, snapshotHash)));
        if (!row) throw new Error("state snapshot missing after insert");
        nid = row.nid;
      }
      snapshotCache.set(nid, blockNids);
      // The next event in the room will ask for exactly this state.
      if (!assembled.has(nid)) {
        if (assembled.size >= ASSEMBLED_CACHE) assembled.delete(assembled.keys().next().value as number);
        assembled.set(nid, sorted);
      }
      return nid;
    },

    async loadState(stateSnapshotNid) {
      const hit = assembled.get(stateSnapshotNid);
      if (hit) {
        // Refresh its place: the oldest-used snapshot goes first.
        assembled.delete(stateSnapshotNid);
        assembled.set(stateSnapshotNid, hit);
        return hit;
      }
      const blockNids = await snapshotBlockNids(stateSnapshotNid);
      const blocks = await blocksOf(blockNids);
      const out: StateEntry[] = [];
      for (const n of blockNids) {
        const block = blocks.get(n);
        if (!block) throw new Error(`state block ${n} not found`);
        for (const e of block) out.push(e);
      }
      if (assembled.size >= ASSEMBLED_CACHE) assembled.delete(assembled.keys().next().value as number);
      assembled.set(stateSnapshotNid, out);
      return out;
    },

    snapshotBlockNids,

    async entriesAt(lookups) {
      const lists = await snapshotsBlockNids(lookups.map((l) => l.stateSnapshotNid));
      const blocks = await blocksOf([...lists.values()].flat());
      return lookups.map((l) => {
        // Blocks hold consecutive runs of the sorted entries: the key can only be in the last
        // block starting at or before it.
        const list = lists.get(l.stateSnapshotNid) ?? [];
        let lo = 0;
        let hi = list.length - 1;
        let at: StateEntry[] | undefined;
        while (lo <= hi) {
          const mid = (lo + hi) >>> 1;
          const block = blocks.get(list[mid]!);
          if (!block) throw new Error(`state block ${list[mid]} not found`);
          if (block.length > 0 && compareKeys(block[0]!, l) <= 0) {
            at = block;
            lo = mid + 1;
          } else hi = mid - 1;
        }
        return at?.find((e) => e.typeNid === l.typeNid && e.stateKeyNid === l.stateKeyNid);
      });
    },
  };
}

/** A query's parameters are limited (65,535): a long IN list goes in parts. */
function inParts(nids: readonly number[], size = 10_000): number[][] {
  const parts: number[][] = [];
  for (let i = 0; i < nids.length; i += size) parts.push(nids.slice(i, i + size));
  return parts;
}

/** 32-bit FNV-1a over the entries' numbers: a cheap first look, confirmed by sameEntries. */
function fingerprint(block: readonly StateEntry[]): number {
  let h = 0x811c9dc5 ^ block.length;
  for (const e of block) {
    h = Math.imul(h ^ e.typeNid, 0x01000193);
    h = Math.imul(h ^ e.stateKeyNid, 0x01000193);
    h = Math.imul(h ^ e.eventNid, 0x01000193);
  }
  return h >>> 0;
}

function sameEntries(a: readonly StateEntry[], b: readonly StateEntry[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.typeNid !== y.typeNid || x.stateKeyNid !== y.stateKeyNid || x.eventNid !== y.eventNid) return false;
  }
  return true;
}

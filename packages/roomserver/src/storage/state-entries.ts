/**
 * Room state as data: a sorted list of (type NID, state key NID) → event NID entries, cut into
 * blocks at content-defined boundaries. A boundary falls after an entry whose *key* hashes to
 * 0 mod BOUNDARY_MODULUS, so changing one key's event changes one block and leaves every other
 * block (and its hash) as it was: a message or a single state change in a 30,000-member room
 * writes at most one small block plus a list of block NIDs, never a copy of the state.
 */
import { createHash } from "node:crypto";

export interface StateEntry {
  readonly typeNid: number;
  readonly stateKeyNid: number;
  readonly eventNid: number;
}

/** Average block size is about this many entries. */
const BOUNDARY_MODULUS = 64;
/** No block grows past this, whatever the keys hash to. */
const MAX_BLOCK = 1024;

export function compareKeys(a: { typeNid: number; stateKeyNid: number }, b: { typeNid: number; stateKeyNid: number }): number {
  return a.typeNid - b.typeNid || a.stateKeyNid - b.stateKeyNid;
}

/** Sorted by key, one entry per key (the last one given wins). Already-normal arrays pass as they are. */
export function normaliseEntries(entries: Iterable<StateEntry>): readonly StateEntry[] {
  if (Array.isArray(entries) && isStrictlySorted(entries)) return entries;
  const byKey = new Map<string, StateEntry>();
  for (const e of entries) byKey.set(`${e.typeNid}/${e.stateKeyNid}`, e);
  return [...byKey.values()].sort(compareKeys);
}

function isStrictlySorted(entries: readonly StateEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (compareKeys(entries[i - 1]!, entries[i]!) >= 0) return false;
  return true;
}

// A cheap, well-mixed 32-bit hash of the key (murmur3's finaliser over both NIDs).
function keyHash(typeNid: number, stateKeyNid: number): number {
  let h = Math.imul(typeNid ^ 0x9e3779b9, 0x85ebca6b) ^ stateKeyNid;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Cuts sorted entries into blocks. */
export function chunkEntries(sorted: readonly StateEntry[]): StateEntry[][] {
  const blocks: StateEntry[][] = [];
  let current: StateEntry[] = [];
  for (const e of sorted) {
    current.push(e);
    if (keyHash(e.typeNid, e.stateKeyNid) % BOUNDARY_MODULUS === 0 || current.length >= MAX_BLOCK) {
      blocks.push(current);
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

/** SHA-256 over the entries as big-endian 64-bit triples. */
export function hashBlock(block: readonly StateEntry[]): Buffer {
  const buf = Buffer.alloc(block.length * 24);
  block.forEach((e, i) => {
    buf.writeBigUInt64BE(BigInt(e.typeNid), i * 24);
    buf.writeBigUInt64BE(BigInt(e.stateKeyNid), i * 24 + 8);
    buf.writeBigUInt64BE(BigInt(e.eventNid), i * 24 + 16);
  });
  return createHash("sha256").update(buf).digest();
}

/** SHA-256 over a snapshot's block NIDs, in order. */
export function hashBlockList(blockNids: readonly number[]): Buffer {
  const buf = Buffer.alloc(blockNids.length * 8);
  blockNids.forEach((n, i) => buf.writeBigUInt64BE(BigInt(n), i * 8));
  return createHash("sha256").update(buf).digest();
}

/**
 * Walking the DAG backwards for other servers: /backfill (from given events, inclusive) and
 * /get_missing_events (what lies between what they have and what they saw). Breadth-first over
 * prev_events, a generation per round trip; rejected and outlier events are never served.
 */
import type { PduJson } from "../../api";
import type { RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { servable } from "./state";

async function walkBack(
  ctx: RoomserverContext,
  roomId: string,
  start: readonly string[],
  opts: { limit: number; stopAt: ReadonlySet<string>; minDepth: number },
): Promise<StoredEvent[]> {
  const room = await ctx.store.roomInfo(roomId);
  if (!room) return [];
  const seen = new Set<string>(opts.stopAt);
  const found: StoredEvent[] = [];
  let frontier = start.filter((id) => !seen.has(id));
  while (frontier.length > 0 && found.length < opts.limit) {
    for (const id of frontier) seen.add(id);
    const evs = await ctx.events.byIds(frontier);
    // Newest first within a generation, so a limit keeps the events closest to the start.
    const layer = [...evs.values()]
      .filter((e) => e.roomNid === room.roomNid && !e.rejected && !e.outlier && e.depth >= opts.minDepth)
      .sort((a, b) => b.depth - a.depth || b.nid - a.nid);
    const next: string[] = [];
    for (const e of layer) {
      if (found.length >= opts.limit) break;
      found.push(e);
      for (const p of e.prevEventIds) if (!seen.has(p)) next.push(p);
    }
    frontier = [...new Set(next)];
  }
  return found;
}

async function serve(ctx: RoomserverContext, evs: readonly StoredEvent[]): Promise<PduJson[]> {
  const out: PduJson[] = [];
  for (const e of evs) out.push(await servable(ctx, e));
  return out;
}

/** /backfill: up to `limit` events from `fromEventIds` (included) backwards, newest first. */
export async function queryBackfill(ctx: RoomserverContext, roomId: string, fromEventIds: readonly string[], limit: number) {
  const evs = await walkBack(ctx, roomId, fromEventIds, { limit, stopAt: new Set(), minDepth: 0 });
  return { events: await serve(ctx, evs) };
}

/**
 * /get_missing_events: the events before `latestEventIds` (excluded) back to `earliestEventIds`
 * (excluded, the requester has them), at least `minDepth` deep, oldest first.
 */
export async function queryMissingEvents(
  ctx: RoomserverContext,
  roomId: string,
  earliestEventIds: readonly string[],
  latestEventIds: readonly string[],
  limit: number,
  minDepth: number,
) {
  const latest = await ctx.events.byIds(latestEventIds);
  const start = [...latest.values()].flatMap((e) => e.prevEventIds);
  const stopAt = new Set([...earliestEventIds, ...latestEventIds]);
  const evs = await walkBack(ctx, roomId, start, { limit, stopAt, minDepth });
  return { events: await serve(ctx, evs.sort((a, b) => a.depth - b.depth || a.nid - b.nid)) };
}

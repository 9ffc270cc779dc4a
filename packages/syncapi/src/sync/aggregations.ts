/**
 * Bundled aggregations (client-server API, "Aggregations of child events"): under
 * unsigned["m.relations"], the m.thread summary, the newest valid m.replace edit and the
 * m.reference list of each non-state event returned. The rules for a valid edit are the spec's
 * ("Validity of replacement events").
 */
import type { StoredEvent, SyncStore } from "../storage";
import { isIgnored, toClientEvent, withoutRoomId, type ClientEvent, type Viewer } from "./client-event";

function isValidEdit(original: StoredEvent, edit: StoredEvent): boolean {
  const content = edit.eventJson.content as Record<string, unknown> | undefined;
  // An encrypted edit carries m.new_content inside its ciphertext ("once decrypted, if appropriate").
  const hasNewContent = edit.type === "m.room.encrypted" || (typeof content?.["m.new_content"] === "object" && content["m.new_content"] !== null);
  return (
    edit.roomId === original.roomId &&
    edit.sender === original.sender &&
    edit.type === original.type &&
    original.stateKey === null &&
    edit.stateKey === null &&
    original.relType !== "m.replace" &&
    hasNewContent
  );
}

/** The most recent by origin_server_ts, then the largest event ID. */
function newest(edits: StoredEvent[]): StoredEvent | undefined {
  const ts = (e: StoredEvent) => Number(e.eventJson.origin_server_ts ?? 0);
  return edits.reduce<StoredEvent | undefined>((best, e) => (!best || ts(e) > ts(best) || (ts(e) === ts(best) && e.eventId > best.eventId) ? e : best), undefined);
}

/**
 * Adds unsigned["m.relations"] to `clients` (the client forms of `events`, same order). A
 * thread's latest_event carries its own aggregations (threading.md), one level deep: `nested`
 * is set for that inner pass.
 */
export async function bundleAggregations(store: SyncStore, viewer: Viewer, events: readonly StoredEvent[], clients: readonly ClientEvent[], nested = false): Promise<void> {
  const parents = events.filter((e) => e.stateKey === null);
  if (parents.length === 0) return;
  const ids = parents.map((e) => e.eventId);
  const [threads, allChildren] = await Promise.all([
    store.threads.threadSummaries(ids, viewer.userId, viewer.ignored?.size ? [...viewer.ignored] : undefined),
    store.events.childrenByType(ids, ["m.replace", "m.reference"]),
  ]);
  // Children from ignored users are not aggregated ("Aggregations"; m.ignored_user_list).
  const children = allChildren.filter((c) => !isIgnored(viewer, c));
  const latestEvents = await store.events.eventsByIds(threads.map((t) => t.latestId));
  const latestClients = latestEvents.map((e) => toClientEvent(e, viewer));
  if (!nested) await bundleAggregations(store, viewer, latestEvents, latestClients, true);
  const latest = new Map(latestEvents.map((e, i) => [e.eventId, latestClients[i]!]));
  const threadOf = new Map(threads.map((t) => [t.rootId, t]));
  events.forEach((ev, i) => {
    if (ev.stateKey !== null) return;
    const relations: Record<string, unknown> = {};
    const thread = threadOf.get(ev.eventId);
    const threadLatest = thread && latest.get(thread.latestId);
    if (thread && threadLatest) {
      relations["m.thread"] = {
        latest_event: threadLatest,
        count: thread.count,
        current_user_participated: thread.replied || ev.sender === viewer.userId,
      };
    }
    const mine = children.filter((c) => c.relatesTo === ev.eventId);
    // Only an edit is not bundled for a redacted original (event_replacements.md); threads and references are.
    const edit = ev.redactedBecause === null ? newest(mine.filter((c) => c.relType === "m.replace" && isValidEdit(ev, c))) : undefined;
    if (edit) relations["m.replace"] = toClientEvent(edit, viewer);
    const refs = mine.filter((c) => c.relType === "m.reference");
    if (refs.length > 0) relations["m.reference"] = { chunk: refs.map((c) => ({ event_id: c.eventId })) };
    if (Object.keys(relations).length === 0) return;
    const client = clients[i];
    if (!client) return;
    const unsigned = (client.unsigned ?? {}) as Record<string, unknown>;
    unsigned["m.relations"] = { ...(unsigned["m.relations"] as Record<string, unknown> | undefined), ...relations };
    client.unsigned = unsigned;
    // Under /sync the parent is without room_id, and so are the events bundled into it.
    if (!Object.hasOwn(client, "room_id")) client.unsigned = (withoutRoomId({ unsigned }).unsigned ?? unsigned) as Record<string, unknown>;
  });
}

/** toClientEvent for a list, with bundled aggregations. */
export async function clientEventsWithAggregations(store: SyncStore, viewer: Viewer, events: readonly StoredEvent[]): Promise<ClientEvent[]> {
  const clients = events.map((e) => toClientEvent(e, viewer));
  await bundleAggregations(store, viewer, events, clients);
  return clients;
}

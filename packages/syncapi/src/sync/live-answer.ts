/**
 * The answer to a long-polling /sync woken by one new message, made from the message itself
 * rather than from a database read — when that message is provably all the news:
 *
 *  - the room stream stood at the request's `since` just before the message was written
 *    (`prevPos`, read under the writers' lock), so nothing else happened in any room: no
 *    membership, invite or state change, no other message;
 *  - the user was joined to the room at `since` (so still is), and a joined member sees every
 *    event sent while joined, whatever the history visibility;
 *  - it is a plain new event: not state, not a redaction, not hidden, not an upgraded outlier,
 *    not from a user the viewer ignores (a Set lookup in the list held in memory);
 *  - the filter is one whose effect we apply here exactly: rooms lists, a timeline limit of at
 *    least 1, event_fields and event_format. Type, sender or URL filters and lazy-loaded members go to the
 *    database path.
 *
 * Account data, receipts and typing keep their `since` positions in next_batch, so a change
 * there is in the next answer. The room summary is left out: nothing it counts changed, and the spec lets a server
 * omit an unchanged summary.
 */
import type { StoredEvent } from "../storage";
import { emptySyncResponse, type SyncResponse } from "./build-sync";
import { formatEvent, isIgnored, type Viewer } from "./client-event";
import { applyEventFields } from "./event-fields";
import { roomAllowed, type Filter, type RoomEventFilter } from "./filter";
import { formatTopoToken, type SyncPositions } from "./tokens";
import { viewerJoined } from "./membership-at";

/** A message a local consumer just wrote, as stored. */
export interface LiveEvent {
  event: StoredEvent;
  /** The room stream's position just before it was written. */
  prevPos: number;
}

/** Timeline filter keys whose effect this answer reproduces (or that do not touch a message). */
const TIMELINE_KEYS_APPLIED = new Set(["limit", "unread_thread_notifications", "lazy_load_members", "include_redundant_members"]);

export function liveAnswer(input: {
  viewer: Viewer & { deviceId: string };
  since: SyncPositions;
  filter: Filter;
  /** state_after in place of state (the message changes no state: empty either way). */
  useStateAfter: boolean;
  /** The rooms the user was joined to at `since` (the last overview read at that position). */
  joinedAtSince: ReadonlySet<string>;
  live: LiveEvent;
}): SyncResponse | undefined {
  const { viewer, since, filter, live } = input;
  const ev = live.event;
  if (live.prevPos !== since.room || ev.pos <= since.room) return undefined;
  if (!input.joinedAtSince.has(ev.roomId) || !roomAllowed(filter.room, ev.roomId)) return undefined;
  if (ev.stateKey !== null || ev.type === "m.room.redaction" || ev.excluded || ev.originKind !== "new" || ev.redactedBecause !== null) return undefined;
  // From a user the viewer ignores: the database path leaves it out (and keeps waiting).
  if (isIgnored(viewer, ev)) return undefined;
  if (!appliedHere(filter)) return undefined;
  const res = emptySyncResponse({ ...since, room: ev.pos });
  res.rooms.join[ev.roomId] = {
    timeline: {
      events: applyEventFields([formatEvent(ev, viewerJoined(viewer), filter.event_format)], filter.event_fields),
      limited: false,
      prev_batch: formatTopoToken({ depth: ev.depth, pos: ev.pos }),
    },
    ...(input.useStateAfter ? { state_after: { events: [] } } : { state: { events: [] } }),
    account_data: { events: [] },
    ephemeral: { events: [] },
  };
  return res;
}

function appliedHere(filter: Filter): boolean {
  if (filter.room?.state?.lazy_load_members === true) return false;
  const tf: RoomEventFilter | undefined = filter.room?.timeline;
  if (!tf) return true;
  if (tf.limit === 0) return false;
  return Object.keys(tf).every((k) => TIMELINE_KEYS_APPLIED.has(k));
}

/**
 * Read-after-write. Our tables trail the roomserver by the stream's delivery time, so a client
 * reading right after its write was acknowledged could be refused (its join not here yet) or
 * not find what it just sent, or see an event it just redacted unredacted. Where an answer
 * would be 403 or 404, and before any read of a room's timeline (/event, /context, /messages,
 * /relations, /threads, /members), we ask the roomserver what it holds now and wait, bounded,
 * until those events are stored here; the caller then decides again. The wait is woken by the
 * room's wakes (our consumer's commits), not by polling.
 */
import type { RoomserverForSync } from "@dendrite-ts/roomserver";
import type { Notifier } from "../notifier";
import type { SyncStore } from "../storage";

/** Longest wait for events the roomserver already holds; after it we answer from what we have. */
export const CATCH_UP_MS = 2000;

export type RoomserverForCatchUp = Pick<
  RoomserverForSync,
  "queryMembership" | "queryEventsById" | "queryVisibleEvents" | "queryRoomsForUser" | "queryLatestEventsAndState"
>;

/** The user's membership as the roomserver holds it now. */
export interface RoomserverMembership {
  /**
   * The roomserver holds a member event of the user's, and it is stored here now: a read made
   * before this call may predate it (it can land between that read and this call), so read again.
   */
  known: boolean;
  /** The user left (or was banned) and then forgot the room (spec: POST /forget). */
  forgotten: boolean;
}

export interface CatchUp {
  /**
   * Waits until the user's current member event in the room, as the roomserver holds it, is
   * stored here, and says whether the user has forgotten the room.
   */
  membership(roomId: string, userId: string): Promise<RoomserverMembership>;
  /**
   * For an event we do not show: true when the roomserver holds it in this room and the user
   * may see it there, after waiting until it (and the user's member event) is stored here.
   * An event the user may not see costs no wait, so the timing tells nothing.
   */
  event(roomId: string, eventId: string, userId: string): Promise<boolean>;
  /**
   * Waits until the room's newest events, as the roomserver holds them now, are stored here: a
   * read of the room's timeline then includes what was just sent, redactions applied.
   */
  latest(roomId: string, userId: string): Promise<void>;
  /**
   * The room's newest events as the roomserver holds them now ([] for a room it does not know).
   * Once they are all stored here, so is everything acknowledged before, redactions applied (a
   * redaction's redacted_event comes before it on the stream).
   */
  newest(roomId: string): Promise<string[]>;
  /** Waits, bounded, until these events (from `newest`) are stored here. */
  stored(roomId: string, userId: string, eventIds: string[]): Promise<void>;
}

export function createCatchUp(deps: { store: SyncStore; notifier: Notifier; roomserver: RoomserverForCatchUp; ms?: number }): CatchUp {
  const { store, notifier, roomserver } = deps;
  const ms = deps.ms ?? CATCH_UP_MS;

  /** Resolves once every event is stored here, or when time runs out. */
  async function stored(roomId: string, userId: string, eventIds: string[]): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      // Registered before the read, so a commit between the read and the wait still wakes it.
      const waiter = notifier.waiter(userId, [roomId]);
      const have = await store.events.eventsByIds(eventIds);
      const left = deadline - Date.now();
      if (have.length === eventIds.length || left <= 0) {
        waiter.cancel();
        return;
      }
      await waiter.wait(left);
    }
  }

  async function newest(roomId: string): Promise<string[]> {
    const { body } = await roomserver.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } });
    return body.roomExists ? body.latestEventIds : [];
  }

  return {
    async membership(roomId, userId) {
      const { body: m } = await roomserver.queryMembership({ body: { roomId, userId } });
      // A room the roomserver does not know, or no member event of the user's: nothing to wait for.
      if (!m.roomExists || m.eventId === undefined) return { known: false, forgotten: false };
      let forgotten = false;
      if (m.membership === "leave" || m.membership === "ban") {
        // The roomserver lists a user's rooms without the forgotten ones.
        const { body } = await roomserver.queryRoomsForUser({ body: { userId, membership: m.membership } });
        forgotten = !body.roomIds.includes(roomId);
      }
      await stored(roomId, userId, [m.eventId]);
      return { known: true, forgotten };
    },

    async event(roomId, eventId, userId) {
      const [byId, visible, m] = await Promise.all([
        roomserver.queryEventsById({ body: { eventIds: [eventId] } }),
        roomserver.queryVisibleEvents({ body: { eventIds: [eventId], userId } }),
        roomserver.queryMembership({ body: { roomId, userId } }),
      ]);
      const ev = byId.body.events[0];
      if (!ev || ev.room_id !== roomId || !visible.body.visibleEventIds.includes(eventId)) return false;
      await stored(roomId, userId, m.body.eventId ? [eventId, m.body.eventId] : [eventId]);
      return true;
    },

    async latest(roomId, userId) {
      const ids = await newest(roomId);
      if (ids.length > 0) await stored(roomId, userId, ids);
    },

    newest,
    stored,
  };
}

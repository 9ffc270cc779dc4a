/**
 * Wakes long-polling /sync requests. A request registers its user and the rooms it is joined
 * to *before* it reads positions, so a change committed between its read and its wait still
 * wakes it; consumers wake by room (no member list to read for a message in a big room) and by
 * user (invites, account data, the target of a membership change).
 *
 * A request may also learn its rooms in the same read as its positions: `watchRooms` then
 * adds them, and counts as woken when one of them was woken since the waiter was made (a
 * waiter notes every room woken until it knows its rooms), so nothing committed after the
 * read is missed.
 *
 * A local consumer may wake a room with the message it just wrote (`live`): a waiter woken by
 * that wake alone can answer from it (sync/live-answer.ts) instead of reading the database.
 *
 * Every wake takes the next mark of a sequence, and the last mark of each room and user is
 * kept, so a request can ask "did anything wake this user or these rooms since mark M?"
 * without having waited meanwhile (routing/last-answers.ts).
 */
import type { LiveEvent } from "./sync/live-answer";
export interface Waiter {
  /** Resolves on the next wake for the user or one of the rooms, or after `ms`; true when woken. */
  wait(ms: number): Promise<boolean>;
  cancel(): void;
  /** Ends a wait in progress now (the client went away). */
  abort(): void;
  /** Adds rooms to wake for; already woken if any was woken since the waiter was made. */
  watchRooms(roomIds: Iterable<string>): void;
  /** The live event of the wake that woke it, when it was woken by that one wake only. */
  live(): LiveEvent | undefined;
  /** The mark of the first wake that woke it (see Notifier.mark). */
  wokenMark(): number;
}

export interface Wake {
  users?: Iterable<string>;
  rooms?: Iterable<string>;
}

export interface Notifier {
  /** Without roomIds, the waiter notes the rooms woken until watchRooms() is called. */
  waiter(userId: string, roomIds?: Iterable<string>): Waiter;
  /** `live`: the message the woken rooms got (a local consumer's write), if that is all. */
  wake(what: Wake, live?: LiveEvent): void;
  /** Wakes every waiting request (shutdown). */
  wakeAll(): void;
  /** Where the wake sequence stands now: every later wake has a higher mark. */
  mark(): number;
  /** True when no wake after `mark` named the user or any of the rooms, and none woke everyone. */
  quietSince(mark: number, userId: string, roomIds: Iterable<string>): boolean;
}

type Wakeup = (live?: LiveEvent) => void;

/** Rooms and users whose last wake is remembered; past this all are forgotten (older marks then count as not quiet). */
const MAX_TRACKED = 100_000;

export function createNotifier(opts: { maxTracked?: number } = {}): Notifier {
  const maxTracked = opts.maxTracked ?? MAX_TRACKED;
  let seq = 0;
  /** Marks below this are not known to be quiet: a wake of everyone, or forgotten wakes. */
  let floor = 0;
  const lastByUser = new Map<string, number>();
  const lastByRoom = new Map<string, number>();
  const stamp = (map: Map<string, number>, keys: Iterable<string> | undefined) => {
    for (const k of keys ?? []) map.set(k, seq);
  };
  const byUser = new Map<string, Set<Wakeup>>();
  const byRoom = new Map<string, Set<Wakeup>>();
  /** Waiters that do not know all their rooms yet: every room woken is reported to them. */
  const learning = new Set<(roomId: string) => void>();
  const add = (map: Map<string, Set<Wakeup>>, key: string, fn: Wakeup) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(fn);
  };
  const remove = (map: Map<string, Set<Wakeup>>, key: string, fn: Wakeup) => {
    const set = map.get(key);
    set?.delete(fn);
    if (set?.size === 0) map.delete(key);
  };
  const fire = (map: Map<string, Set<Wakeup>>, keys: Iterable<string> | undefined, live?: LiveEvent) => {
    for (const k of keys ?? []) for (const fn of [...(map.get(k) ?? [])]) fn(live);
  };
  return {
    waiter(userId, roomIds) {
      const rooms = [...(roomIds ?? [])];
      let woken = false;
      let wokenBy: LiveEvent | undefined;
      let wokenMark = 0;
      let resolveWait: ((v: boolean) => void) | undefined;
      const onWake: Wakeup = (live) => {
        // Two wakes (or one without a live event) leave nothing to answer from.
        wokenBy = woken ? undefined : live;
        if (!woken) wokenMark = seq;
        woken = true;
        resolveWait?.(true);
      };
      // Without rooms up front: the rooms woken until watchRooms() says which are ours.
      const seen = new Set<string>();
      const note = (roomId: string) => void seen.add(roomId);
      if (roomIds === undefined) learning.add(note);
      const unregister = () => {
        learning.delete(note);
        remove(byUser, userId, onWake);
        for (const r of rooms) remove(byRoom, r, onWake);
      };
      add(byUser, userId, onWake);
      for (const r of rooms) add(byRoom, r, onWake);
      return {
        wait(ms) {
          if (woken) {
            unregister();
            return Promise.resolve(true);
          }
          return new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            resolveWait = (v) => {
              clearTimeout(timer);
              resolve(v);
            };
          }).finally(unregister);
        },
        cancel: unregister,
        abort: () => onWake(),
        live: () => wokenBy,
        wokenMark: () => wokenMark,
        watchRooms(roomIds) {
          learning.delete(note);
          let missed = false;
          for (const r of roomIds) {
            if (seen.has(r)) missed = true;
            rooms.push(r);
            add(byRoom, r, onWake);
          }
          seen.clear();
          if (missed) onWake();
        },
      };
    },
    wake(what, live) {
      seq++;
      if (lastByUser.size + lastByRoom.size > maxTracked) {
        lastByUser.clear();
        lastByRoom.clear();
        floor = seq;
      }
      stamp(lastByUser, what.users);
      stamp(lastByRoom, what.rooms);
      fire(byUser, what.users);
      if (learning.size > 0) {
        const rooms = [...(what.rooms ?? [])];
        for (const fn of [...learning]) for (const r of rooms) fn(r);
        fire(byRoom, rooms, live);
      } else fire(byRoom, what.rooms, live);
    },
    wakeAll() {
      floor = ++seq;
      for (const map of [byUser, byRoom]) for (const set of map.values()) for (const fn of [...set]) fn();
    },
    mark: () => seq,
    quietSince(mark, userId, roomIds) {
      if (mark < floor || (lastByUser.get(userId) ?? 0) > mark) return false;
      for (const r of roomIds) if ((lastByRoom.get(r) ?? 0) > mark) return false;
      return true;
    },
  };
}

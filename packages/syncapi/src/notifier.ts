/**
 * Wakes long-polling /sync requests. A request registers its user and the rooms it is joined
 * to *before* it reads positions, so a change committed between its read and its wait still
 * wakes it; consumers wake by room (no member list to read for a message in a big room) and by
 * user (invites, account data, the target of a membership change).
 */
export interface Waiter {
  /** Resolves on the next wake for the user or one of the rooms, or after `ms`; true when woken. */
  wait(ms: number): Promise<boolean>;
  cancel(): void;
  /** Ends a wait in progress now (the client went away). */
  abort(): void;
}

export interface Wake {
  users?: Iterable<string>;
  rooms?: Iterable<string>;
}

export interface Notifier {
  waiter(userId: string, roomIds?: Iterable<string>): Waiter;
  wake(what: Wake): void;
  /** Wakes every waiting request (shutdown). */
  wakeAll(): void;
}

export function createNotifier(): Notifier {
  const byUser = new Map<string, Set<() => void>>();
  const byRoom = new Map<string, Set<() => void>>();
  const add = (map: Map<string, Set<() => void>>, key: string, fn: () => void) => {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(fn);
  };
  const remove = (map: Map<string, Set<() => void>>, key: string, fn: () => void) => {
    const set = map.get(key);
    set?.delete(fn);
    if (set?.size === 0) map.delete(key);
  };
  const fire = (map: Map<string, Set<() => void>>, keys: Iterable<string> | undefined) => {
    for (const k of keys ?? []) for (const fn of [...(map.get(k) ?? [])]) fn();
  };
  return {
    waiter(userId, roomIds = []) {
      const rooms = [...roomIds];
      let woken = false;
      let resolveWait: ((v: boolean) => void) | undefined;
      const onWake = () => {
        woken = true;
        resolveWait?.(true);
      };
      const unregister = () => {
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
        abort: onWake,
      };
    },
    wake(what) {
      fire(byUser, what.users);
      fire(byRoom, what.rooms);
    },
    wakeAll() {
      for (const map of [byUser, byRoom]) for (const set of map.values()) for (const fn of [...set]) fn();
    },
  };
}

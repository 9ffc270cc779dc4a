/**
 * Wakes long-polling /sync requests. Consumers call `wake(userIds)` after committing; a
 * request calls `waiter(userId)` *before* it reads positions, so a change committed between its
 * read and its wait still wakes it.
 */
export interface Waiter {
  /** Resolves on the next wake for the user, or after `ms`; true when woken. */
  wait(ms: number): Promise<boolean>;
  cancel(): void;
  /** Ends a wait in progress now (the client went away). */
  abort(): void;
}

export interface Notifier {
  waiter(userId: string): Waiter;
  wake(userIds: Iterable<string>): void;
  /** Wakes every waiting request (shutdown). */
  wakeAll(): void;
}

export function createNotifier(): Notifier {
  const waiting = new Map<string, Set<() => void>>();
  const remove = (userId: string, fn: () => void) => {
    const set = waiting.get(userId);
    set?.delete(fn);
    if (set?.size === 0) waiting.delete(userId);
  };
  return {
    waiter(userId) {
      let woken = false;
      let resolveWait: ((v: boolean) => void) | undefined;
      const fire = () => {
        woken = true;
        resolveWait?.(true);
      };
      let set = waiting.get(userId);
      if (!set) waiting.set(userId, (set = new Set()));
      set.add(fire);
      return {
        wait(ms) {
          if (woken) return Promise.resolve(true);
          return new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), ms);
            resolveWait = (v) => {
              clearTimeout(timer);
              resolve(v);
            };
          }).finally(() => remove(userId, fire));
        },
        cancel: () => remove(userId, fire),
        abort: fire,
      };
    },
    wake(userIds) {
      for (const id of userIds) for (const fn of [...(waiting.get(id) ?? [])]) fn();
    },
    wakeAll() {
      for (const set of waiting.values()) for (const fn of [...set]) fn();
    },
  };
}

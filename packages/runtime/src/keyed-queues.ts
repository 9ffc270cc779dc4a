/**
 * One queue per key: a key's tasks run one at a time, in arrival order; keys run in parallel.
 * The roomserver's inputter keys by room (a room's events, from the InputRoomEvent stream or a
 * synchronous call, are processed in order) and its alias writes by alias; clientapi's push-rule
 * store by user (each read-modify-write of a user's rules after the previous one).
 */
export class KeyedQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget idle keys so the map does not grow with every key ever seen.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves when every queued task has finished (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

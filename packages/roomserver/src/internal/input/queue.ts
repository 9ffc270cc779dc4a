/**
 * One queue per room: events of a room are processed one at a time, in arrival order, whether
 * they came from the InputRoomEvent stream or a synchronous call; rooms run in parallel.
 */
export class RoomQueues {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(roomId: string, task: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(roomId) ?? Promise.resolve();
    const next = prev.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(roomId, tail);
    // Forget idle rooms so the map does not grow with every room ever seen.
    void tail.then(() => {
      if (this.tails.get(roomId) === tail) this.tails.delete(roomId);
    });
    return next;
  }

  /** Resolves when every queued task has finished (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

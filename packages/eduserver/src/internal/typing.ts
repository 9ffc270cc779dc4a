/**
 * Who is typing where, in memory: each (room, user) until its expiry, with a timer that ends it.
 * Every start (a renewal too, so consumers learn the new expiry) and every stop publishes; a
 * timeout that runs out publishes a stop, so readers need no clock of their own to see the
 * user stop. Lost with the process, as typing is meant to be: a restart forgets who was typing,
 * and consumers drop entries whose expiry passed.
 */
import type { OutputTypingEvent } from "../output";

export type PublishTyping = (ev: OutputTypingEvent) => Promise<void>;

interface Typist {
  expireTs: number;
  timer: NodeJS.Timeout;
}

export class TypingRooms {
  private readonly rooms = new Map<string, Map<string, Typist>>();
  private closed = false;

  constructor(
    private readonly publish: PublishTyping,
    private readonly now: () => number,
    private readonly onTimeoutError: (err: unknown) => void,
  ) {}

  async start(roomId: string, userId: string, timeoutMs: number): Promise<void> {
    const expireTs = this.now() + timeoutMs;
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = new Map()));
    const old = room.get(userId);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => {
      if (this.take(roomId, userId, expireTs)) this.publish({ roomId, userId, typing: false, expireTs: null }).catch(this.onTimeoutError);
    }, timeoutMs);
    timer.unref();
    room.set(userId, { expireTs, timer });
    await this.publish({ roomId, userId, typing: true, expireTs });
  }

  async stop(roomId: string, userId: string): Promise<void> {
    const typist = this.rooms.get(roomId)?.get(userId);
    if (typist) this.take(roomId, userId, typist.expireTs);
    // Published even when we hold nothing: a consumer may still hold a start from before a restart.
    await this.publish({ roomId, userId, typing: false, expireTs: null });
  }

  /** The users typing in a room now (for tests and, later, federation). */
  typingIn(roomId: string): string[] {
    const now = this.now();
    return [...(this.rooms.get(roomId) ?? [])].filter(([, t]) => t.expireTs > now).map(([u]) => u);
  }

  close(): void {
    this.closed = true;
    for (const room of this.rooms.values()) for (const t of room.values()) clearTimeout(t.timer);
    this.rooms.clear();
  }

  /** Removes the entry if it is still the one that expires at `expireTs` (not renewed since). */
  private take(roomId: string, userId: string, expireTs: number): boolean {
    const room = this.rooms.get(roomId);
    const typist = room?.get(userId);
    if (this.closed || !room || !typist || typist.expireTs !== expireTs) return false;
    clearTimeout(typist.timer);
    room.delete(userId);
    if (room.size === 0) this.rooms.delete(roomId);
    return true;
  }
}

/**
 * Local users' presence (client-server API, "Presence"), as eduserver's OutputPresenceEvent
 * tells us, held in memory with a position of its own: the sync token's seventh part. Each
 * change takes the next position; /sync sends, as m.presence events, the changes after the
 * token's position of the users the viewer shares a room with (the viewer's own included), and
 * everyone's known presence on an initial sync. A user who joins a room is news again (touch), and
 * a viewer who joined a room gets the presence of its members (presence-section.ts), so new
 * room-mates see each other without waiting for a change.
 *
 * Like typing (sync/typing.ts), the position belongs to this process and starts at the clock,
 * so a token from an earlier process is below it (everything known is sent again) and one from
 * a clock that ran ahead counts as now. After a restart presence is rebuilt from the changes
 * eduserver sends (it times users out and back in all the time). Run one syncapi.
 */
import { presenceContent, type OutputPresenceEvent } from "@dendrite-ts/eduserver";

interface Held {
  ev: OutputPresenceEvent;
  pos: number;
}

export class PresenceState {
  private pos: number;
  private readonly users = new Map<string, Held>();
  /** Every change in position order (older entries of a user are stale): a sync reads only the tail after its token. */
  private log: { userId: string; pos: number }[] = [];

  constructor(private readonly now: () => number = Date.now) {
    this.pos = Math.floor(now());
  }

  position(): number {
    return this.pos;
  }

  /** Takes a change; false when it changes nothing we show (a redelivery). */
  apply(ev: OutputPresenceEvent): boolean {
    const held = this.users.get(ev.userId);
    if (held && held.ev.presence === ev.presence && held.ev.statusMsg === ev.statusMsg && held.ev.currentlyActive === ev.currentlyActive && held.ev.lastActiveTs === ev.lastActiveTs) return false;
    this.users.set(ev.userId, { ev, pos: this.next(ev.userId) });
    return true;
  }

  /**
   * The user joined a room: their presence is news again to everyone they share a room with
   * (the new room-mates never had it). False when we hold none.
   */
  touch(userId: string): boolean {
    const held = this.users.get(userId);
    if (!held) return false;
    held.pos = this.next(userId);
    return true;
  }

  /** The users whose presence changed after `since` (everyone known when undefined). */
  changedSince(since: number | undefined): OutputPresenceEvent[] {
    if (since === undefined) return [...this.users.values()].map((h) => h.ev);
    // The first log entry after `since`, by binary search; then the entries still current.
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.pos > since) hi = mid;
      else lo = mid + 1;
    }
    const out: OutputPresenceEvent[] = [];
    for (let i = lo; i < this.log.length; i++) {
      const { userId, pos } = this.log[i]!;
      const h = this.users.get(userId);
      if (h && h.pos === pos) out.push(h.ev);
    }
    return out;
  }

  private next(userId: string): number {
    const pos = ++this.pos;
    this.log.push({ userId, pos });
    // Stale entries past half: keep only the current ones (still in position order).
    if (this.log.length > 2 * this.users.size + 64) this.log = this.log.filter((e) => this.users.get(e.userId)?.pos === e.pos || e.userId === userId);
    return pos;
  }

  /** An m.presence event as /sync sends it, last_active_ago as of now. */
  toEvent(ev: OutputPresenceEvent): Record<string, unknown> {
    return { type: "m.presence", sender: ev.userId, content: presenceContent(ev, this.now()) };
  }
}

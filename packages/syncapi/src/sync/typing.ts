/**
 * Who is typing in each room, as eduserver's OutputTypingEvent tells us, held in memory with a
 * position of its own: the sync token's fourth part. Each change to a room's set of typing users
 * takes the next position; a room is sent (its whole list, as m.typing replaces the client's)
 * when its last change is after the client's token.
 *
 * The position belongs to this process. It starts at the clock (ms) rather than 0, so a token
 * handed out by an earlier process is below it: after a restart, every room whose typing
 * changed since is sent, and none is missed. (What the earlier process held is gone, as typing
 * is meant to be; a token from the future, whose clock ran ahead, is taken as "now".) Several
 * syncapi processes would each hold only the typing messages delivered to them: run one.
 * A room is kept once typed in (its position tells a late client that the list emptied): a few
 * dozen bytes per room of the server.
 */
import type { OutputTypingEvent } from "@dendrite-ts/eduserver";

interface RoomTyping {
  /** user → when their typing ends unless renewed (ms). */
  users: Map<string, number>;
  /** Position of the room's last change. */
  pos: number;
}

export class TypingState {
  private pos: number;
  private readonly rooms = new Map<string, RoomTyping>();

  constructor(private readonly now: () => number = Date.now) {
    this.pos = Math.floor(now());
  }

  /** The position of the latest change. */
  position(): number {
    return this.pos;
  }

  /** Applies a start (or renewal) or stop; true when the room's list of typing users changed. */
  apply(ev: OutputTypingEvent): boolean {
    let room = this.rooms.get(ev.roomId);
    const now = this.now();
    const held = room?.users.get(ev.userId);
    const typing = ev.typing && ev.expireTs !== null && ev.expireTs > now;
    let changed: boolean;
    if (typing) {
      if (!room) this.rooms.set(ev.roomId, (room = { users: new Map(), pos: this.pos }));
      room.users.set(ev.userId, ev.expireTs!);
      // A renewal changes only the expiry; a start after one ran out (without its stop yet) is news.
      changed = held === undefined || held <= now;
    } else {
      room?.users.delete(ev.userId);
      // The stop of a timeout that just ran out arrives after the expiry: still news.
      changed = held !== undefined;
    }
    if (!changed || !room) return false;
    room.pos = ++this.pos;
    return true;
  }

  /**
   * m.typing of each room in `rooms` whose list changed after `since` (every non-empty one of
   * `allOf`, rooms new to the client), for the given viewer. `since` ahead of us counts as now.
   */
  changedSince(since: number, rooms: Iterable<string>, allOf: ReadonlySet<string>, ignored?: ReadonlySet<string>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const now = this.now();
    for (const roomId of rooms) {
      const room = this.rooms.get(roomId);
      if (!room) continue;
      const users = [...room.users].filter(([u, until]) => until > now && !ignored?.has(u)).map(([u]) => u);
      if (allOf.has(roomId) ? users.length > 0 : room.pos > since) out.set(roomId, users);
    }
    return out;
  }
}

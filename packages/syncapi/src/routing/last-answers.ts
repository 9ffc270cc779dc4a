/**
 * Where each device's last /sync answer ended, so that the client's next long-poll — which
 * comes back with that answer's next_batch at once — can wait without reading the database
 * when nothing has happened to the user since. An idle client re-polling every 30 seconds, or
 * a chatting one between messages, then costs no statement at all.
 *
 * An answer is remembered with the notifier's mark from before it was made (before its read,
 * or the mark of the wake it was made from) and the rooms the user was joined to at its
 * position. Anything committed after it that a /sync of this user could show wakes the user
 * or one of those rooms (the consumers wake by room for events, by user for memberships,
 * invites and account data), and every wake comes after its commit and takes a later mark. So
 * if no wake after the mark named the user or those rooms, a read from next_batch would find
 * nothing: the request can wait on those rooms straight away.
 */
import type { Notifier } from "../notifier";

export interface LastAnswer {
  /** The answer's next_batch. */
  token: string;
  /** The filter parameter it was made with (an ID or inline JSON; "" for none). */
  filter: string;
  /** The rooms the user was joined to at the answer's position. */
  joined: ReadonlySet<string>;
  /** The notifier's mark from before the answer was made. */
  mark: number;
}

/**
 * How much is remembered, counted in joined rooms over all devices (a device's answer counts
 * its rooms, at least 1): about 20 MB at most. The least recently answered devices go first;
 * they only lose the shortcut.
 */
const MAX_HELD = 500_000;

export class LastAnswers {
  private readonly byDevice = new Map<string, LastAnswer>();
  private held = 0;
  constructor(private readonly maxHeld = MAX_HELD) {}

  remember(device: string, answer: LastAnswer): void {
    this.forget(device);
    const size = weight(answer);
    if (size > this.maxHeld) return;
    this.byDevice.set(device, answer);
    this.held += size;
    while (this.held > this.maxHeld) this.forget(this.byDevice.keys().next().value!);
  }

  /**
   * The rooms to wait on when `since` is where this device's last answer (with this filter)
   * ended and nothing woke the user or those rooms since; undefined when a read is needed.
   */
  quietAt(device: string, userId: string, since: string, filter: string, notifier: Pick<Notifier, "quietSince">): ReadonlySet<string> | undefined {
    const last = this.byDevice.get(device);
    if (!last || last.token !== since || last.filter !== filter) return undefined;
    return notifier.quietSince(last.mark, userId, last.joined) ? last.joined : undefined;
  }

  private forget(device: string): void {
    const last = this.byDevice.get(device);
    if (!last) return;
    this.byDevice.delete(device);
    this.held -= weight(last);
  }
}

const weight = (answer: LastAnswer) => Math.max(1, answer.joined.size);

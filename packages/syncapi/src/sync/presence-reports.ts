/**
 * Tells eduserver that users are syncing (their `set_presence`, online unless the client says
 * otherwise): at the start of a /sync, and every REPORT_EVERY_MS while one is still waiting, so
 * a client on long polls stays online however long its polls are. Repeats within REPORT_EVERY_MS
 * are not sent: a client syncing many times a second costs eduserver one call per interval.
 * Fire and forget — a lost report only lets the user time out a little early. When the user's
 * presence moves away from what their syncs say (heard), the next sync says it again at once.
 */
import type { Presence } from "@dendrite-ts/eduserver";

/** Shorter than eduserver's "gone" timeout (a minute), with room for a report in flight. */
export const REPORT_EVERY_MS = 20_000;

export class PresenceReporter {
  private readonly last = new Map<string, { value: Presence; ts: number }>();
  private readonly syncing = new Map<string, { count: number; value: Presence }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly report: (userId: string, setPresence: Presence) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), REPORT_EVERY_MS / 2);
    this.timer.unref();
  }

  /** A /sync request begins; call the returned function when it ends. */
  begin(userId: string, setPresence: Presence): () => void {
    this.maybeReport(userId, setPresence);
    const s = this.syncing.get(userId) ?? { count: 0, value: setPresence };
    s.count++;
    s.value = setPresence;
    this.syncing.set(userId, s);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--s.count === 0 && this.syncing.get(userId) === s) this.syncing.delete(userId);
    };
  }

  /**
   * The user's presence became `presence` (they set it, or eduserver timed them out): when that
   * is not what their syncs say, their next sync says it again at once, not 20 s later.
   */
  heard(userId: string, presence: Presence): void {
    const l = this.last.get(userId);
    if (l && l.value !== "offline" && l.value !== presence) this.last.delete(userId);
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Reports the users still waiting; forgets old reports. Exposed for tests with a clock. */
  sweep(): void {
    for (const [userId, s] of this.syncing) this.maybeReport(userId, s.value);
    const now = this.now();
    for (const [userId, l] of this.last) if (now - l.ts >= 2 * REPORT_EVERY_MS && !this.syncing.has(userId)) this.last.delete(userId);
  }

  private maybeReport(userId: string, value: Presence): void {
    const now = this.now();
    const l = this.last.get(userId);
    if (l && l.value === value && now - l.ts < REPORT_EVERY_MS) return;
    this.last.set(userId, { value, ts: now });
    this.report(userId, value).catch(this.onError);
  }
}

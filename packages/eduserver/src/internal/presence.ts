/**
 * Each local user's presence (client-server API, "Presence"), in memory, as the server sees it:
 *
 *  - a user says what they are with PUT /presence (kept until they say otherwise or go away),
 *    and their /sync requests say it too (`set_presence`, online unless they ask otherwise;
 *    "offline" there changes nothing): the latest word wins, as with one device on Synapse;
 *  - online is a "pro-active" act: it moves the last-active time;
 *  - online with nothing pro-active for IDLE_MS becomes unavailable ("Idle timeout");
 *  - a user neither syncing nor setting presence for GONE_MS is offline (their status message
 *    stays, as Synapse keeps it);
 *  - currently_active: online and active within ACTIVE_MS — while it holds, the last-active time
 *    may move without anyone being told ("Last active ago").
 *
 * What readers are told (`publish`) changes when the presence, the status message or
 * currently_active does. Lost with the process, as typing is: after a restart users are offline
 * until they next sync or set their presence, which clients do all the time.
 */
import type { OutputPresenceEvent, Presence } from "../output";

/** Online with nothing pro-active for this long: unavailable (Synapse: 5 minutes). */
export const IDLE_MS = 5 * 60_000;
/** Neither syncing nor setting presence for this long: offline. Longer than a /sync long-poll. */
export const GONE_MS = 60_000;
/** Active this recently: currently_active (Synapse's last-active granularity). */
export const ACTIVE_MS = 60_000;
/** How often timeouts are looked for. */
const SWEEP_MS = 5_000;

interface UserPresence {
  presence: Presence;
  statusMsg: string | null;
  lastActiveTs: number;
  /** Last /sync or PUT: the user is still around. */
  lastSeenTs: number;
  /** currently_active as readers last heard it. */
  toldActive: boolean;
}

export interface PresenceView {
  presence: Presence;
  statusMsg: string | null;
  lastActiveTs: number | null;
  currentlyActive: boolean;
}

export class PresenceTable {
  private readonly users = new Map<string, UserPresence>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly publish: (ev: OutputPresenceEvent) => Promise<void>,
    private readonly now: () => number,
    private readonly onSweepError: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  /** PUT /presence/{userId}/status: the status message is replaced (absent: cleared), as Synapse does. */
  async set(userId: string, presence: Presence, statusMsg: string | null): Promise<void> {
    const now = this.now();
    const u = this.users.get(userId);
    const next: UserPresence = {
      presence,
      statusMsg,
      lastActiveTs: presence === "online" ? now : (u?.lastActiveTs ?? 0),
      lastSeenTs: now,
      toldActive: u?.toldActive ?? false,
    };
    await this.change(userId, u, next);
  }

  /** A /sync request with `set_presence` (online unless the client asked otherwise). */
  async synced(userId: string, setPresence: Presence): Promise<void> {
    const now = this.now();
    const u = this.users.get(userId);
    if (setPresence === "offline") {
      if (u) u.lastSeenTs = now;
      return;
    }
    if (u && u.presence === setPresence) {
      u.lastSeenTs = now;
      return;
    }
    await this.change(userId, u, {
      presence: setPresence,
      statusMsg: u?.statusMsg ?? null,
      lastActiveTs: setPresence === "online" ? now : (u?.lastActiveTs ?? 0),
      lastSeenTs: now,
      toldActive: u?.toldActive ?? false,
    });
  }

  /** The user's presence now; offline when never seen. */
  get(userId: string): PresenceView {
    const u = this.users.get(userId);
    if (!u) return { presence: "offline", statusMsg: null, lastActiveTs: null, currentlyActive: false };
    return { presence: u.presence, statusMsg: u.statusMsg, lastActiveTs: u.lastActiveTs || null, currentlyActive: this.active(u, this.now()) };
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Applies the timeouts (idle, gone, no longer currently active); exposed for tests with a clock. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [userId, u] of this.users) {
      let presence = u.presence;
      if (presence !== "offline" && now - u.lastSeenTs >= GONE_MS) presence = "offline";
      else if (presence === "online" && now - u.lastActiveTs >= IDLE_MS) presence = "unavailable";
      const activeNow = this.active({ ...u, presence }, now);
      if (presence === u.presence && activeNow === u.toldActive) continue;
      await this.change(userId, u, { ...u, presence }).catch(this.onSweepError);
    }
  }

  private active(u: Pick<UserPresence, "presence" | "lastActiveTs">, now: number): boolean {
    return u.presence === "online" && now - u.lastActiveTs < ACTIVE_MS;
  }

  /** Stores `next` and tells readers when what they see changed. */
  private async change(userId: string, prev: UserPresence | undefined, next: UserPresence): Promise<void> {
    const now = this.now();
    const activeNow = this.active(next, now);
    const news = !prev || prev.presence !== next.presence || prev.statusMsg !== next.statusMsg || prev.toldActive !== activeNow;
    this.users.set(userId, { ...next, toldActive: activeNow });
    if (!news) return;
    await this.publish({ userId, presence: next.presence, statusMsg: next.statusMsg, lastActiveTs: next.lastActiveTs || null, currentlyActive: activeNow });
  }
}

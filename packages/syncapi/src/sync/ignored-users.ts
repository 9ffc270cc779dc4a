/**
 * Ignoring users (client-server API, "Ignoring Users"): each user's m.ignored_user_list, held
 * in memory so a /sync — the live answer above all — checks a sender with a Set lookup and no
 * read. Loaded from account_data the first time a user asks, then kept current by the
 * account-data consumer (`set`, before it wakes the user); another syncapi process's write
 * arrives as a wake of the user, which `forget`s the list so the next request reloads it.
 */
import type { SqlEventFilter, SyncStore } from "../storage";

export const IGNORED_USER_LIST = "m.ignored_user_list";

/** The shared empty list: most users ignore nobody. */
export const NOBODY: ReadonlySet<string> = new Set();

/** The user IDs of an m.ignored_user_list content (`ignored_users` keys); anything malformed ignores nobody. The user never ignores themselves. */
export function ignoredFromContent(userId: string, content: unknown): ReadonlySet<string> {
  const map = (content as { ignored_users?: unknown } | null | undefined)?.ignored_users;
  if (typeof map !== "object" || map === null || Array.isArray(map)) return NOBODY;
  const ids = Object.keys(map).filter((id) => id.startsWith("@") && id !== userId);
  return ids.length === 0 ? NOBODY : new Set(ids);
}

export class IgnoredUsers {
  private readonly lists = new Map<string, ReadonlySet<string>>();
  /** Loads in flight: a load stores its result only if no set/forget came after it started. */
  private readonly loading = new Map<string, object>();

  constructor(private readonly store: Pick<SyncStore, "accountData">) {}

  /** Whom the user ignores, read from the database only when not held. */
  async of(userId: string): Promise<ReadonlySet<string>> {
    const held = this.lists.get(userId);
    if (held) return held;
    const token = {};
    this.loading.set(userId, token);
    const list = ignoredFromContent(userId, await this.store.accountData.globalAccountData(userId, IGNORED_USER_LIST));
    if (this.loading.get(userId) === token) {
      this.loading.delete(userId);
      this.lists.set(userId, list);
    }
    return list;
  }

  /** The list as just stored (the account-data consumer, after its commit and before its wake). */
  set(userId: string, content: unknown): void {
    this.loading.delete(userId);
    this.lists.set(userId, ignoredFromContent(userId, content));
  }

  /** Another process may have changed these users' lists: read them again when next asked. */
  forget(userIds: Iterable<string> | "all"): void {
    if (userIds === "all") {
      this.lists.clear();
      this.loading.clear();
      return;
    }
    for (const id of userIds) {
      this.lists.delete(id);
      this.loading.delete(id);
    }
  }
}

/**
 * A timeline query's filter with the ignored users' non-state events left out (in SQL, so a
 * limit counts only what is shown). A client filter's own `ignored_senders` (filters keep
 * unknown keys) is dropped: only ours is applied.
 */
export function withIgnored<F extends SqlEventFilter>(f: F | undefined, ignored: ReadonlySet<string> | undefined): F | SqlEventFilter | undefined {
  const mine = ignored !== undefined && ignored.size > 0;
  if (!mine && (f === undefined || !("ignored_senders" in f))) return f;
  const { ignored_senders: _client, ...rest } = (f ?? {}) as SqlEventFilter;
  return mine ? { ...rest, ignored_senders: [...ignored] } : rest;
}

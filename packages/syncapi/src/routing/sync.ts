/**
 * GET /sync (sync.yaml): builds the response from `since` to the current positions; when it is
 * empty and the client gave a timeout, waits for the notifier (new data for this user) and
 * builds again, until something arrives or the time is up. Woken by one new message that is
 * all the news, it answers from that message (sync/live-answer.ts) without a read.
 */
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { Notifier } from "../notifier";
import type { Positions, SyncStore } from "../storage";
import { buildSync, isEmptySync, type SyncResponse } from "../sync/build-sync";
import { liveAnswer, type LiveEvent } from "../sync/live-answer";
import { parseSyncQuery } from "../sync/request";
import { deltaSpec } from "../sync/room-section";
import { authenticate, CLIENT_PREFIXES } from "./common";
import { FilterCache, resolveSyncFilter } from "./filters";

export interface SyncRouteDeps {
  store: SyncStore;
  userapi: Pick<UserapiForSync, "queryAccessToken">;
  notifier: Notifier;
  /** True once close() began: waiting requests answer at once. */
  closing(): boolean;
}

export function registerSyncRoute(server: HttpServer, deps: SyncRouteDeps): void {
  const filters = new FilterCache();
  for (const prefix of CLIENT_PREFIXES) {
    server.get(`${prefix}/sync`, async (req, reply) => {
      const who = await authenticate(req, deps.userapi);
      const q = parseSyncQuery(req.query);
      const filter = await resolveSyncFilter(deps.store, who.userId, q.filter, filters);
      const deadline = Date.now() + q.timeoutMs;
      // A client that hangs up is not waited for.
      let gone = false;
      let current: { abort(): void } | undefined;
      /** What woke the last wait; the rooms joined at `since` and `since` as the last read clamped it. */
      let woken: LiveEvent | undefined;
      let joinedAtSince = new Set<string>();
      let readSince: Positions | undefined;
      // The response's "close" before it was written means the connection went away.
      reply.raw.once("close", () => {
        if (reply.raw.writableEnded) return;
        gone = true;
        current?.abort();
      });
      for (;;) {
        if (woken && readSince && !q.fullState) {
          const res = liveAnswer({ viewer: who, since: readSince, filter, joinedAtSince, live: woken });
          if (res) return res;
        }
        // Made before positions are read: a commit after the read still wakes us. The joined
        // rooms come from the same read; the waiter notes rooms woken meanwhile (watchRooms).
        // A room joined after the read wakes us through our own member event.
        const waiter = deps.notifier.waiter(who.userId);
        current = waiter;
        let res: SyncResponse;
        try {
          // An incremental sync reads the sections of its rooms with news along.
          const overview = await deps.store.hot.syncOverview(who.userId, q.since, q.fullState ? undefined : deltaSpec(who, filter));
          const joined = overview.memberships.filter((m) => m.membership === "join").map((m) => m.roomId);
          waiter.watchRooms(joined);
          // Memberships as of the read: as of `since` only when nothing moved in between.
          joinedAtSince = q.since && overview.now.room === q.since.room ? new Set(joined) : new Set();
          const since = q.since && clamp(q.since, overview.now);
          readSince = since;
          res = await buildSync(deps.store, { viewer: who, fullState: q.fullState, filter, overview, ...(since ? { since } : {}) });
        } catch (e) {
          waiter.cancel();
          throw e;
        }
        const remaining = deadline - Date.now();
        if (!q.since || q.fullState || !isEmptySync(res) || remaining <= 0 || deps.closing() || gone) {
          waiter.cancel();
          return res;
        }
        await waiter.wait(remaining);
        woken = waiter.live();
      }
    });
  }
}

/** A token ahead of us (another server's, a restored backup) counts as "now". */
function clamp(since: Positions, now: Positions): Positions {
  return { room: Math.min(since.room, now.room), accountData: Math.min(since.accountData, now.accountData) };
}

/**
 * GET /sync (sync.yaml): builds the response from `since` to the current positions; when it is
 * empty and the client gave a timeout, waits for the notifier (new data for this user) and
 * builds again, until something arrives or the time is up. Woken by one new message that is
 * all the news, it answers from that message (sync/live-answer.ts) without a read; and when
 * `since` is this device's last answer and nothing touched the user since, it waits before
 * reading at all (last-answers.ts).
 */
import type { KeyserverForSync } from "@dendrite-ts/keyserver";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { Notifier } from "../notifier";
import type { Positions, SyncStore } from "../storage";
import { buildSync, emptySyncResponse, isEmptySync, type SyncResponse } from "../sync/build-sync";
import { liveAnswer, type LiveEvent } from "../sync/live-answer";
import type { IgnoredUsers } from "../sync/ignored-users";
import { parseSyncQuery } from "../sync/request";
import { formatSyncToken, type SyncPositions } from "../sync/tokens";
import type { TypingSource } from "../sync/ephemeral";
import type { PresenceSource } from "../sync/presence-section";
import type { PresenceReporter } from "../sync/presence-reports";
import { deltaSpec } from "../sync/room-section";
import { hasMoreToDevice } from "../sync/to-device";
import { hasDeviceListNews, withDeviceKeys } from "../sync/device-keys";
import { authenticate, CLIENT_PREFIXES } from "./common";
import { FilterCache, resolveSyncFilter } from "./filters";
import { LastAnswers } from "./last-answers";

export interface SyncRouteDeps {
  store: SyncStore;
  userapi: Pick<UserapiForSync, "queryAccessToken">;
  /** The syncing device's one-time and fallback key counts. */
  keyserver: KeyserverForSync;
  notifier: Notifier;
  /** Whom each user ignores: their events are left out of every answer. */
  ignored: Pick<IgnoredUsers, "of">;
  /** Who is typing where (ephemeral, in memory). */
  typing: TypingSource;
  /** Local users' presence (in memory), and where syncing users are reported to eduserver. */
  presence: PresenceSource;
  presenceReports: Pick<PresenceReporter, "begin">;
  /** True once close() began: waiting requests answer at once. */
  closing(): boolean;
}

export function registerSyncRoute(server: HttpServer, deps: SyncRouteDeps): void {
  const filters = new FilterCache();
  const lastAnswers = new LastAnswers();
  for (const prefix of CLIENT_PREFIXES) {
    server.get(`${prefix}/sync`, async (req, reply) => {
      const who = await authenticate(req, deps.userapi);
      const q = parseSyncQuery(req.query);
      // Syncing is being around: online unless the client asks otherwise, until the request ends.
      reply.raw.once("close", deps.presenceReports.begin(who.userId, q.setPresence ?? "online"));
      const filter = await resolveSyncFilter(deps.store, who.userId, q.filter, filters);
      const deadline = Date.now() + q.timeoutMs;
      const device = `${who.userId}\n${who.deviceId}`;
      /**
       * `since`: what the answer is from, when its device keys were not added yet. `quiet`: nothing
       * but the answer's own news happened since (a live answer), so no membership moved and the
       * token's device-list position can stand, unread (a key change shows in the next answer).
       */
      const answered = async (res: SyncResponse, joined: ReadonlySet<string>, mark: number, since?: SyncPositions, quiet = false) => {
        const full = since === undefined ? res : await withDeviceKeys(deps, who, since, res, quiet);
        // To-device messages left for the next answer: that poll must read, not wait.
        if (!hasMoreToDevice(full)) lastAnswers.remember(device, { token: full.next_batch, filter: q.filter ?? "", joined, mark });
        return full;
      };
      // A client that hangs up is not waited for.
      let gone = false;
      let current: { abort(): void } | undefined;
      /** What woke the last wait and its mark; the rooms joined at `since` and `since` as the last read clamped it. */
      let woken: LiveEvent | undefined;
      let wokenMark = 0;
      let joinedAtSince: ReadonlySet<string> = new Set<string>();
      let readSince: SyncPositions | undefined;
      // The response's "close" before it was written means the connection went away.
      reply.raw.once("close", () => {
        if (reply.raw.writableEnded) return;
        gone = true;
        current?.abort();
      });
      // Nothing touched the user since the answer that handed out `since`: a read would find
      // nothing, so wait first. No await between the check and the waiter: a later wake wakes it.
      const quiet =
        q.since && !q.fullState && q.timeoutMs > 0 && !deps.closing() && !gone
          ? lastAnswers.quietAt(device, who.userId, formatSyncToken(q.since), q.filter ?? "", deps.notifier)
          : undefined;
      if (q.since && quiet) {
        const waiter = deps.notifier.waiter(who.userId, quiet);
        current = waiter;
        // Still nothing when the time is up (or nobody to tell): the same token back, still where the user is.
        if (!(await waiter.wait(q.timeoutMs)) || gone || deps.closing()) return withDeviceKeys(deps, who, q.since, emptySyncResponse(q.since), true);
        woken = waiter.live();
        wokenMark = waiter.wokenMark();
        joinedAtSince = quiet;
        readSince = q.since;
      }
      for (;;) {
        // Read again each round: a change to the list (it wakes the user) applies at once. Held in memory.
        const viewer = { ...who, ignored: await deps.ignored.of(who.userId) };
        if (woken && readSince && !q.fullState) {
          const res = liveAnswer({ viewer, since: readSince, filter, useStateAfter: q.useStateAfter, joinedAtSince, live: woken });
          // The message was not a membership change: the joined rooms are those at `since`.
          if (res) return answered(res, joinedAtSince, wokenMark, readSince, true);
        }
        // Made before positions are read: a commit after the read still wakes us. The joined
        // rooms come from the same read; the waiter notes rooms woken meanwhile (watchRooms).
        // A room joined after the read wakes us through our own member event.
        const waiter = deps.notifier.waiter(who.userId);
        const mark = deps.notifier.mark();
        current = waiter;
        let res: SyncResponse;
        let joined: string[];
        try {
          // An incremental sync reads the sections of its rooms with news along.
          const overview = await deps.store.hot.syncOverview(who.userId, q.since, q.fullState ? undefined : deltaSpec(viewer, filter));
          joined = overview.memberships.filter((m) => m.membership === "join").map((m) => m.roomId);
          waiter.watchRooms(joined);
          // Memberships as of the read: as of `since` only when nothing moved in between.
          joinedAtSince = q.since && overview.now.room === q.since.room ? new Set(joined) : new Set();
          const since = q.since && clamp(q.since, overview.now);
          readSince = since;
          res = await buildSync(deps.store, { viewer, fullState: q.fullState, useStateAfter: q.useStateAfter, filter, overview, typing: deps.typing, presence: deps.presence, ...(since ? { since } : {}) });
          res = await withDeviceKeys(deps, who, since, res);
        } catch (e) {
          waiter.cancel();
          throw e;
        }
        const remaining = deadline - Date.now();
        if (!q.since || q.fullState || !isEmptySync(res) || hasDeviceListNews(res) || remaining <= 0 || deps.closing() || gone) {
          waiter.cancel();
          return answered(res, new Set(joined), mark);
        }
        await waiter.wait(remaining);
        woken = waiter.live();
        wokenMark = waiter.wokenMark();
      }
    });
  }
}

/** A token ahead of us (another server's, a restored backup) counts as "now" (receipt and typing: see buildSync). */
function clamp(since: SyncPositions, now: Positions): SyncPositions {
  return { ...since, room: Math.min(since.room, now.room), accountData: Math.min(since.accountData, now.accountData) };
}

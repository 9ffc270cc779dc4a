/**
 * GET /keys/changes (keys.yaml): whose device lists changed between two sync tokens — the
 * users sharing a room with the requester whose keys changed or who came to share one
 * (`changed`), and those who stopped sharing any (`left`); the same rules as /sync's
 * device_lists. A client that was away for a while asks this instead of syncing the gap.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { SyncStore } from "../storage";
import { parseSyncToken } from "../sync/tokens";
import { authenticate, CLIENT_PREFIXES, queryString } from "./common";

export function registerKeyChangesRoute(
  server: HttpServer,
  deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken"> },
): void {
  for (const prefix of CLIENT_PREFIXES) {
    server.get(`${prefix}/keys/changes`, async (req) => {
      const who = await authenticate(req, deps.userapi);
      const rawFrom = queryString(req.query, "from");
      const rawTo = queryString(req.query, "to");
      if (rawFrom === undefined || rawTo === undefined) throw new MatrixError("M_MISSING_PARAM", "from and to are required");
      const from = parseSyncToken(rawFrom, "from");
      const to = parseSyncToken(rawTo, "to");
      // Tokens ahead of us (another server's, a restored backup) count as now.
      const [positions, deviceListNow] = await Promise.all([deps.store.positions.currentPositions(), deps.store.deviceLists.deviceListPosition()]);
      const toRoom = Math.min(to.room, positions.room);
      const toDeviceList = Math.min(to.deviceList ?? 0, deviceListNow);
      return deps.store.deviceLists.deviceListChanges({
        userId: who.userId,
        fromRoom: Math.min(from.room, toRoom),
        toRoom,
        fromDeviceList: Math.min(from.deviceList ?? 0, toDeviceList),
        toDeviceList,
      });
    });
  }
}

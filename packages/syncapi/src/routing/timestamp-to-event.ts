/**
 * GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event (v1.6): the event nearest a moment,
 * in one direction — how a client jumps to a date (then /context pages around it). For members
 * and world-readable rooms, as /messages; only events the user may see count, so the answer
 * reveals nothing of history they are not shown. Events from before we joined a room over
 * federation would need the federation endpoint: not yet (we answer from what we hold).
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { SyncStore } from "../storage";
import type { CatchUp } from "./catch-up";
import { authenticate, pathParam, queryString, requireRoomAccess } from "./common";

/** Events read per page; the nearest the user may see is almost always on the first. */
export const TIMESTAMP_PAGE = 100;
/** Past this many hidden events the answer is "none": a bound on one request's work. */
const MAX_ROUNDS = 50;

export function registerTimestampToEventRoute(
  server: HttpServer,
  deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken">; catchUp: CatchUp },
): void {
  server.get("/_matrix/client/v1/rooms/:roomId/timestamp_to_event", async (req) => {
    const who = await authenticate(req, deps.userapi);
    const roomId = pathParam(req.params, "roomId");
    const rawTs = queryString(req.query, "ts");
    const dir = queryString(req.query, "dir");
    if (rawTs === undefined || dir === undefined) throw new MatrixError("M_MISSING_PARAM", "ts and dir are required");
    if (!/^\d{1,16}$/.test(rawTs) || !Number.isSafeInteger(Number(rawTs))) throw new MatrixError("M_INVALID_PARAM", "ts must be a timestamp in milliseconds");
    if (dir !== "f" && dir !== "b") throw new MatrixError("M_INVALID_PARAM", "dir must be f or b");
    const access = await requireRoomAccess(deps, roomId, who.userId);
    await deps.catchUp.latest(roomId, who.userId);

    const ts = Number(rawTs);
    // Page on past events the user may not see (history from before they joined, say).
    let past: { ts: number; pos: number } | undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const page = await deps.store.events.nearestByTimestamp(roomId, ts, dir, TIMESTAMP_PAGE, past);
      const found = page.find((e) => access.visibility.canSee(e));
      if (found) return { event_id: found.eventId, origin_server_ts: found.eventJson.origin_server_ts };
      const last = page.at(-1);
      if (page.length < TIMESTAMP_PAGE || !last) break;
      past = { ts: last.eventJson.origin_server_ts as number, pos: last.pos };
    }
    throw new MatrixError("M_NOT_FOUND", `No event ${dir === "f" ? "at or after" : "at or before"} ${rawTs} in this room`);
  });
}

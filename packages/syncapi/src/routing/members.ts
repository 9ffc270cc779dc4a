/**
 * GET /rooms/{roomId}/members (rooms.yaml): member events of the state at `at` (default now);
 * a user who left sees the list as it was when they left. `membership` keeps, `not_membership`
 * drops.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { SyncStore } from "../storage";
import { toClientEvent } from "../sync/client-event";
import { viewerInRoom } from "../sync/membership-at";
import { parsePaginationToken } from "../sync/tokens";
import type { CatchUp } from "./catch-up";
import { authenticate, CLIENT_PREFIXES, pathParam, queryString, requireRoomAccess } from "./common";

const MEMBERSHIPS = new Set(["join", "invite", "knock", "leave", "ban"]);

function membershipParam(query: unknown, name: string): string | undefined {
  const v = queryString(query, name);
  if (v === undefined) return undefined;
  if (!MEMBERSHIPS.has(v)) throw new MatrixError("M_INVALID_PARAM", `${name} must be one of join, invite, knock, leave, ban`);
  return v;
}

export function registerMembersRoute(server: HttpServer, deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken">; catchUp: CatchUp }): void {
  const { store } = deps;
  for (const prefix of CLIENT_PREFIXES) {
    server.get(`${prefix}/rooms/:roomId/members`, async (req) => {
      const who = await authenticate(req, deps.userapi);
      const roomId = pathParam(req.params, "roomId");
      const membership = membershipParam(req.query, "membership");
      const notMembership = membershipParam(req.query, "not_membership");
      const rawAt = queryString(req.query, "at");
      let pos = Number.MAX_SAFE_INTEGER;
      if (rawAt) {
        const t = parsePaginationToken(rawAt, "at");
        // A topological token is the gap before (depth, pos): the state after pos - 1.
        pos = t.kind === "topo" ? t.point.pos - 1 : t.positions.room;
      }
      let access = await requireRoomAccess(deps, roomId, who.userId);
      if (!rawAt) {
        // "Now" includes a membership change just acknowledged (an invite, a kick of the reader),
        // which may not have reached our tables yet; the reader's access is read again after it.
        await deps.catchUp.latest(roomId, who.userId);
        access = await requireRoomAccess(deps, roomId, who.userId);
      }
      if (access.leftAt !== undefined) pos = Math.min(pos, access.leftAt);
      const rows = (await store.state.membersAfter(roomId, pos)).filter(
        (r) => (membership === undefined || r.membership === membership) && (notMembership === undefined || r.membership !== notMembership),
      );
      const events = await store.events.eventsByIds(rows.map((r) => r.eventId));
      const inRoom = viewerInRoom(who, access.visibility);
      return { chunk: events.map((e) => toClientEvent(e, inRoom)) };
    });
  }
}

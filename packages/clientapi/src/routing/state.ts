/**
 * Room state (client-server API, "Getting events for a room" / "Sending events to a room"):
 * GET one state event (content, or the whole event with ?format=event), GET all current state,
 * GET joined members, PUT a state event. Who may read, and as of when: state-access.ts.
 */
import type { FastifyInstance } from "fastify";
import { getRoomVersion, MatrixError, parseUserId, roomCreators, roomIdSchema, userIdServerName } from "@dendrite-ts/protocol";
import type { PduJson } from "@dendrite-ts/roomserver";
import { z } from "zod";
import { assertCanonicalValues } from "../canonical-values";
import { toClientEvent, type ClientEvent } from "../client-events";
import { jsonObject, parseParams, parseRequiredBody } from "../validation";
import { asMember, clientRoute, requireJoined, roomParams, type Req, type RouteContext } from "./context";
import { assertInvitable } from "./invite-permission";
import { checkMemberContent, isOwnMembership, withMemberProfile } from "./member-state";
import { checkCanonicalAliasContent } from "./canonical-alias-content";
import { checkPowerLevelsContent } from "./power-levels-content";
import { checkStateContentShape } from "./state-content-shape";
import { readState, stateViewFor, type StateRead } from "./state-access";
import { withStateUnsigned } from "./state-unsigned";
import { refuseStateWhileSuspended } from "../suspension";

const stateParams = z.object({
  roomId: roomIdSchema,
  // No length cap here: the event's build measures type and state key in bytes, 413 M_TOO_LARGE.
  eventType: z.string().min(1),
  stateKey: z.string().default(""),
});

export function registerStateRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const getOne = async (req: Req) => {
    const me = await ctx.authenticate(req);
    const { roomId, eventType, stateKey } = parseParams(stateParams, req.params);
    const { format } = parseParams(z.object({ format: z.enum(["content", "event"]).default("content") }), req.query, "query");
    const view = await stateViewFor(ctx, roomId, me.userId);
    const { events, redactedBecause, replaced } = await readState(ctx, roomId, view, [{ type: eventType, stateKey }]);
    const pdu = events[0];
    if (!pdu) throw new MatrixError("M_NOT_FOUND", `No ${eventType} state event with state key "${stateKey}" in ${roomId}`);
    if (format === "event") return servedState(pdu, roomId, await ctx.roomVersionOf(roomId), { redactedBecause, replaced });
    return pdu.content ?? {};
  };
  const putOne = async (req: Req) => {
    const me = await ctx.authenticate(req);
    const { roomId, eventType, stateKey } = parseParams(stateParams, req.params);
    // A room has one create event, made by createRoom; sending another can only fail (and in
    // room version 12 the failure names a missing room_id, which tells the client nothing).
    if (eventType === "m.room.create") throw new MatrixError("M_INVALID_PARAM", "path.eventType: m.room.create cannot be sent to an existing room");
    // The body is the event's content: none at all is not an empty content.
    const content = parseRequiredBody(jsonObject, req.body);
    refuseStateWhileSuspended(me, eventType, stateKey, content);
    ctx.rateLimit(`send:${me.userId}`);
    const own = isOwnMembership(eventType, stateKey, me.userId);
    if (!own) await requireJoined(ctx, roomId, me.userId);
    assertCanonicalValues(content);
    let sent = content;
    if (eventType === "m.room.member") {
      checkMemberContent(stateKey, content);
      if (content.membership === "invite" && !own) {
        // As /invite: another server's user is invited over federation (their server countersigns),
        // which is not wired yet; an invite only in our copy of the room would never reach them.
        if (userIdServerName(parseUserId(stateKey)) !== ctx.serverName) {
          throw new MatrixError("M_UNRECOGNIZED", "inviting users of other servers is not supported yet");
        }
        await assertInvitable(ctx, stateKey);
      }
      sent = await withMemberProfile(ctx, stateKey, content);
    }
    if (stateKey === "") await checkContent(ctx, roomId, eventType, content);
    const send = ctx.roomserver.performSendEvent({ body: { sender: me.userId, roomId, type: eventType, stateKey, content: sent } });
    // Own membership skipped requireJoined: an unknown room still answers as one we are not in.
    const { body } = own ? await asMember(roomId, me.userId, send) : await send;
    return { event_id: body.eventId };
  };
  // Empty state key: with or without the trailing slash.
  for (const path of ["/rooms/:roomId/state/:eventType", "/rooms/:roomId/state/:eventType/:stateKey"]) {
    clientRoute(server, "GET", path, getOne);
    clientRoute(server, "PUT", path, putOne);
  }

  clientRoute(server, "GET", "/rooms/:roomId/state", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    const view = await stateViewFor(ctx, roomId, me.userId);
    const version = await ctx.roomVersionOf(roomId);
    const read = await readState(ctx, roomId, view);
    return read.events.map((pdu) => servedState(pdu, roomId, version, read));
  });

  clientRoute(server, "GET", "/rooms/:roomId/joined_members", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    await requireJoined(ctx, roomId, me.userId);
    const { body } = await ctx.roomserver.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.member", stateKey: "*" }] } });
    const joined: Record<string, { display_name?: string; avatar_url?: string }> = {};
    for (const ev of body.stateEvents) {
      const c = (ev.content ?? {}) as Record<string, unknown>;
      if (c.membership !== "join" || typeof ev.state_key !== "string") continue;
      joined[ev.state_key] = {
        ...(typeof c.displayname === "string" ? { display_name: c.displayname } : {}),
        ...(typeof c.avatar_url === "string" ? { avatar_url: c.avatar_url } : {}),
      };
    }
    return { joined };
  });
}

/** A state event as GET /state serves it: the client format, with the unsigned data of state-unsigned.ts. */
function servedState(pdu: PduJson, roomId: string, roomVersion: string, read: Pick<StateRead, "redactedBecause" | "replaced">): ClientEvent {
  const ev = toClientEvent(pdu, roomId, roomVersion, read.redactedBecause);
  return withStateUnsigned(ev, Object.hasOwn(read.replaced, ev.event_id) ? read.replaced[ev.event_id] : undefined, roomVersion);
}

/**
 * Content a client could get wrong that is a malformed request, not an auth failure (400 rather
 * than the auth rules' 403): power levels that break the format rules; canonical aliases; a
 * name, topic or tombstone without its string field; a server ACL denying this server.
 */
async function checkContent(ctx: RouteContext, roomId: string, eventType: string, content: Record<string, unknown>): Promise<void> {
  checkStateContentShape(ctx.serverName, eventType, content);
  if (eventType === "m.room.canonical_alias") await checkCanonicalAliasContent(ctx, roomId, content);
  if (eventType === "m.room.power_levels") {
    const rules = getRoomVersion(await ctx.roomVersionOf(roomId));
    if (!rules) return;
    let creators: string[] = [];
    if (rules.authorization.privilegedCreators) {
      const { body } = await ctx.roomserver.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.create", stateKey: "" }] } });
      creators = roomCreators(body.stateEvents[0], rules.authorization);
    }
    checkPowerLevelsContent(content, rules, creators, "body");
  }
}

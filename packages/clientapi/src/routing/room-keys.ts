/**
 * Server-side key backups (client-server API, "Server-side key backups"): /room_keys/version
 * for backup versions, /room_keys/keys[/{roomId}[/{sessionId}]] for the keys in one, all kept
 * by keyserver and only ever the requester's own. Keys are checked here (the spec's
 * KeyBackupData, room IDs, session IDs) so a bad request changes nothing.
 */
import type { FastifyInstance } from "fastify";
import { isValidRoomId, MatrixError, roomIdSchema } from "@dendrite-ts/protocol";
import { backedUpKeySchema } from "@dendrite-ts/keyserver";
import { z } from "zod";
import { ok } from "../call";
import { jsonObject, parseParams, parseRequiredBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";

/** Megolm session IDs are 43 characters; the cap keeps any ID within the table's key. */
const sessionIdSchema = z.string().min(1).max(255);
const sessionsSchema = z.object({ sessions: z.record(sessionIdSchema, backedUpKeySchema) });
const roomsSchema = z.object({ rooms: z.record(z.string().refine(isValidRoomId, "not a room ID"), sessionsSchema) });
const createBody = z.object({ algorithm: z.string().min(1), auth_data: jsonObject }).passthrough();
/** Only auth_data may change; `version`, when sent, must be the path's. */
const updateBody = createBody.extend({ version: z.string().optional() });

const versionParams = z.object({ version: z.string().min(1) });
const versionQuery = z.object({ version: z.string().min(1) });
const roomParams = z.object({ roomId: roomIdSchema });
const sessionParams = roomParams.extend({ sessionId: sessionIdSchema });

export function registerRoomKeyRoutes(server: FastifyInstance, ctx: RouteContext): void {
  // ---- backup versions
  clientRoute(server, "POST", "/room_keys/version", async (req) => {
    const me = await ctx.authenticate(req);
    const { algorithm, auth_data } = parseRequiredBody(createBody, req.body);
    return ok(ctx.keyserver.createKeyBackup({ body: { userId: me.userId, algorithm, auth_data } }));
  });
  clientRoute(server, "GET", "/room_keys/version", async (req) => {
    const me = await ctx.authenticate(req);
    return ok(ctx.keyserver.queryKeyBackup({ body: { userId: me.userId } }));
  });
  clientRoute(server, "GET", "/room_keys/version/:version", async (req) => {
    const me = await ctx.authenticate(req);
    const { version } = parseParams(versionParams, req.params);
    return ok(ctx.keyserver.queryKeyBackup({ body: { userId: me.userId, version } }));
  });
  clientRoute(server, "PUT", "/room_keys/version/:version", async (req) => {
    const me = await ctx.authenticate(req);
    const { version } = parseParams(versionParams, req.params);
    const body = parseRequiredBody(updateBody, req.body);
    if (body.version !== undefined && body.version !== version) {
      throw new MatrixError("M_INVALID_PARAM", "The version in the body does not match the version in the path");
    }
    await ctx.keyserver.updateKeyBackup({ body: { userId: me.userId, version, algorithm: body.algorithm, auth_data: body.auth_data } });
    return {};
  });
  clientRoute(server, "DELETE", "/room_keys/version/:version", async (req) => {
    const me = await ctx.authenticate(req);
    const { version } = parseParams(versionParams, req.params);
    await ctx.keyserver.deleteKeyBackup({ body: { userId: me.userId, version } });
    return {};
  });

  // ---- keys: the whole backup, one room, one session. Each PUT body is the matching slice.
  const versionOf = (query: unknown) => parseParams(versionQuery, query, "query").version;

  clientRoute(server, "PUT", "/room_keys/keys", async (req) => {
    const me = await ctx.authenticate(req);
    const version = versionOf(req.query);
    const { rooms } = parseRequiredBody(roomsSchema, req.body);
    return ok(ctx.keyserver.storeBackupKeys({ body: { userId: me.userId, version, rooms } }));
  });
  clientRoute(server, "PUT", "/room_keys/keys/:roomId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    const version = versionOf(req.query);
    const { sessions } = parseRequiredBody(sessionsSchema, req.body);
    return ok(ctx.keyserver.storeBackupKeys({ body: { userId: me.userId, version, rooms: { [roomId]: { sessions } } } }));
  });
  clientRoute(server, "PUT", "/room_keys/keys/:roomId/:sessionId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, sessionId } = parseParams(sessionParams, req.params);
    const version = versionOf(req.query);
    const key = parseRequiredBody(backedUpKeySchema, req.body);
    const rooms = { [roomId]: { sessions: { [sessionId]: key } } };
    return ok(ctx.keyserver.storeBackupKeys({ body: { userId: me.userId, version, rooms } }));
  });

  clientRoute(server, "GET", "/room_keys/keys", async (req) => {
    const me = await ctx.authenticate(req);
    const version = versionOf(req.query);
    return ok(ctx.keyserver.queryBackupKeys({ body: { userId: me.userId, version } }));
  });
  clientRoute(server, "GET", "/room_keys/keys/:roomId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    const version = versionOf(req.query);
    const { rooms } = await ok(ctx.keyserver.queryBackupKeys({ body: { userId: me.userId, version, roomId } }));
    return rooms[roomId] ?? { sessions: {} };
  });
  clientRoute(server, "GET", "/room_keys/keys/:roomId/:sessionId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, sessionId } = parseParams(sessionParams, req.params);
    const version = versionOf(req.query);
    const { rooms } = await ok(ctx.keyserver.queryBackupKeys({ body: { userId: me.userId, version, roomId, sessionId } }));
    const key = rooms[roomId]?.sessions[sessionId];
    if (!key) throw new MatrixError("M_NOT_FOUND", "No key backed up for this session");
    return key;
  });

  clientRoute(server, "DELETE", "/room_keys/keys", async (req) => {
    const me = await ctx.authenticate(req);
    const version = versionOf(req.query);
    return ok(ctx.keyserver.deleteBackupKeys({ body: { userId: me.userId, version } }));
  });
  clientRoute(server, "DELETE", "/room_keys/keys/:roomId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(roomParams, req.params);
    const version = versionOf(req.query);
    return ok(ctx.keyserver.deleteBackupKeys({ body: { userId: me.userId, version, roomId } }));
  });
  clientRoute(server, "DELETE", "/room_keys/keys/:roomId/:sessionId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, sessionId } = parseParams(sessionParams, req.params);
    const version = versionOf(req.query);
    return ok(ctx.keyserver.deleteBackupKeys({ body: { userId: me.userId, version, roomId, sessionId } }));
  });
}

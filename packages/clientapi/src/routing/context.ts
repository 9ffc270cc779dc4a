/**
 * What every route area receives (built once by createClientapi), and the small helpers they
 * share: registering a route under the client prefixes, and the membership check most room
 * routes start with.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isValidRoomAlias, isValidRoomId, MatrixError, roomIdSchema, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import type { Authenticate } from "../auth";
import type { RoomVersionOf } from "../client-events";
import type { ClientapiConfig, ClientapiDeps, ClientRoomserver, ClientUserapi } from "../deps";
import type { PushRuleStore } from "../push-rules/store";
import type { ReportStore } from "../storage/reports";
import type { RateLimit } from "../ratelimit";
import type { TransactionStore } from "../transactions";
import { parseParams } from "../validation";

export interface RouteContext {
  userapi: ClientUserapi;
  roomserver: ClientRoomserver;
  eduserver: ClientapiDeps["eduserver"];
  keyserver: ClientapiDeps["keyserver"];
  serverName: string;
  config: ClientapiConfig;
  authenticate: Authenticate;
  rateLimit: RateLimit;
  txns: TransactionStore;
  roomVersionOf: RoomVersionOf;
  logger: ClientapiDeps["logger"];
  pushRules: PushRuleStore;
  /** Clock, ms since the epoch. */
  now: () => number;
  /** What users reported (clientapi.reports). */
  reports: ReportStore;
}

/** v3 is the current prefix; r0 is kept for older clients (same handlers, same behaviour). */
export const CLIENT_PREFIXES = ["/_matrix/client/v3", "/_matrix/client/r0"] as const;

type Method = "GET" | "PUT" | "POST" | "DELETE";
export type { FastifyRequest as Req };
export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Registers `path` (relative to the client prefix) under every prefix in `prefixes`. */
export function clientRoute(
  server: FastifyInstance,
  method: Method,
  path: string,
  handler: Handler,
  prefixes: readonly string[] = CLIENT_PREFIXES,
): void {
  for (const prefix of prefixes) {
    server.route({ method, url: `${prefix}${path}`, handler: (req, reply) => handler(req, reply).catch(rethrowClean) });
  }
}

/**
 * Roomserver rejections carry internal extras (the auth rule id, the rejected event's ID, the
 * batch's results) for logs and tests; a client gets the errcode and the message only.
 */
function rethrowClean(e: unknown): never {
  if (e instanceof MatrixError && ("rule" in e.extras || "event_id" in e.extras || "results" in e.extras)) {
    const { rule: _r, event_id: _e, results: _results, ...rest } = e.extras;
    throw new MatrixError(e.errcode, e.message, rest, e.status);
  }
  throw e;
}

/**
 * For a call that sends an event as `userId` (the roomserver's auth checks require a joined
 * sender): the roomserver's "unknown room" and "sender not joined" answers become the 403 that
 * requireJoined gives, so the client cannot tell an unknown room from one it is not in. Saves
 * asking for the membership first (a round trip between processes in the polylith).
 */
export async function asMember<T>(roomId: string, userId: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof MatrixError && (e.errcode === "M_NOT_FOUND" || e.extras.rule === "sender.not_joined")) {
      throw new MatrixError("M_FORBIDDEN", `User ${userId} is not in room ${roomId}`);
    }
    throw e;
  }
}

/** 403 unless the user's membership in the room is `join` (unknown rooms look the same). */
export async function requireJoined(ctx: RouteContext, roomId: string, userId: string): Promise<void> {
  const { body } = await ctx.roomserver.queryMembership({ body: { roomId, userId } });
  if (body.membership !== "join") throw new MatrixError("M_FORBIDDEN", `User ${userId} is not in room ${roomId}`);
}

/** 403 when the path's user is not the requester (account data, tags, profile writes). */
export function requireSelf(requesterId: string, pathUserId: string, what: string): void {
  if (requesterId !== pathUserId) throw new MatrixError("M_FORBIDDEN", `Cannot ${what} for other users`);
}

export const roomIdParam = roomIdSchema;
export const userIdParam = userIdSchema;
export const roomParams = z.object({ roomId: roomIdSchema });

/** A `:roomIdOrAlias` path parameter (join, knock, room summaries): 400 M_INVALID_PARAM when it is neither. */
export function roomIdOrAliasParam(params: unknown): string {
  const { roomIdOrAlias } = parseParams(z.object({ roomIdOrAlias: z.string() }), params);
  if (!isValidRoomId(roomIdOrAlias) && !isValidRoomAlias(roomIdOrAlias)) {
    throw new MatrixError("M_INVALID_PARAM", `${roomIdOrAlias} is neither a room ID nor a room alias`);
  }
  return roomIdOrAlias;
}

/** The client's IP, the key for unauthenticated rate limits. */
export function clientIp(req: FastifyRequest): string {
  return req.ip;
}

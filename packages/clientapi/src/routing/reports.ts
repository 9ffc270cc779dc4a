/**
 * Reporting content (client-server API, "Reporting content"): an event in a room one is joined
 * to, a room, a user — stored for the server's admins (admin-reports.ts lists them) and logged.
 * An event one cannot see and a room one is not in answer the 404 of an unknown one; a report of
 * an unknown user is taken like any other (200), so the answer tells nothing of who exists (the
 * spec's MAY, as Synapse does).
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, roomIdSchema, userIdSchema } from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseBody, parseParams, parseRequiredBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";
import { visibleEventOfRoom } from "./visible-event";

/** score was removed in v1.18; older clients still send it, and it is ignored. */
const eventReportBody = z.object({ reason: z.string().optional(), score: z.number().optional() });
const reportBody = z.object({ reason: z.string() });

export function registerReportRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/rooms/:roomId/report/:eventId", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId, eventId } = parseParams(z.object({ roomId: roomIdSchema, eventId: z.string().min(1) }), req.params);
    const body = parseBody(eventReportBody, req.body);
    ctx.rateLimit(`report:${me.userId}`);
    const { body: m } = await ctx.roomserver.queryMembership({ body: { roomId, userId: me.userId } });
    if (m.membership !== "join") throw new MatrixError("M_NOT_FOUND", "The event was not found or you are not joined to the room");
    const event = await visibleEventOfRoom(ctx, roomId, eventId, me.userId);
    const sender = typeof event.sender === "string" ? event.sender : undefined;
    await record(ctx, { kind: "event", reporter: me.userId, roomId, eventId, ...(sender ? { eventSender: sender } : {}), ...(body.reason !== undefined ? { reason: body.reason } : {}) });
    return {};
  });

  clientRoute(server, "POST", "/rooms/:roomId/report", async (req) => {
    const me = await ctx.authenticate(req);
    const { roomId } = parseParams(z.object({ roomId: roomIdSchema }), req.params);
    const { reason } = parseRequiredBody(reportBody, req.body);
    ctx.rateLimit(`report:${me.userId}`);
    const exists = await ctx.roomserver.queryRoomSummary({ body: { roomId } }).then(
      () => true,
      (e: unknown) => {
        if (e instanceof MatrixError && e.errcode === "M_NOT_FOUND") return false;
        throw e;
      },
    );
    if (!exists) throw new MatrixError("M_NOT_FOUND", "Room does not exist");
    await record(ctx, { kind: "room", reporter: me.userId, roomId, reason });
    return {};
  });

  clientRoute(server, "POST", "/users/:userId/report", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId } = parseParams(z.object({ userId: userIdSchema }), req.params);
    const { reason } = parseRequiredBody(reportBody, req.body);
    ctx.rateLimit(`report:${me.userId}`);
    await record(ctx, { kind: "user", reporter: me.userId, targetUserId: userId, reason });
    return {};
  });
}

async function record(ctx: RouteContext, r: Omit<Parameters<RouteContext["reports"]["add"]>[0], "receivedTs">): Promise<void> {
  const id = await ctx.reports.add({ ...r, receivedTs: ctx.now() });
  // Admins watching the log see it at once; the admin API has the rest.
  ctx.logger.warn({ report: id, kind: r.kind, reporter: r.reporter, roomId: r.roomId, eventId: r.eventId, targetUserId: r.targetUserId }, "content reported");
}

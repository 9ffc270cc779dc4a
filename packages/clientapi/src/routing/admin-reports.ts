/**
 * The reports users made, for server admins, in the shape of Synapse's admin API so its admin
 * tools read them: GET /_synapse/admin/v1/event_reports and /user_reports, and /room_reports
 * alike (Synapse keeps room reports but lists none). Newest first unless dir=f; `from` is the
 * offset a previous page's next_token gave; filtered by reporter (user_id) or room (room_id).
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";
import type { Report, ReportKind } from "../storage/reports";
import { parseParams } from "../validation";
import type { RouteContext } from "./context";

const DEFAULT_LIMIT = 100;

const query = z.object({
  from: z.string().regex(/^\d{1,9}$/, "must be a non-negative integer").optional(),
  limit: z.string().regex(/^\d{1,4}$/, "must be a positive integer").optional(),
  dir: z.enum(["b", "f"]).default("b"),
  user_id: z.string().optional(),
  room_id: z.string().optional(),
});

export function registerAdminReportRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const list = (kind: ReportKind, key: string, format: (r: Report) => Promise<Record<string, unknown>> | Record<string, unknown>) =>
    server.get(`/_synapse/admin/v1/${key}`, async (req) => {
      const me = await ctx.authenticate(req);
      if (!me.isAdmin) throw new MatrixError("M_FORBIDDEN", "You are not a server admin");
      const q = parseParams(query, req.query, "query");
      const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
      if (limit < 1) throw new MatrixError("M_INVALID_PARAM", "limit must be greater than zero");
      const from = q.from === undefined ? 0 : Number(q.from);
      const page = await ctx.reports.page(kind, {
        from,
        limit,
        dir: q.dir,
        ...(q.user_id !== undefined ? { reporter: q.user_id } : {}),
        ...(q.room_id !== undefined ? { roomId: q.room_id } : {}),
      });
      const next = from + page.reports.length;
      return { [key]: await Promise.all(page.reports.map(format)), total: page.total, ...(next < page.total ? { next_token: next } : {}) };
    });

  list("event", "event_reports", async (r) => {
    const room = await roomNames(ctx, r.roomId!);
    return { id: r.id, received_ts: r.receivedTs, room_id: r.roomId, event_id: r.eventId, user_id: r.reporter, reason: r.reason ?? null, score: null, sender: r.eventSender ?? null, ...room };
  });
  list("room", "room_reports", (r) => ({ id: r.id, received_ts: r.receivedTs, room_id: r.roomId, user_id: r.reporter, reason: r.reason ?? null }));
  list("user", "user_reports", (r) => ({ id: r.id, received_ts: r.receivedTs, target_user_id: r.targetUserId, user_id: r.reporter, reason: r.reason ?? null }));
}

/** The room's name and canonical alias as Synapse's event reports show them (null when unset or unknown). */
async function roomNames(ctx: RouteContext, roomId: string): Promise<{ name: string | null; canonical_alias: string | null }> {
  try {
    const { body } = await ctx.roomserver.queryRoomSummary({ body: { roomId } });
    return { name: body.name ?? null, canonical_alias: body.canonicalAlias ?? null };
  } catch (e) {
    if (e instanceof MatrixError && e.errcode === "M_NOT_FOUND") return { name: null, canonical_alias: null };
    throw e;
  }
}

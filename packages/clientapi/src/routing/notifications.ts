/**
 * GET /_matrix/client/v3/notifications (client-server API, "Push Notifications" → "Listing
 * notifications"): the events the user's push rules said notify, newest first, each with the
 * actions of the rule that matched and whether the user has read it. userapi keeps them; the
 * events come from the roomserver (in their redacted form when redacted). `from` is the
 * `next_token` of the page before; `only=highlight` keeps the highlighted ones.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { MatrixError } from "@dendrite-ts/protocol";
import { ok } from "../call";
import { toClientEvent } from "../client-events";
import { parseParams } from "../validation";
import { clientRoute, type RouteContext } from "./context";

/** Per page when the client names no limit (as Synapse). */
export const NOTIFICATIONS_DEFAULT_LIMIT = 50;
/** Per page at most, whatever the client asks. */
export const NOTIFICATIONS_MAX_LIMIT = 1000;

const query = z.object({ from: z.string().optional(), limit: z.string().optional(), only: z.string().optional() });

export function registerNotificationsRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/notifications", async (req) => {
    const me = await ctx.authenticate(req);
    const q = parseParams(query, req.query, "query");
    if (q.from !== undefined && !/^\d{1,15}$/.test(q.from)) throw new MatrixError("M_INVALID_PARAM", "from is not a token this endpoint gave out");
    if (q.limit !== undefined && !/^\d{1,15}$/.test(q.limit)) throw new MatrixError("M_INVALID_PARAM", "limit must be a non-negative integer");
    const limit = Math.min(q.limit === undefined ? NOTIFICATIONS_DEFAULT_LIMIT : Number(q.limit), NOTIFICATIONS_MAX_LIMIT);
    if (limit === 0) return { notifications: [] };
    const page = await ok(
      ctx.userapi.queryNotifications({
        body: { userId: me.userId, limit, onlyHighlight: q.only === "highlight", ...(q.from !== undefined ? { before: Number(q.from) } : {}) },
      }),
    );
    const ids = page.notifications.map((n) => n.eventId);
    const { body } = ids.length > 0 ? await ctx.roomserver.queryEventsById({ body: { eventIds: ids } }) : { body: { events: [] } };
    // The PDUs come without their IDs: each one's is computed for its room's version.
    const events = new Map<string, ReturnType<typeof toClientEvent>>();
    for (const pdu of body.events) {
      if (typeof pdu.room_id !== "string") continue; // only a v12 create event has none: it notifies nobody
      const ev = toClientEvent(pdu, pdu.room_id, await ctx.roomVersionOf(pdu.room_id));
      events.set(ev.event_id, ev);
    }
    const notifications = page.notifications.flatMap((n) => {
      const event = events.get(n.eventId);
      // An event the roomserver no longer holds (its room purged) is left out.
      return event ? [{ actions: n.actions, event, read: n.read, room_id: n.roomId, ts: n.ts }] : [];
    });
    return { notifications, ...(page.nextBefore !== undefined ? { next_token: String(page.nextBefore) } : {}) };
  });
}

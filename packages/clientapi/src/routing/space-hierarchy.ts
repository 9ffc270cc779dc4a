/**
 * GET /_matrix/client/v1/rooms/{roomId}/hierarchy (client-server API, "Spaces"): the space tree
 * under a room, depth first, as far as the user may see it — each room's summary (the rules and
 * fields of /room_summary) with its m.space.child events. A child is followed only when its
 * event has a `via` (the spec's valid child) and, with suggested_only, is suggested; children
 * in the spec's order (`order`, then timestamp, then room ID). Rooms we do not hold need
 * federation: left out for now.
 *
 * Pages are stateless: the token holds how many rooms came before and the walk's settings, and
 * the next page walks again and skips them — a space edited between pages may shift what follows.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError, roomIdSchema } from "@dendrite-ts/protocol";
import type { PduJson, RoomSummary } from "@dendrite-ts/roomserver";
import { z } from "zod";
import { parseParams } from "../validation";
import { clientRoute, type RouteContext } from "./context";
import { membershipOf, roomSummaryEntry, roomSummaryVisible } from "./room-summary";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 50;
const DEFAULT_MAX_DEPTH = 50;
/** Rooms looked at per request, shown or not: a bound on one request's work. */
const MAX_ROOMS_WALKED = 1000;

const query = z.object({
  suggested_only: z.enum(["true", "false"]).default("false"),
  limit: z.string().regex(/^\d{1,6}$/, "must be a positive integer").optional(),
  max_depth: z.string().regex(/^\d{1,6}$/, "must be a non-negative integer").optional(),
  from: z.string().optional(),
});

export function registerSpaceHierarchyRoute(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(
    server,
    "GET",
    "/rooms/:roomId/hierarchy",
    async (req) => {
      const me = await ctx.authenticate(req);
      const { roomId } = parseParams(z.object({ roomId: roomIdSchema }), req.params);
      const q = parseParams(query, req.query, "query");
      const limit = q.limit === undefined ? DEFAULT_LIMIT : Number(q.limit);
      if (limit < 1) throw new MatrixError("M_INVALID_PARAM", "limit must be greater than zero");
      const settings = { suggestedOnly: q.suggested_only === "true", maxDepth: q.max_depth === undefined ? DEFAULT_MAX_DEPTH : Number(q.max_depth) };
      const skip = q.from === undefined ? 0 : parseToken(q.from, settings);

      const rooms: Record<string, unknown>[] = [];
      let shown = 0;
      let more = false;
      const seen = new Set<string>();
      const stack: Array<{ roomId: string; depth: number }> = [{ roomId, depth: 0 }];
      for (let walked = 0; stack.length > 0 && walked < MAX_ROOMS_WALKED; walked++) {
        const next = stack.pop()!;
        if (seen.has(next.roomId)) continue;
        seen.add(next.roomId);
        const summary = await summaryOf(ctx, next.roomId);
        const isRoot = next.depth === 0;
        if (!summary || !(await roomSummaryVisible(ctx, summary, me.userId, await membershipOf(ctx, next.roomId, me.userId)))) {
          if (isRoot) throw new MatrixError("M_FORBIDDEN", "You cannot see this room");
          continue;
        }
        if (shown >= skip + limit) {
          more = true;
          break;
        }
        const children = await childEvents(ctx, next.roomId, settings.suggestedOnly);
        if (shown >= skip) rooms.push({ ...roomSummaryEntry(summary), children_state: children.map(strippedChild) });
        shown++;
        // Pushed last-first so the first child is walked next: depth first, in order.
        if (next.depth < settings.maxDepth) for (const c of [...children].reverse()) stack.push({ roomId: c.state_key as string, depth: next.depth + 1 });
      }
      return { rooms, ...(more ? { next_batch: formatToken(shown, settings) } : {}) };
    },
    ["/_matrix/client/v1"],
  );
}

async function summaryOf(ctx: RouteContext, roomId: string): Promise<RoomSummary | undefined> {
  try {
    return (await ctx.roomserver.queryRoomSummary({ body: { roomId } })).body;
  } catch (e) {
    if (e instanceof MatrixError && e.errcode === "M_NOT_FOUND") return undefined;
    throw e;
  }
}

/** The room's valid m.space.child events (a non-empty `via`), in the spec's order. */
async function childEvents(ctx: RouteContext, roomId: string, suggestedOnly: boolean): Promise<PduJson[]> {
  const { body } = await ctx.roomserver.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.space.child", stateKey: "*" }] } });
  const valid = body.stateEvents.filter((e) => {
    const content = (e.content ?? {}) as Record<string, unknown>;
    if (typeof e.state_key !== "string" || !roomIdSchema.safeParse(e.state_key).success) return false;
    if (!Array.isArray(content.via) || content.via.length === 0) return false;
    return !suggestedOnly || content.suggested === true;
  });
  return valid.sort(childOrder);
}

/** `order` (printable ASCII, at most 50 characters) first, by code point; then timestamp; then room ID. */
function childOrder(a: PduJson, b: PduJson): number {
  const order = (e: PduJson) => {
    const o = (e.content as Record<string, unknown> | undefined)?.order;
    return typeof o === "string" && o.length <= 50 && /^[\x20-\x7e]*$/.test(o) ? o : undefined;
  };
  const [oa, ob] = [order(a), order(b)];
  if (oa !== undefined && ob === undefined) return -1;
  if (oa === undefined && ob !== undefined) return 1;
  if (oa !== undefined && ob !== undefined && oa !== ob) return oa < ob ? -1 : 1;
  const [ta, tb] = [Number(a.origin_server_ts), Number(b.origin_server_ts)];
  if (ta !== tb) return ta - tb;
  return (a.state_key as string) < (b.state_key as string) ? -1 : (a.state_key as string) > (b.state_key as string) ? 1 : 0;
}

function strippedChild(e: PduJson): Record<string, unknown> {
  return { type: e.type, state_key: e.state_key, content: e.content, sender: e.sender, origin_server_ts: e.origin_server_ts };
}

interface WalkSettings {
  suggestedOnly: boolean;
  maxDepth: number;
}

function formatToken(skip: number, s: WalkSettings): string {
  return `h${skip}_${s.maxDepth}_${s.suggestedOnly ? 1 : 0}`;
}

function parseToken(token: string, s: WalkSettings): number {
  const m = /^h(\d{1,9})_(\d{1,6})_([01])$/.exec(token);
  if (!m) throw new MatrixError("M_INVALID_PARAM", "from is not a token this endpoint gave out");
  if (Number(m[2]) !== s.maxDepth || (m[3] === "1") !== s.suggestedOnly) {
    throw new MatrixError("M_INVALID_PARAM", "suggested_only and max_depth cannot change between pages");
  }
  return Number(m[1]);
}

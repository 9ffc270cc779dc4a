// The user's notifications for GET /notifications: newest first, a page at a time by position.
import type { Ctx } from "../context";
import { localpartOf } from "../user-ids";

export async function listNotifications(
  ctx: Ctx,
  q: { userId: string; before?: number | undefined; limit: number; onlyHighlight?: boolean | undefined },
) {
  const localpart = localpartOf(q.userId, ctx.serverName);
  // One more than asked: whether there is a next page.
  const rows = await ctx.store.notifications.list(localpart, { before: q.before, limit: q.limit + 1, onlyHighlight: q.onlyHighlight === true });
  const page = rows.slice(0, q.limit);
  return {
    notifications: page.map((r) => ({ roomId: r.roomId, eventId: r.eventId, ts: r.ts, actions: r.actions as Array<string | Record<string, unknown>>, read: r.read })),
    ...(rows.length > q.limit ? { nextBefore: page.at(-1)!.pos } : {}),
  };
}

/**
 * Who may read a room's state, and as of when (GET /state, /state/{type}/{key}): a joined
 * member reads the current state; a member who left (or was kicked or banned) reads the state
 * as it was right after leaving, unless they forgot the room; anyone reads a world_readable
 * room's current state. Everyone else (an invite rejected, a ban before ever joining), and
 * unknown rooms alike, get 403. The roomserver's hasBeenInRoom says "joined once, not forgotten".
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { PduJson, StateKeyTuple } from "@dendrite-ts/roomserver";
import type { RouteContext } from "./context";

/** `atEventId` undefined: the current state. */
export type StateView = { atEventId?: string };

export async function stateViewFor(ctx: RouteContext, roomId: string, userId: string): Promise<StateView> {
  const { body: m } = await ctx.roomserver.queryMembership({ body: { roomId, userId } });
  if (m.membership === "join") return {};
  if ((m.membership === "leave" || m.membership === "ban") && m.eventId !== undefined && m.hasBeenInRoom) {
    return { atEventId: m.eventId };
  }
  if (m.roomExists) {
    const { body } = await ctx.roomserver.queryCurrentState({
      body: { roomId, stateTuples: [{ type: "m.room.history_visibility", stateKey: "" }] },
    });
    const content = body.stateEvents[0]?.content as { history_visibility?: unknown } | undefined;
    if (content?.history_visibility === "world_readable") return {};
  }
  throw new MatrixError("M_FORBIDDEN", `User ${userId} is not in room ${roomId}`);
}

/**
 * State as read: the events; for those that are redacted (by event ID) their redactions; for
 * those that replaced an earlier event at their key (by event ID) that event.
 */
export interface StateRead {
  events: PduJson[];
  redactedBecause: Record<string, PduJson>;
  replaced: Record<string, PduJson>;
}

/** The state of `view`, limited to `tuples` when given (no wildcards). */
export async function readState(ctx: RouteContext, roomId: string, view: StateView, tuples?: StateKeyTuple[]): Promise<StateRead> {
  let prevEventIds: string[];
  if (view.atEventId !== undefined) prevEventIds = [view.atEventId];
  else if (tuples !== undefined) {
    const { body } = await ctx.roomserver.queryCurrentState({ body: { roomId, stateTuples: tuples, withReplaced: true } });
    return { events: body.stateEvents, redactedBecause: body.redactedBecause ?? {}, replaced: body.replaced ?? {} };
  } else {
    // The state after the forward extremities is the current state, and that query returns all of it.
    const { body } = await ctx.roomserver.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } });
    prevEventIds = body.latestEventIds;
  }
  const { body } = await ctx.roomserver.queryStateAfterEvents({
    body: { roomId, prevEventIds, withReplaced: true, ...(tuples !== undefined ? { stateToFetch: tuples } : {}) },
  });
  return { events: body.stateEvents, redactedBecause: body.redactedBecause ?? {}, replaced: body.replaced ?? {} };
}

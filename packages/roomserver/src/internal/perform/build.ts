/**
 * Building our own events for a room we hold: prev_events are the forward extremities, depth
 * one more than theirs, auth_events picked from the current state, then protocol's buildEvent
 * hashes and signs with our key. Runs inside the room's queue (see Inputter.buildAndInput).
 */
import { authEventStateKeys, buildEvent, eventReference, getRoomVersion, MatrixError, type EventReference } from "@dendrite-ts/protocol";
import type { InputRoomEvent, PduJson } from "../../api";
import type { RoomInfo } from "../../storage";
import type { RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { eventNidsForKeys } from "../input/auth";

export interface EventSpec {
  sender: string;
  type: string;
  stateKey?: string;
  content: Record<string, unknown>;
  /** v1–10 redactions carry `redacts` at the top level. */
  redacts?: string;
}

export async function requireRoom(ctx: RoomserverContext, roomId: string): Promise<RoomInfo> {
  const room = await ctx.store.roomInfo(roomId);
  if (!room || room.stateSnapshotNid === 0) throw new MatrixError("M_NOT_FOUND", `room ${roomId} is unknown here`);
  return room;
}

/** A signed event for `roomId` on top of its current state, as an input for our own server. */
export async function buildRoomEvent(
  ctx: RoomserverContext,
  roomId: string,
  spec: EventSpec,
  extra: Pick<InputRoomEvent, "transactionId"> = {},
): Promise<InputRoomEvent> {
  const room = await requireRoom(ctx, roomId);
  const rules = getRoomVersion(room.roomVersion)!;
  const latest = [...(await ctx.events.byNids(room.latestEventNids)).values()];
  const depth = Math.max(0, ...latest.map((e) => e.depth)) + 1;
  // v3+ refer to events by ID alone, which we hold; v1/v2 also need the reference hash.
  const withHashes = rules.eventFormat.eventRefsWithHashes;
  const ref = (e: StoredEvent): string | EventReference => (withHashes ? eventReference(e.pdu, rules) : e.id);

  const proto = { type: spec.type, sender: spec.sender, content: spec.content, ...(spec.stateKey !== undefined ? { state_key: spec.stateKey } : {}) };
  const current = await ctx.store.loadState(room.stateSnapshotNid);
  const authNids = await eventNidsForKeys(ctx, current, authEventStateKeys(proto, rules));
  const authEvents = await ctx.events.byNids(authNids);

  const built = buildEvent({
    roomVersion: rules,
    roomId,
    sender: spec.sender,
    type: spec.type,
    ...(spec.stateKey !== undefined ? { stateKey: spec.stateKey } : {}),
    content: spec.content,
    prevEvents: latest.map(ref),
    authEvents: authNids.map((n) => ref(authEvents.get(n)!)),
    depth,
    ...(spec.redacts !== undefined ? { redacts: spec.redacts } : {}),
    serverName: ctx.serverName,
    key: ctx.signingKey,
  });
  ctx.builtEvents.set(built.pdu, { eventId: built.eventId, canonical: built.canonical });
  return { kind: "new", event: built.pdu as unknown as PduJson, sendAsServer: ctx.serverName, ...extra };
}

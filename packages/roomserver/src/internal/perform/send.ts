/**
 * Sending an event as one of our users: once per client transaction (device + transaction ID),
 * however often the client retries and whatever crashed in between (see send-transactions.ts).
 * Redactions get the client-server API's check here,
 * since other servers will apply any redaction from our domain (room version 3+ "Handling
 * redactions"): a user may redact their own events, or others' with the redact power level, and
 * nobody the room's create event (as Synapse refuses it).
 */
import { getRoomVersion, MatrixError, namedPowerLevel, redactsOf, userPowerLevel } from "@dendrite-ts/protocol";
import type { InputRoomEvent } from "../../api";
import type { RoomserverContext } from "../context";
import type { Inputter } from "../input/inputter";
import { currentStateEvent } from "../query/state";
import { buildRoomEvent, requireRoom, type EventSpec } from "./build";

const TRANSACTION_RETENTION_MS = 24 * 3600_000;
const SWEEP_EVERY_MS = 10 * 60_000;
let lastSweep = 0;

export async function sendEvent(
  ctx: RoomserverContext,
  inputter: Inputter,
  roomId: string,
  spec: EventSpec,
  extra: Pick<InputRoomEvent, "transactionId">,
): Promise<string> {
  if (spec.type === "m.room.redaction") await checkRedaction(ctx, roomId, spec);
  const txn = extra.transactionId;
  if (txn && Date.now() - lastSweep > SWEEP_EVERY_MS) {
    lastSweep = Date.now();
    ctx.store.sweepSendTransactions(lastSweep - TRANSACTION_RETENTION_MS).catch((err: unknown) => {
      ctx.logger.warn({ err }, "sweeping old send transactions failed");
    });
  }
  // A repeated transaction is caught by its commit, which records the transaction with the event
  // (and answers a repeat with the first event): no look-up here on the common, first, path.
  const result = await inputter.buildAndInput(roomId, () => buildRoomEvent(ctx, roomId, spec, extra));
  return result.eventId;
}

async function checkRedaction(ctx: RoomserverContext, roomId: string, spec: EventSpec): Promise<void> {
  const room = await requireRoom(ctx, roomId);
  // Where the room version has the event name it: what the check below judges is what applies.
  const targetId = redactsOf(spec, room.roomVersion);
  if (targetId === undefined) throw new MatrixError("M_BAD_JSON", "a redaction names the event it redacts");
  const target = (await ctx.events.byIds([targetId])).get(targetId);
  if (!target || target.roomNid !== room.roomNid) throw new MatrixError("M_NOT_FOUND", `event ${targetId} is not in ${roomId}`);
  // Redaction strips the create event's room_version before v11: clients would then take the room for version 1.
  if (target.type === "m.room.create") throw new MatrixError("M_FORBIDDEN", "the room's create event cannot be redacted");
  if (target.sender === spec.sender) return;
  const rules = getRoomVersion(room.roomVersion)!;
  const pl = await currentStateEvent(ctx, room, "m.room.power_levels", "");
  const create = await currentStateEvent(ctx, room, "m.room.create", "");
  if (userPowerLevel(spec.sender, pl, create, rules.authorization) < namedPowerLevel(pl, "redact", rules.authorization)) {
    throw new MatrixError("M_FORBIDDEN", "you may redact only your own events without the redact power level");
  }
}

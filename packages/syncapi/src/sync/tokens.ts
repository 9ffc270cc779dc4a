/**
 * Tokens. A sync token `s<roomPos>_<accountDataPos>_<receiptPos>_<typingPos>_<deviceListPos>_<toDevicePos>_<presencePos>`
 * names a point in each stream; a topological token `t<depth>_<pos>` names a gap in a room's DAG order (just
 * before the event at (depth, pos)), for /messages and prev_batch. All but the typing position
 * come from the database, so they stay valid across restarts; the typing position is this
 * process's (sync/typing.ts says why an earlier process's is still sound). A token of the older
 * form `s<roomPos>_<accountDataPos>` (from before receipts and typing) is read with both at 0,
 * and one without the device-list part (from before device lists) with it at 0, and one without
 * the to-device part (from before to-device messages) with it at 0: its device acknowledged none,
 * and one without the presence part (from before presence; like typing's, this process's) at 0.
 * Anything else is 400 M_INVALID_PARAM.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { Positions, TopoPoint } from "../storage";

/** Where a /sync stands in every stream: the database's positions and the ephemeral ones. */
export interface SyncPositions extends Positions {
  receipt: number;
  typing: number;
  /**
   * keyserver's device-list changes as syncapi recorded them. Absent until the /sync route
   * (sync/device-keys.ts) reads the position; a token is only handed out with it.
   */
  deviceList?: number;
  /** The syncing device's to-device messages up to here are acknowledged (sync/to-device.ts). */
  toDevice?: number;
  /** Local users' presence as this process holds it (sync/presence.ts). */
  presence?: number;
}

export function formatSyncToken(p: SyncPositions): string {
  // The later parts are positional: one that is set brings the ones before it (at 0 when unset).
  const tail = [p.deviceList, p.toDevice, p.presence];
  let last = tail.length;
  while (last > 0 && tail[last - 1] === undefined) last--;
  return `s${p.room}_${p.accountData}_${p.receipt}_${p.typing}${tail.slice(0, last).map((v) => `_${v ?? 0}`).join("")}`;
}

export function parseSyncToken(token: string, param = "since"): SyncPositions {
  const m = /^s(\d{1,15})_(\d{1,15})(?:_(\d{1,15})_(\d{1,15})(?:_(\d{1,15})(?:_(\d{1,15})(?:_(\d{1,15}))?)?)?)?$/.exec(token);
  if (!m) throw new MatrixError("M_INVALID_PARAM", `Malformed ${param} token`);
  return {
    room: Number(m[1]),
    accountData: Number(m[2]),
    receipt: Number(m[3] ?? 0),
    typing: Number(m[4] ?? 0),
    deviceList: Number(m[5] ?? 0),
    toDevice: Number(m[6] ?? 0),
    presence: Number(m[7] ?? 0),
  };
}

export function formatTopoToken(p: TopoPoint): string {
  return `t${p.depth}_${p.pos}`;
}

export type PaginationToken = { kind: "topo"; point: TopoPoint } | { kind: "sync"; positions: SyncPositions };

/** A /messages or /members `from`/`to`/`at`: either kind of token. */
export function parsePaginationToken(token: string, param: string): PaginationToken {
  const m = /^t(-?\d{1,16})_(\d{1,16})$/.exec(token);
  if (m) return { kind: "topo", point: { depth: Number(m[1]), pos: Number(m[2]) } };
  if (token.startsWith("s")) return { kind: "sync", positions: parseSyncToken(token, param) };
  throw new MatrixError("M_INVALID_PARAM", `Malformed ${param} token`);
}

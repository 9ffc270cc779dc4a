/**
 * Tokens. A sync token `s<roomPos>_<accountDataPos>` names a point in both streams; a
 * topological token `t<depth>_<pos>` names a gap in a room's DAG order (just before the event
 * at (depth, pos)), for /messages and prev_batch. Both are positions from the database, so they
 * stay valid across restarts. Anything else is 400 M_INVALID_PARAM.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { Positions, TopoPoint } from "../storage";

export function formatSyncToken(p: Positions): string {
  return `s${p.room}_${p.accountData}`;
}

export function parseSyncToken(token: string, param = "since"): Positions {
  const m = /^s(\d{1,15})_(\d{1,15})$/.exec(token);
  if (!m) throw new MatrixError("M_INVALID_PARAM", `Malformed ${param} token`);
  return { room: Number(m[1]), accountData: Number(m[2]) };
}

export function formatTopoToken(p: TopoPoint): string {
  return `t${p.depth}_${p.pos}`;
}

export type PaginationToken = { kind: "topo"; point: TopoPoint } | { kind: "sync"; positions: Positions };

/** A /messages or /members `from`/`to`/`at`: either kind of token. */
export function parsePaginationToken(token: string, param: string): PaginationToken {
  const m = /^t(-?\d{1,16})_(\d{1,16})$/.exec(token);
  if (m) return { kind: "topo", point: { depth: Number(m[1]), pos: Number(m[2]) } };
  if (token.startsWith("s")) return { kind: "sync", positions: parseSyncToken(token, param) };
  throw new MatrixError("M_INVALID_PARAM", `Malformed ${param} token`);
}

// `<algorithm>:<key_id>`, the names of one-time and fallback keys (spec "Key algorithms").
import { MatrixError } from "@dendrite-ts/protocol";
import type { OneTimeKey } from "../storage";

/** Splits each name at its first colon; a name without one is 400 M_BAD_JSON (as Synapse). */
export function keysOf(field: string, map: Record<string, unknown> | undefined): OneTimeKey[] {
  return Object.entries(map ?? {}).map(([name, key]) => {
    const colon = name.indexOf(":");
    if (colon <= 0 || colon === name.length - 1) {
      throw new MatrixError("M_BAD_JSON", `Invalid ${field} key '${name}': expected "<algorithm>:<key_id>"`);
    }
    return { algorithm: name.slice(0, colon), keyId: name.slice(colon + 1), keyJson: JSON.stringify(key) };
  });
}

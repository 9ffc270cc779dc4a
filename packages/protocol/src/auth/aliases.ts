/** v1–5 rule 4: `m.room.aliases` is the sending server's own list, keyed by its domain. */
import type { AuthContext } from "./context";
import { domainOf, eventStateKey } from "./event-fields";
import { reject } from "./not-allowed";

export function checkAliases(ctx: AuthContext): void {
  const stateKey = eventStateKey(ctx.event);
  if (stateKey === undefined) reject("aliases.no_state_key", "m.room.aliases has no state_key");
  if (domainOf(ctx.sender) !== stateKey) {
    reject("aliases.sender_domain_mismatch", `state_key ${stateKey} is not the sender's server ${String(domainOf(ctx.sender))}`);
  }
}

/**
 * Users' effective push rulesets, parsed once and kept while their stored m.push_rules is
 * unchanged: a message asks the database only for the positions of its members' rules (small
 * rows) and reads the content of those that changed since.
 */
import { effectiveRuleset, type PushRuleset } from "@dendrite-ts/protocol";
import type { UserapiTables } from "../../storage";

/** Users remembered at once. */
const MAX_USERS = 20_000;
/** The position of "nothing stored": the predefined rules. */
const DEFAULTS = -1;

export class PushRulesCache {
  private users = new Map<string, { streamPos: number; rules: PushRuleset }>();

  /** Rulesets by localpart; `userIdOf` names the owner (the rules mention the user's ID). */
  async get(db: Pick<UserapiTables, "notifications">, localparts: readonly string[], userIdOf: (localpart: string) => string): Promise<Map<string, PushRuleset>> {
    const out = new Map<string, PushRuleset>();
    if (localparts.length === 0) return out;
    const versions = await db.notifications.pushRuleVersions(localparts);
    const stale: string[] = [];
    for (const lp of localparts) {
      const want = versions.get(lp) ?? DEFAULTS;
      const have = this.users.get(lp);
      if (have && have.streamPos === want) out.set(lp, have.rules);
      else if (want === DEFAULTS) out.set(lp, this.keep(lp, DEFAULTS, effectiveRuleset(userIdOf(lp), undefined)));
      else stale.push(lp);
    }
    if (stale.length > 0) {
      const contents = await db.notifications.pushRuleContents(stale);
      for (const lp of stale) {
        const c = contents.get(lp);
        out.set(lp, this.keep(lp, c?.streamPos ?? DEFAULTS, effectiveRuleset(userIdOf(lp), c?.content)));
      }
    }
    return out;
  }

  private keep(localpart: string, streamPos: number, rules: PushRuleset): PushRuleset {
    this.users.delete(localpart);
    this.users.set(localpart, { streamPos, rules });
    if (this.users.size > MAX_USERS) this.users.delete(this.users.keys().next().value!);
    return rules;
  }
}

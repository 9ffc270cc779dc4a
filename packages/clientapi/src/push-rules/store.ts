/**
 * The user's push rules kept as their global `m.push_rules` account data in userapi (what /sync
 * carries). Every read-modify-write of one user's entry runs after the previous one settled, so
 * concurrent edits within this process are all kept.
 */
import { canonicalJson, effectiveRuleset, MatrixError, toAccountData, type PushRuleset } from "@dendrite-ts/protocol";
import { KeyedQueues } from "@dendrite-ts/runtime";
import { ok } from "../call";
import type { ClientapiDeps, ClientUserapi } from "../deps";

export const PUSH_RULES_TYPE = "m.push_rules";

export interface PushRuleStore {
  /** The effective ruleset; stored first if nothing is or the stored form is out of date, so /sync shows it. */
  read(userId: string): Promise<PushRuleset>;
  /** The effective ruleset without writing anything. */
  peek(userId: string): Promise<PushRuleset>;
  /**
   * At registration and login: stores the ruleset of an account that has none yet, or whose
   * stored form predates today's predefined rules, so /sync carries what GET /pushrules/ serves
   * (as Synapse's does). Never fails the caller: a failure is only logged.
   */
  ensureStored(userId: string): Promise<void>;
  /** Applies `change` (which may throw a MatrixError, leaving the store untouched) and stores the result. */
  edit(userId: string, change: (rules: PushRuleset) => PushRuleset): Promise<void>;
}

export function createPushRuleStore(userapi: ClientUserapi, logger: ClientapiDeps["logger"]): PushRuleStore {
  const queues = new KeyedQueues();
  /** Runs `fn` after any earlier call for the same user has settled. */
  const serially = <T>(userId: string, fn: () => Promise<T>): Promise<T> => queues.run(userId, fn);

  /** The effective ruleset, and whether the stored form is exactly it (false when nothing is stored). */
  const load = async (userId: string): Promise<{ rules: PushRuleset; current: boolean }> => {
    try {
      const { content } = await ok(userapi.queryAccountData({ body: { userId, roomId: null, type: PUSH_RULES_TYPE } }));
      const rules = effectiveRuleset(userId, content);
      const same = (v: unknown) => canonicalJson(v, { allowNonCanonicalNumbers: true });
      return { rules, current: same(content) === same(toAccountData(rules)) };
    } catch (e) {
      if (e instanceof MatrixError && e.errcode === "M_NOT_FOUND") return { rules: effectiveRuleset(userId, undefined), current: false };
      throw e;
    }
  };
  const save = async (userId: string, rules: PushRuleset) => {
    await ok(userapi.setAccountData({ body: { userId, roomId: null, type: PUSH_RULES_TYPE, content: toAccountData(rules) } }));
  };

  const read = (userId: string) =>
    serially(userId, async () => {
      const { rules, current } = await load(userId);
      if (!current) await save(userId, rules);
      return rules;
    });

  return {
    read,
    ensureStored: async (userId) => {
      try {
        await read(userId);
      } catch (err) {
        logger.warn({ err, userId }, "push rules not stored for new session");
      }
    },
    peek: async (userId) => (await load(userId)).rules,
    edit: (userId, change) =>
      serially(userId, async () => {
        await save(userId, change((await load(userId)).rules));
      }),
  };
}

/**
 * Push rules (client-server API, "Push Rules: API"): the requester's global ruleset, one rule,
 * and its `enabled` flag and `actions`. The full merged ruleset is stored as the user's global
 * `m.push_rules` account data through userapi, so /sync carries it too; before anything is
 * stored the predefined rules are served (and written on the first full read).
 *
 * Edits are read-modify-write of that one entry, serialised per user within this process.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";
import { ok } from "../call";
import { isPushKind, type PushKind, type PushRuleset } from "../push-rules/defaults";
import {
  deleteUserRule,
  effectiveRuleset,
  findRule,
  putUserRule,
  setRuleActions,
  setRuleEnabled,
  toAccountData,
} from "../push-rules/merge";
import { parseBody, parseParams } from "../validation";
import { clientRoute, type RouteContext } from "./context";

export const PUSH_RULES_TYPE = "m.push_rules";

/** "notify", a historical action (accepted, then dropped), or a `set_tweak` object. */
const actionSchema = z.union([
  z.enum(["notify", "dont_notify", "coalesce"]),
  z.object({ set_tweak: z.string().min(1) }).passthrough(),
]);
const actionsSchema = z.array(actionSchema).max(100);
const conditionSchema = z.object({ kind: z.string().min(1) }).passthrough();
const ruleBody = z.object({
  actions: actionsSchema,
  conditions: z.array(conditionSchema).max(100).optional(),
  pattern: z.string().optional(),
});
const enabledBody = z.object({ enabled: z.boolean() });
const actionsBody = z.object({ actions: actionsSchema });
const placementQuery = z.object({ before: z.string().min(1).optional(), after: z.string().min(1).optional() });
const ruleParams = z.object({
  kind: z.string().refine(isPushKind, { message: "kind must be one of override, content, room, sender, underride" }),
  ruleId: z.string().min(1).max(255),
});

function parseRuleParams(raw: unknown): { kind: PushKind; ruleId: string } {
  const { kind, ruleId } = parseParams(ruleParams, raw);
  return { kind: kind as PushKind, ruleId };
}

export function registerPushRuleRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const queues = new Map<string, Promise<unknown>>();
  /** Runs `fn` after any earlier call for the same user has settled. */
  const serially = <T>(userId: string, fn: () => Promise<T>): Promise<T> => {
    const prev = queues.get(userId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    queues.set(userId, tail);
    void tail.then(() => {
      if (queues.get(userId) === tail) queues.delete(userId);
    });
    return next;
  };

  const load = async (userId: string): Promise<{ rules: PushRuleset; stored: boolean }> => {
    try {
      const { content } = await ok(ctx.userapi.queryAccountData({ body: { userId, roomId: null, type: PUSH_RULES_TYPE } }));
      return { rules: effectiveRuleset(userId, content), stored: true };
    } catch (e) {
      if (e instanceof MatrixError && e.errcode === "M_NOT_FOUND") return { rules: effectiveRuleset(userId, undefined), stored: false };
      throw e;
    }
  };
  const save = async (userId: string, rules: PushRuleset) => {
    await ok(ctx.userapi.setAccountData({ body: { userId, roomId: null, type: PUSH_RULES_TYPE, content: toAccountData(rules) } }));
  };
  /** The ruleset, written once when nothing is stored yet so /sync shows it. */
  const readAll = (userId: string) =>
    serially(userId, async () => {
      const { rules, stored } = await load(userId);
      if (!stored) await save(userId, rules);
      return rules;
    });
  const edit = (userId: string, change: (rules: PushRuleset) => PushRuleset) =>
    serially(userId, async () => {
      const { rules } = await load(userId);
      await save(userId, change(rules));
      return {};
    });

  for (const path of ["/pushrules/", "/pushrules"]) {
    clientRoute(server, "GET", path, async (req) => {
      const me = await ctx.authenticate(req);
      return { global: await readAll(me.userId) };
    });
  }
  for (const path of ["/pushrules/global/", "/pushrules/global"]) {
    clientRoute(server, "GET", path, async (req) => {
      const me = await ctx.authenticate(req);
      return readAll(me.userId);
    });
  }

  // Not in the spec, but Synapse serves one kind's list here and some clients ask for it.
  clientRoute(server, "GET", "/pushrules/global/:kind/", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind } = parseParams(ruleParams.pick({ kind: true }), req.params);
    return (await load(me.userId)).rules[kind as PushKind];
  });
  clientRoute(server, "GET", "/pushrules/global/:kind/:ruleId", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    return findRule((await load(me.userId)).rules, kind, ruleId);
  });
  clientRoute(server, "PUT", "/pushrules/global/:kind/:ruleId", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    const placement = parseParams(placementQuery, req.query, "query");
    const body = parseBody(ruleBody, req.body);
    if (kind === "content" && body.pattern === undefined) throw new MatrixError("M_BAD_JSON", "body.pattern: required for content rules");
    return edit(me.userId, (rules) => putUserRule(rules, kind, ruleId, body, placement));
  });
  clientRoute(server, "DELETE", "/pushrules/global/:kind/:ruleId", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    return edit(me.userId, (rules) => deleteUserRule(rules, kind, ruleId));
  });

  clientRoute(server, "GET", "/pushrules/global/:kind/:ruleId/enabled", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    return { enabled: findRule((await load(me.userId)).rules, kind, ruleId).enabled };
  });
  clientRoute(server, "PUT", "/pushrules/global/:kind/:ruleId/enabled", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    const { enabled } = parseBody(enabledBody, req.body);
    return edit(me.userId, (rules) => setRuleEnabled(rules, kind, ruleId, enabled));
  });

  clientRoute(server, "GET", "/pushrules/global/:kind/:ruleId/actions", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    return { actions: findRule((await load(me.userId)).rules, kind, ruleId).actions };
  });
  clientRoute(server, "PUT", "/pushrules/global/:kind/:ruleId/actions", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    const { actions } = parseBody(actionsBody, req.body);
    return edit(me.userId, (rules) => setRuleActions(rules, kind, ruleId, actions));
  });
}

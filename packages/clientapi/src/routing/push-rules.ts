/**
 * Push rules (client-server API, "Push Rules: API"): the requester's global ruleset, one rule,
 * and its `enabled` flag and `actions`, kept as `m.push_rules` account data (push-rules/store.ts).
 */
import type { FastifyInstance } from "fastify";
import {
  deleteUserRule,
  findRule,
  isPushKind,
  MatrixError,
  putUserRule,
  setRuleActions,
  setRuleEnabled,
  type PushKind,
  type PushRuleset,
} from "@dendrite-ts/protocol";
import { z } from "zod";
import { parseBody, parseParams } from "../validation";
import { clientRoute, type RouteContext } from "./context";

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
  const store = ctx.pushRules;
  const edit = async (userId: string, change: (rules: PushRuleset) => PushRuleset) => {
    await store.edit(userId, change);
    return {};
  };

  for (const path of ["/pushrules/", "/pushrules"]) {
    clientRoute(server, "GET", path, async (req) => {
      const me = await ctx.authenticate(req);
      return { global: await store.read(me.userId) };
    });
  }
  for (const path of ["/pushrules/global/", "/pushrules/global"]) {
    clientRoute(server, "GET", path, async (req) => {
      const me = await ctx.authenticate(req);
      return store.read(me.userId);
    });
  }

  // Not in the spec, but Synapse serves one kind's list here and some clients ask for it.
  clientRoute(server, "GET", "/pushrules/global/:kind/", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind } = parseParams(ruleParams.pick({ kind: true }), req.params);
    return (await store.peek(me.userId))[kind as PushKind];
  });
  clientRoute(server, "GET", "/pushrules/global/:kind/:ruleId", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    return findRule(await store.peek(me.userId), kind, ruleId);
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
    return { enabled: findRule(await store.peek(me.userId), kind, ruleId).enabled };
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
    return { actions: findRule(await store.peek(me.userId), kind, ruleId).actions };
  });
  clientRoute(server, "PUT", "/pushrules/global/:kind/:ruleId/actions", async (req) => {
    const me = await ctx.authenticate(req);
    const { kind, ruleId } = parseRuleParams(req.params);
    const { actions } = parseBody(actionsBody, req.body);
    return edit(me.userId, (rules) => setRuleActions(rules, kind, ruleId, actions));
  });
}

/**
 * `m.room.member` with membership `join` or `knock`: the rules that consult the join rule
 * (public, invite, knock v7+, restricted v8+, knock_restricted v10+).
 */
import { knownCreateEventId } from "./create";
import { powerOf, levelFor, type AuthContext } from "./context";
import { eventContent, eventRefs, eventRoomId, eventSender, eventStateKey, joinRuleOf, prevEventCount, stringField } from "./event-fields";
import { reject } from "./not-allowed";

/** The join rule in force, `undefined` when the room has no join rules event. */
function joinRule(ctx: AuthContext): string | undefined {
  return joinRuleOf(ctx.state.joinRules);
}

/** Join rules under which an invite (or a prior join) lets a user join. */
function isInviteLike(ctx: AuthContext, rule: string | undefined): boolean {
  return rule === "invite" || (ctx.rules.authorization.knocking && rule === "knock");
}

function isRestricted(ctx: AuthContext, rule: string | undefined): boolean {
  const a = ctx.rules.authorization;
  return (a.restrictedJoins && rule === "restricted") || (a.knockRestricted && rule === "knock_restricted");
}

/** The creator whose first join follows the create event: `content.creator` (v1–10) or the create sender. */
function creatorOf(ctx: AuthContext, create: object): string | undefined {
  return ctx.rules.authorization.creatorFromContent ? stringField(eventContent(create), "creator") : eventSender(create);
}

/** "If the only previous event is an m.room.create and the state_key is the creator, allow." */
function isCreatorsFirstJoin(ctx: AuthContext): boolean {
  const create = ctx.state.create;
  if (create === undefined || prevEventCount(ctx.event) !== 1) return false;
  if (eventStateKey(ctx.event) !== creatorOf(ctx, create)) return false;
  const createId = (ctx.options.eventId?.(create) || undefined) ?? knownCreateEventId(create, eventRoomId(ctx.event), ctx.rules);
  if (createId !== undefined) return eventRefs(ctx.event, "prev_events")[0] === createId;
  // v3–11 without an ID hook: the single prev event can only be the create event when the state
  // before this join holds nothing else (nobody can send anything before the creator joins).
  return ctx.state.size === 1;
}

export function checkJoin(ctx: AuthContext): void {
  if (isCreatorsFirstJoin(ctx)) return;
  const target = eventStateKey(ctx.event);
  if (ctx.sender !== target) reject("member.join.sender_not_target", `${String(ctx.sender)} cannot join for ${String(target)}`);

  const current = ctx.state.membership(ctx.sender);
  if (current === "ban") reject("member.join.banned", `${String(ctx.sender)} is banned`);

  const rule = joinRule(ctx);
  if (isInviteLike(ctx, rule) && (current === "invite" || current === "join")) return;

  if (isRestricted(ctx, rule)) {
    if (current === "join" || current === "invite") return;
    const via = eventContent(ctx.event).join_authorised_via_users_server;
    const authoriser = typeof via === "string" ? via : undefined;
    if (authoriser === undefined || ctx.state.membership(authoriser) !== "join") {
      reject("member.join.authoriser_not_joined", `join_authorised_via_users_server ${JSON.stringify(via)} is not a joined member`);
    }
    if (powerOf(ctx, authoriser) < levelFor(ctx, "invite")) {
      reject("member.join.authoriser_cannot_invite", `${authoriser} may not invite`);
    }
    return;
  }

  if (rule === "public") return;
  if (isInviteLike(ctx, rule)) reject("member.join.not_invited", `join rule is ${String(rule)} and ${String(ctx.sender)} is ${current}`);
  reject("member.join.not_allowed", `join rule ${JSON.stringify(rule ?? null)} does not let ${String(ctx.sender)} join`);
}

export function checkKnock(ctx: AuthContext): void {
  const rule = joinRule(ctx);
  const knockable = rule === "knock" || (ctx.rules.authorization.knockRestricted && rule === "knock_restricted");
  if (!knockable) reject("member.knock.join_rule", `join rule ${JSON.stringify(rule ?? null)} does not allow knocking`);
  const target = eventStateKey(ctx.event);
  if (ctx.sender !== target) reject("member.knock.sender_not_target", `${String(ctx.sender)} cannot knock for ${String(target)}`);
  const current = ctx.state.membership(ctx.sender);
  if (current === "ban" || current === "invite" || current === "join") {
    reject("member.knock.already_member", `${String(ctx.sender)} is ${current}`);
  }
}

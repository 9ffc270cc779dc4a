/**
 * `m.room.member` (rule 5 in v1–5, rule 4 in v6–11, rule 5 in v12). Join and knock live in
 * join-rules.ts, third-party invites in third-party-invite.ts.
 */
import { levelFor, powerOf, type AuthContext } from "./context";
import { domainOf, eventContent, eventStateKey, hasStateKey, isObject, membershipOf } from "./event-fields";
import { checkJoin, checkKnock } from "./join-rules";
import { reject } from "./not-allowed";
import { checkThirdPartyInvite } from "./third-party-invite";

export function checkMember(ctx: AuthContext): void {
  const { event } = ctx;
  if (!hasStateKey(event) || eventStateKey(event) === undefined) reject("member.no_state_key", "member event has no state_key");
  const membership = membershipOf(event);
  if (membership === undefined) reject("member.no_membership", "content has no membership");

  if (ctx.rules.authorization.restrictedJoins) checkJoinAuthorisedViaSignature(ctx);

  switch (membership) {
    case "join":
      return checkJoin(ctx);
    case "invite":
      return checkInvite(ctx);
    case "leave":
      return checkLeave(ctx);
    case "ban":
      return checkBan(ctx);
    case "knock":
      if (ctx.rules.authorization.knocking) return checkKnock(ctx);
      break;
  }
  reject("member.unknown_membership", `unknown membership ${JSON.stringify(membership)}`);
}

/** v8+: an event naming `join_authorised_via_users_server` must be signed by that user's server. */
function checkJoinAuthorisedViaSignature(ctx: AuthContext): void {
  const content = eventContent(ctx.event);
  if (!("join_authorised_via_users_server" in content)) return;
  const via = content.join_authorised_via_users_server;
  const server = typeof via === "string" ? domainOf(via) : undefined;
  const signed = server !== undefined && (ctx.options.isSignedBy ?? hasSignatureFrom)(ctx.event, server);
  if (!signed) reject("member.join_authorised_via.unsigned", `not signed by the server of ${JSON.stringify(via)}`);
}

/** Default for `isSignedBy`: a signature from the server is present (verified on receipt). */
function hasSignatureFrom(event: object, server: string): boolean {
  const sigs = (event as Record<string, unknown>).signatures;
  const mine = isObject(sigs) ? sigs[server] : undefined;
  return isObject(mine) && Object.keys(mine).length > 0;
}

function checkInvite(ctx: AuthContext): void {
  if ("third_party_invite" in eventContent(ctx.event)) return checkThirdPartyInvite(ctx);
  const target = eventStateKey(ctx.event);
  if (ctx.state.membership(ctx.sender) !== "join") reject("member.invite.sender_not_joined", `${String(ctx.sender)} is not joined`);
  const targetMembership = ctx.state.membership(target);
  if (targetMembership === "join") reject("member.invite.target_joined", `${String(target)} is already joined`);
  if (targetMembership === "ban") reject("member.invite.target_banned", `${String(target)} is banned`);
  if (powerOf(ctx, ctx.sender) >= levelFor(ctx, "invite")) return;
  reject("member.invite.insufficient_power", `${String(ctx.sender)} is below the invite level`);
}

function checkLeave(ctx: AuthContext): void {
  const target = eventStateKey(ctx.event);
  const senderMembership = ctx.state.membership(ctx.sender);
  if (ctx.sender === target) {
    const mayLeave =
      senderMembership === "invite" ||
      senderMembership === "join" ||
      (ctx.rules.authorization.knocking && senderMembership === "knock");
    if (mayLeave) return;
    reject("member.leave.not_member", `${String(ctx.sender)} cannot leave from ${senderMembership}`);
  }
  if (senderMembership !== "join") reject("member.leave.sender_not_joined", `${String(ctx.sender)} is not joined`);
  const senderPower = powerOf(ctx, ctx.sender);
  if (ctx.state.membership(target) === "ban" && senderPower < levelFor(ctx, "ban")) {
    reject("member.leave.unban_needs_ban_level", `${String(ctx.sender)} is below the ban level`);
  }
  if (senderPower >= levelFor(ctx, "kick") && powerOf(ctx, target) < senderPower) return;
  reject("member.leave.insufficient_power", `${String(ctx.sender)} may not kick ${String(target)}`);
}

function checkBan(ctx: AuthContext): void {
  const target = eventStateKey(ctx.event);
  if (ctx.state.membership(ctx.sender) !== "join") reject("member.ban.sender_not_joined", `${String(ctx.sender)} is not joined`);
  const senderPower = powerOf(ctx, ctx.sender);
  if (senderPower >= levelFor(ctx, "ban") && powerOf(ctx, target) < senderPower) return;
  reject("member.ban.insufficient_power", `${String(ctx.sender)} may not ban ${String(target)}`);
}

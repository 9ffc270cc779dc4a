/**
 * Third-party invites: an `m.room.member` invite carrying `content.third_party_invite`
 * (rule "membership is invite", sub-rule 1) and the `m.room.third_party_invite` event itself.
 */
import { decodeBase64, isValidBase64 } from "../base64";
import { signedBytes, verifyBytes } from "../signing";
import { levelFor, powerOf, type AuthContext } from "./context";
import { eventContent, eventSender, eventStateKey, isObject, stringField, type JsonObject } from "./event-fields";
import { reject } from "./not-allowed";

export function checkThirdPartyInvite(ctx: AuthContext): void {
  const target = eventStateKey(ctx.event);
  if (ctx.state.membership(target) === "ban") reject("member.invite.third_party.target_banned", `${String(target)} is banned`);

  const tpi = eventContent(ctx.event).third_party_invite;
  const signed = isObject(tpi) ? tpi.signed : undefined;
  if (!isObject(signed)) reject("member.invite.third_party.no_signed", "third_party_invite has no signed block");

  const mxid = stringField(signed, "mxid");
  const token = stringField(signed, "token");
  if (mxid === undefined || token === undefined) reject("member.invite.third_party.no_mxid_or_token", "signed lacks mxid or token");
  if (mxid !== target) reject("member.invite.third_party.mxid_mismatch", `signed.mxid ${mxid} is not ${String(target)}`);

  const inviteEvent = ctx.state.get("m.room.third_party_invite", token);
  if (inviteEvent === undefined) reject("member.invite.third_party.no_invite_event", `no m.room.third_party_invite for token ${token}`);
  if (eventSender(inviteEvent) !== ctx.sender) {
    reject("member.invite.third_party.sender_mismatch", `${String(ctx.sender)} did not send the third-party invite`);
  }

  const verify = ctx.options.verifyThirdPartySigned ?? verifySignedBlock;
  if (publicKeysOf(inviteEvent).some((key) => verify(signed, key))) return;
  reject("member.invite.third_party.bad_signature", "no signature in signed matches the invite's public keys");
}

/** `content.public_key` and every `content.public_keys[].public_key`. */
function publicKeysOf(inviteEvent: object): string[] {
  const content = eventContent(inviteEvent);
  const keys: string[] = [];
  const single = stringField(content, "public_key");
  if (single !== undefined) keys.push(single);
  if (Array.isArray(content.public_keys)) {
    for (const entry of content.public_keys) {
      const key = stringField(entry, "public_key");
      if (key !== undefined) keys.push(key);
    }
  }
  return keys;
}

/**
 * Default `verifyThirdPartySigned`: any ed25519 signature in `signed.signatures` (any signer,
 * any key ID) that verifies with `publicKey` over the canonical JSON of `signed`.
 */
export function verifySignedBlock(signed: JsonObject, publicKey: string): boolean {
  if (!isValidBase64(publicKey)) return false;
  const key = decodeBase64(publicKey);
  let message: Uint8Array;
  try {
    message = signedBytes(signed);
  } catch {
    return false;
  }
  const signatures = signed.signatures;
  if (!isObject(signatures)) return false;
  for (const bySigner of Object.values(signatures)) {
    if (!isObject(bySigner)) continue;
    for (const [keyId, sig] of Object.entries(bySigner)) {
      if (!keyId.startsWith("ed25519:") || typeof sig !== "string" || !isValidBase64(sig)) continue;
      if (verifyBytes(message, decodeBase64(sig), key)) return true;
    }
  }
  return false;
}

/** `m.room.third_party_invite`: allowed if and only if the sender may invite. */
export function checkThirdPartyInviteEvent(ctx: AuthContext): void {
  if (powerOf(ctx, ctx.sender) >= levelFor(ctx, "invite")) return;
  reject("third_party_invite.insufficient_power", `${String(ctx.sender)} is below the invite level`);
}

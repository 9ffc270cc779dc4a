/**
 * m.room.member sent through PUT /rooms/{roomId}/state (spec: "like with other membership
 * changes, a user can directly adjust the target member's state" there). A user's own membership
 * (accepting or rejecting an invite, knocking, leaving) needs no joined sender: the auth rules
 * decide it. Content no membership could come from is a malformed request (400), not a refusal.
 */
import { isValidUserId, MatrixError } from "@dendrite-ts/protocol";
import type { RouteContext } from "./context";
import { memberProfile } from "./member-profile";

const MEMBERSHIPS = new Set(["join", "invite", "leave", "ban", "knock"]);

/** True when the event changes the sender's own membership, which a non-member may send. */
export function isOwnMembership(eventType: string, stateKey: string, sender: string): boolean {
  return eventType === "m.room.member" && stateKey === sender;
}

/** 400 for a member event whose state key is no user ID or whose membership is missing or unknown. */
export function checkMemberContent(stateKey: string, content: Record<string, unknown>): void {
  if (!isValidUserId(stateKey)) throw new MatrixError("M_INVALID_PARAM", `state key ${JSON.stringify(stateKey)} of m.room.member is not a user ID`);
  const m = content.membership;
  if (typeof m !== "string" || !MEMBERSHIPS.has(m)) {
    throw new MatrixError("M_BAD_JSON", "body.membership: must be one of join, invite, leave, ban, knock");
  }
}

/** Memberships whose event speaks for the target (joining, invited, knocking), so it shows them. */
const CARRIES_PROFILE = new Set(["join", "invite", "knock"]);

/**
 * The content with the target's profile where it has none (spec, "Events on Change of Profile
 * Information": events a homeserver emits for its own users should carry displayname and
 * avatar_url), as /join and /invite give; a key the client set, even to null, is kept.
 */
export async function withMemberProfile(ctx: Pick<RouteContext, "userapi" | "serverName">, stateKey: string, content: Record<string, unknown>): Promise<Record<string, unknown>> {
  // memberProfile adds nothing for another server's user.
  if (!CARRIES_PROFILE.has(content.membership as string)) return content;
  if ("displayname" in content && "avatar_url" in content) return content;
  return { ...(await memberProfile(ctx, stateKey)), ...content };
}

/**
 * m.room.member sent through PUT /rooms/{roomId}/state (spec: "like with other membership
 * changes, a user can directly adjust the target member's state" there). A user's own membership
 * (accepting or rejecting an invite, knocking, leaving) needs no joined sender: the auth rules
 * decide it. Content no membership could come from is a malformed request (400), not a refusal.
 */
import { isValidUserId, MatrixError } from "@dendrite-ts/protocol";

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

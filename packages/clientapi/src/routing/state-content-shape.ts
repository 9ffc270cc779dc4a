/**
 * The content checks a state event gets whether it comes through PUT /state or createRoom's
 * initial_state (checks needing the room — canonical aliases, power levels — differ between
 * the two and stay with each): required string fields, and a server ACL that would deny us.
 */
import { checkServerAclContent } from "./server-acl-content";
import { checkStringFields } from "./state-content-fields";

/** `where`: how an error names the content (the body of PUT /state, an initial_state entry). */
export function checkStateContentShape(serverName: string, eventType: string, content: Record<string, unknown>, where = "body"): void {
  checkStringFields(eventType, content, where);
  if (eventType === "m.room.server_acl") checkServerAclContent(serverName, content, where);
}

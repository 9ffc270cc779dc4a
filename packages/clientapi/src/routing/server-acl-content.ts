/**
 * PUT /state/m.room.server_acl (and createRoom's initial_state): an ACL that would deny this
 * server is refused (400 M_BAD_JSON).
 * Other servers would then refuse our requests for the room, and our users could no longer
 * reach it, so one careless edit (a typo in `deny`, or a missing `allow`, which the schema
 * warns "renders the room unusable") would be past undoing. The spec does not say what to do;
 * Synapse refuses such an event with 400 too. The ACL is evaluated as other servers would
 * (m.room.server_acl's rules): lists that are not arrays count as empty, entries that are not
 * strings match nothing, `allow_ip_literals` denies only when exactly `false`.
 */
import { MatrixError } from "@dendrite-ts/protocol";

/** `where`: how the error names the content (the body of PUT /state, an initial_state entry). */
export function checkServerAclContent(serverName: string, content: Record<string, unknown>, where = "body"): void {
  if (!aclAllows(content, serverName)) {
    throw new MatrixError("M_BAD_JSON", `${where}: this server access control list would deny ${serverName}, the server sending it`);
  }
}

function aclAllows(content: Record<string, unknown>, serverName: string): boolean {
  const host = hostOf(serverName);
  if (content.allow_ip_literals === false && isIpLiteral(host)) return false;
  if (patterns(content.deny).some((p) => p.test(host))) return false;
  return patterns(content.allow).some((p) => p.test(host));
}

/** Server name without its port (the ACL never considers ports). */
function hostOf(serverName: string): string {
  if (serverName.startsWith("[")) return serverName.slice(0, serverName.indexOf("]") + 1);
  const colon = serverName.lastIndexOf(":");
  return colon === -1 ? serverName : serverName.slice(0, colon);
}

function isIpLiteral(host: string): boolean {
  return host.startsWith("[") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/** Glob patterns (appendices: `*` any run, `?` one character), case-insensitive, whole name. */
function patterns(list: unknown): RegExp[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((p): p is string => typeof p === "string")
    .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "is"));
}

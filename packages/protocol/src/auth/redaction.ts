/**
 * v1–2 rule 11, `m.room.redaction`: a user at the redact level may redact anything; anyone else
 * only events whose (sender-chosen) event ID is on the redaction's own server.
 * From v3 the auth rules treat redactions like any other event.
 */
import { levelFor, powerOf, type AuthContext } from "./context";
import { redactsOf } from "../redaction-target";
import { domainOf, eventIdField } from "./event-fields";
import { reject } from "./not-allowed";

export function checkRedaction(ctx: AuthContext): void {
  if (powerOf(ctx, ctx.sender) >= levelFor(ctx, "redact")) return;
  const redacted = domainOf(redactsOf(ctx.event, ctx.rules));
  const own = domainOf(eventIdField(ctx.event));
  if (redacted !== undefined && redacted === own) return;
  reject("redaction.domain_mismatch", `below the redact level and ${String(redacted)} is not ${String(own)}`);
}

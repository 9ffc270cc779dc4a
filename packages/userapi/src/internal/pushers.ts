/**
 * Pushers (client-server "Push Notifications", POST /pushers/set and GET /pushers): stored per
 * user under (app_id, pushkey) and tied to the device that set them, so they go when that
 * device is deleted or logged out. Nothing is sent to push gateways yet: that needs the
 * notification counting, which is off by default.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { PusherRow } from "../storage";
import type { Ctx } from "./context";
import { localpartOf } from "./user-ids";

export interface Pusher {
  appId: string;
  pushkey: string;
  kind: string;
  appDisplayName: string;
  deviceDisplayName: string;
  profileTag?: string | undefined;
  lang: string;
  data: Record<string, unknown>;
}

/** pusher.yaml's limits: app_id "Max length, 64 chars", pushkey "Max length, 512 bytes". */
const MAX_APP_ID_CHARS = 64;
const MAX_PUSHKEY_BYTES = 512;
/** The one path a push gateway's notify endpoint has (data.url "MUST be an HTTPS URL with a path of …"). */
const NOTIFY_PATH = "/_matrix/push/v1/notify";

function invalid(message: string): MatrixError {
  return new MatrixError("M_INVALID_PARAM", message);
}

function checkIdentity(appId: string, pushkey: string): void {
  if (appId.length === 0 || [...appId].length > MAX_APP_ID_CHARS) throw invalid(`app_id must be 1 to ${MAX_APP_ID_CHARS} characters`);
  if (pushkey.length === 0 || Buffer.byteLength(pushkey, "utf8") > MAX_PUSHKEY_BYTES) {
    throw invalid(`pushkey must be 1 to ${MAX_PUSHKEY_BYTES} bytes`);
  }
}

/** `http` needs data.url, an https URL of the notify path; `format` is absent or event_id_only. */
function checkHttpData(data: Record<string, unknown>): void {
  const url = data["url"];
  if (url === undefined) throw new MatrixError("M_MISSING_PARAM", "data.url is required for an http pusher");
  if (typeof url !== "string") throw invalid("data.url must be a string");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid("data.url is not a URL");
  }
  if (parsed.protocol !== "https:") throw invalid("data.url must be an https URL");
  if (parsed.pathname !== NOTIFY_PATH) throw invalid(`data.url must have the path ${NOTIFY_PATH}`);
  const format = data["format"];
  if (format !== undefined && format !== "event_id_only") throw invalid('data.format must be "event_id_only" when present');
}

function checkPusher(p: Pusher): void {
  checkIdentity(p.appId, p.pushkey);
  if (p.kind === "http") return checkHttpData(p.data);
  // An email pusher mails an address bound to the account; this server binds none (3PID changes are off).
  if (p.kind === "email") throw new MatrixError("M_THREEPID_NOT_FOUND", "That email address is not bound to this account");
  throw invalid(`Unknown pusher kind ${JSON.stringify(p.kind)}; expected "http", "email" or null`);
}

/** Postgres foreign_key_violation: the device went between authentication and the insert. */
function isForeignKeyViolation(e: unknown): boolean {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    if ((c as { code?: string }).code === "23503") return true;
  }
  return false;
}

/**
 * Creates or replaces the user's pusher for (appId, pushkey), now owned by `deviceId`. Without
 * `append`, the same (appId, pushkey) of every other user is removed, in the same transaction.
 */
export async function setPusher(
  ctx: Ctx,
  input: { userId: string; deviceId: string; pusher: Pusher; append?: boolean | undefined },
): Promise<void> {
  checkPusher(input.pusher);
  const localpart = localpartOf(input.userId, ctx.serverName);
  const p = input.pusher;
  const row: PusherRow = {
    localpart,
    appId: p.appId,
    pushkey: p.pushkey,
    deviceId: input.deviceId,
    kind: p.kind,
    appDisplayName: p.appDisplayName,
    deviceDisplayName: p.deviceDisplayName,
    profileTag: p.profileTag ?? null,
    lang: p.lang,
    data: p.data,
    createdTs: ctx.now(),
  };
  try {
    await ctx.store.transaction(async (tx) => {
      if (!input.append) await tx.pushers.deleteForOtherUsers(localpart, p.appId, p.pushkey);
      await tx.pushers.upsert(row);
    });
  } catch (e) {
    if (isForeignKeyViolation(e)) throw new MatrixError("M_UNKNOWN_TOKEN", "The device has been logged out", { soft_logout: false });
    throw e;
  }
}

/** `kind: null`: removes the user's pusher; removing one that does not exist succeeds. */
export async function deletePusher(ctx: Ctx, input: { userId: string; appId: string; pushkey: string }): Promise<void> {
  await ctx.store.pushers.delete(localpartOf(input.userId, ctx.serverName), input.appId, input.pushkey);
}

export async function listPushers(ctx: Ctx, userId: string): Promise<Pusher[]> {
  const rows = await ctx.store.pushers.selectAll(localpartOf(userId, ctx.serverName));
  return rows.map((r) => ({
    appId: r.appId,
    pushkey: r.pushkey,
    kind: r.kind,
    appDisplayName: r.appDisplayName,
    deviceDisplayName: r.deviceDisplayName,
    ...(r.profileTag !== null ? { profileTag: r.profileTag } : {}),
    lang: r.lang,
    data: r.data,
  }));
}

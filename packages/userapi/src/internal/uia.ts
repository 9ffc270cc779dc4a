// The User-Interactive Authentication engine (client-server API, "User-Interactive
// Authentication API"): sessions, flows, params, completed stages, and the exact 401 body.
// clientapi calls `userInteractiveAuth` with the request's `auth` dict; it answers either
// "done" (go on with the request) or the challenge to send back with status 401.
import { MatrixError } from "@dendrite-ts/protocol";
import type { UiaSessionRow, UserapiTables } from "../storage";
import type { Ctx } from "./context";
import { checkCredentials, type PasswordCredentials } from "./login";
import { checkTokenUsable } from "./registration-tokens";
import { newOpaqueId } from "./secrets";
import { localpartOf } from "./user-ids";

export const UIA_PURPOSES = ["register", "delete_devices", "change_password", "deactivate", "upload_signing_keys"] as const;
export type UiaPurpose = (typeof UIA_PURPOSES)[number];

export const STAGE_DUMMY = "m.login.dummy";
export const STAGE_PASSWORD = "m.login.password";
export const STAGE_REGISTRATION_TOKEN = "m.login.registration_token";

/** A session outlives an abandoned registration by this much; its token use is then freed. */
export const UIA_SESSION_LIFETIME_MS = 60 * 60 * 1000;

export interface UiaFlow {
  stages: string[];
}

/** The body of the 401 response, exactly as the spec lays it out. */
export interface UiaChallenge {
  flows: UiaFlow[];
  params: Record<string, Record<string, unknown>>;
  session: string;
  completed?: string[];
  errcode?: string;
  error?: string;
}

export type AuthDict = { type?: string | undefined; session?: string | undefined } & Record<string, unknown>;

export interface UiaInput {
  purpose: UiaPurpose;
  /** The authenticated requester; required for every purpose but `register`. */
  userId?: string | undefined;
  /** The request's `auth` dict; omitted on the first request. */
  auth?: AuthDict | undefined;
}

export type UiaResult = { done: true; session: string; completed: string[] } | { done: false; challenge: UiaChallenge };

export function flowsFor(ctx: Ctx, purpose: UiaPurpose): UiaFlow[] {
  if (purpose !== "register") return [{ stages: [STAGE_PASSWORD] }];
  const flows: UiaFlow[] = [];
  if (ctx.registration.open) flows.push({ stages: [STAGE_DUMMY] });
  if (ctx.registration.tokensEnabled) flows.push({ stages: [STAGE_REGISTRATION_TOKEN] });
  if (flows.length === 0) throw new MatrixError("M_FORBIDDEN", "Registration is disabled on this server");
  return flows;
}

function startsWith(completed: string[], stages: string[]): boolean {
  return stages.every((s, i) => completed[i] === s);
}

function isDone(flows: UiaFlow[], completed: string[]): boolean {
  return flows.some((f) => completed.length >= f.stages.length && startsWith(completed, f.stages));
}

/** Stages that may come next: the following stage of every flow consistent with `completed`. */
function nextStages(flows: UiaFlow[], completed: string[]): Set<string> {
  const next = new Set<string>();
  for (const f of flows) {
    const s = f.stages[completed.length];
    if (s !== undefined && startsWith(f.stages, completed)) next.add(s);
  }
  return next;
}

function challenge(flows: UiaFlow[], session: UiaSessionRow, err?: MatrixError): UiaResult {
  const body: UiaChallenge = { flows, params: {}, session: session.sessionId };
  if (session.completed.length > 0) body.completed = [...session.completed];
  if (err) Object.assign(body, { errcode: err.errcode, error: err.message });
  return { done: false, challenge: body };
}

async function loadSession(ctx: Ctx, tx: UserapiTables, input: UiaInput, localpart: string | null, id: string) {
  const s = await tx.uiaSessions.select(id, true);
  if (!s || s.createdTs < ctx.now() - UIA_SESSION_LIFETIME_MS) throw new MatrixError("M_UNKNOWN", `Unknown session ID: ${id}`);
  // A session authorises one kind of request for one user: it never crosses over.
  if (s.purpose !== input.purpose || s.localpart !== localpart) {
    throw new MatrixError("M_FORBIDDEN", "Requested operation has changed during the UI authentication session");
  }
  return s;
}

async function newSession(ctx: Ctx, tx: UserapiTables, input: UiaInput, localpart: string | null): Promise<UiaSessionRow> {
  const now = ctx.now();
  await tx.uiaSessions.deleteOlderThan(now - UIA_SESSION_LIFETIME_MS);
  const row: UiaSessionRow = { sessionId: newOpaqueId(), purpose: input.purpose, localpart, completed: [], registrationToken: null, createdTs: now };
  await tx.uiaSessions.insert(row);
  return row;
}

/** Checks that don't touch the session's rows; run before the transaction (scrypt is slow). */
async function precheck(ctx: Ctx, auth: AuthDict, localpart: string | null): Promise<MatrixError | undefined> {
  if (auth.type !== STAGE_PASSWORD) return undefined;
  try {
    if (typeof auth.password !== "string") throw new MatrixError("M_MISSING_PARAM", "password is required");
    const account = await checkCredentials(ctx, auth as unknown as PasswordCredentials);
    if (account.localpart !== localpart) throw new MatrixError("M_FORBIDDEN", "Invalid password");
    return undefined;
  } catch (e) {
    if (e instanceof MatrixError) return e.errcode === "M_FORBIDDEN" ? new MatrixError("M_FORBIDDEN", "Invalid password") : e;
    throw e;
  }
}

/** Runs the stage's checks that need the session's transaction; an error means "try again". */
async function attemptStage(ctx: Ctx, tx: UserapiTables, s: UiaSessionRow, auth: AuthDict): Promise<MatrixError | undefined> {
  switch (auth.type) {
    case STAGE_DUMMY:
    case STAGE_PASSWORD:
      return undefined;
    case STAGE_REGISTRATION_TOKEN: {
      if (typeof auth.token !== "string") return new MatrixError("M_MISSING_PARAM", "token is required");
      if (!(await checkTokenUsable(ctx, tx, auth.token, true))) return new MatrixError("M_FORBIDDEN", "Invalid registration token");
      s.registrationToken = auth.token;
      return undefined;
    }
    default:
      return new MatrixError("M_UNRECOGNIZED", `Unsupported authentication type ${JSON.stringify(auth.type)}`);
  }
}

export async function userInteractiveAuth(ctx: Ctx, input: UiaInput): Promise<UiaResult> {
  const flows = flowsFor(ctx, input.purpose);
  if (input.purpose !== "register" && input.userId === undefined) {
    throw new MatrixError("M_MISSING_PARAM", `userId is required for ${input.purpose}`);
  }
  const localpart = input.userId === undefined ? null : localpartOf(input.userId, ctx.serverName);
  const auth = input.auth;
  const preErr = auth?.type ? await precheck(ctx, auth, localpart) : undefined;

  return ctx.store.transaction(async (tx) => {
    const s = auth?.session ? await loadSession(ctx, tx, input, localpart, auth.session) : await newSession(ctx, tx, input, localpart);
    // No auth at all: the request "never succeeds without auth", even when a flow is done.
    if (!auth) return challenge(flows, s);
    if (!auth.type || s.completed.includes(auth.type) || isDone(flows, s.completed)) {
      return isDone(flows, s.completed) ? { done: true, session: s.sessionId, completed: [...s.completed] } : challenge(flows, s);
    }
    if (!nextStages(flows, s.completed).has(auth.type)) {
      return challenge(flows, s, new MatrixError("M_FORBIDDEN", `${auth.type} is not the next stage of any flow`));
    }
    const err = preErr ?? (await attemptStage(ctx, tx, s, auth));
    if (err) return challenge(flows, s, err);
    s.completed = [...s.completed, auth.type];
    await tx.uiaSessions.update(s.sessionId, { completed: s.completed, registrationToken: s.registrationToken });
    return isDone(flows, s.completed) ? { done: true, session: s.sessionId, completed: [...s.completed] } : challenge(flows, s);
  });
}

/**
 * Spends a completed `register` session inside the account-creating transaction: the
 * registration token's pending use becomes a completed one, and the session is gone.
 */
export async function consumeRegistrationSession(ctx: Ctx, tx: UserapiTables, sessionId: string): Promise<void> {
  const s = await tx.uiaSessions.select(sessionId, true);
  if (!s || s.purpose !== "register" || s.createdTs < ctx.now() - UIA_SESSION_LIFETIME_MS) {
    throw new MatrixError("M_FORBIDDEN", "No completed registration session");
  }
  if (!isDone(flowsFor(ctx, "register"), s.completed)) throw new MatrixError("M_FORBIDDEN", "Registration authentication is not complete");
  if (s.registrationToken !== null) await tx.registrationTokens.incrementCompleted(s.registrationToken);
  await tx.uiaSessions.delete(sessionId);
}

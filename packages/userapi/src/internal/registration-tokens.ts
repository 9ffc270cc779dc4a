// Registration tokens (spec: "Token-authenticated registration"): creation, validity, listing.
import { MatrixError } from "@dendrite-ts/protocol";
import type { RegistrationTokenRow, UserapiTables } from "../storage";
import type { Ctx } from "./context";
import { newOpaqueId } from "./secrets";
import { UIA_SESSION_LIFETIME_MS } from "./uia";

/** The spec: opaque identifier grammar, at most 64 characters. */
const TOKEN = /^[A-Za-z0-9._~-]{1,64}$/;

export interface RegistrationTokenInfo extends RegistrationTokenRow {
  /** Uses held by registrations in progress. */
  pending: number;
}

/**
 * Usable = exists, not expired, and completed + pending uses below the allowance.
 * With `lock`, the token row stays locked until the caller's transaction ends, so two
 * registrations cannot both take the last use.
 */
export async function checkTokenUsable(ctx: Ctx, tx: UserapiTables, token: string, lock = false): Promise<boolean> {
  if (!TOKEN.test(token)) return false;
  const row = await tx.registrationTokens.select(token, lock);
  if (!row) return false;
  const now = ctx.now();
  if (row.expiryTs !== null && row.expiryTs <= now) return false;
  if (row.usesAllowed === null) return true;
  const pending = await tx.registrationTokens.countPending(token, now - UIA_SESSION_LIFETIME_MS);
  return row.completed + pending < row.usesAllowed;
}

/** `GET /register/m.login.registration_token/validity`. */
export async function registrationTokenValidity(ctx: Ctx, token: string): Promise<{ valid: boolean }> {
  if (!ctx.registration.tokensEnabled) throw new MatrixError("M_FORBIDDEN", "Registration tokens are not enabled");
  return { valid: await checkTokenUsable(ctx, ctx.store, token) };
}

export interface CreateTokenInput {
  /** Omitted: a random 16-character token. */
  token?: string | undefined;
  usesAllowed?: number | null | undefined;
  expiryTs?: number | null | undefined;
}

export async function createRegistrationToken(ctx: Ctx, input: CreateTokenInput): Promise<RegistrationTokenRow> {
  const token = input.token ?? newOpaqueId(12);
  if (!TOKEN.test(token)) throw new MatrixError("M_INVALID_PARAM", "A token is 1–64 characters of [A-Za-z0-9._~-]");
  const row: RegistrationTokenRow = {
    token,
    usesAllowed: input.usesAllowed ?? null,
    completed: 0,
    expiryTs: input.expiryTs ?? null,
    createdTs: ctx.now(),
  };
  if (!(await ctx.store.registrationTokens.insert(row))) throw new MatrixError("M_INVALID_PARAM", "The token already exists");
  return row;
}

export async function listRegistrationTokens(ctx: Ctx): Promise<RegistrationTokenInfo[]> {
  const liveSince = ctx.now() - UIA_SESSION_LIFETIME_MS;
  const rows = await ctx.store.registrationTokens.selectAll();
  return Promise.all(rows.map(async (r) => ({ ...r, pending: await ctx.store.registrationTokens.countPending(r.token, liveSince) })));
}

export async function deleteRegistrationToken(ctx: Ctx, token: string): Promise<void> {
  if (!(await ctx.store.registrationTokens.delete(token))) throw new MatrixError("M_NOT_FOUND", "No such registration token");
}

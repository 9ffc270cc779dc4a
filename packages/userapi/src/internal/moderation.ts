// Account moderation (spec "Account moderation"): an admin locks or suspends an account, and
// lifts it again. Who may do so is the caller's decision (clientapi's admin routes); here the
// flags are set, and the store's report drops the user's cached tokens so the very next request
// sees the change.
import { MatrixError } from "@dendrite-ts/protocol";
import type { Ctx } from "./context";
import { localpartOf } from "./user-ids";

export interface ModerationFlags {
  locked: boolean;
  suspended: boolean;
}

/** Sets the flags given (omitted ones stay); M_NOT_FOUND for an unknown or deactivated account. */
export async function setAccountModeration(
  ctx: Ctx,
  input: { userId: string; locked?: boolean | undefined; suspended?: boolean | undefined },
): Promise<ModerationFlags> {
  const localpart = localpartOf(input.userId, ctx.serverName);
  return ctx.store.transaction(async (tx) => {
    const account = await tx.accounts.select(localpart, true);
    if (!account || account.deactivated) throw new MatrixError("M_NOT_FOUND", `No such user ${input.userId}`);
    const flags = {
      ...(input.locked !== undefined ? { locked: input.locked } : {}),
      ...(input.suspended !== undefined ? { suspended: input.suspended } : {}),
    };
    await tx.accounts.setModeration(localpart, flags);
    return { locked: account.locked, suspended: account.suspended, ...flags };
  });
}

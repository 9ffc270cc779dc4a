// Account data, global and per room. Every change gets a stream position and an
// OutputClientData message through the outbox, in the same transaction.
import { MatrixError } from "@dendrite-ts/protocol";
import type { UserapiTables } from "../storage";
import { clientDataMsgId, clientDataSubject, type OutputClientData } from "../output";
import type { Ctx } from "./context";
import { localpartOf } from "./user-ids";

export interface AccountDataEntry {
  roomId: string | null;
  type: string;
  content: Record<string, unknown>;
  streamPos: number;
}

/** Writes one entry and queues its message; the caller's transaction commits both. */
export async function writeAccountData(
  ctx: Ctx,
  tx: UserapiTables,
  userId: string,
  roomId: string | null,
  type: string,
  content: Record<string, unknown>,
): Promise<number> {
  const localpart = localpartOf(userId, ctx.serverName);
  const streamPos = await tx.accountData.upsert(localpart, roomId, type, content);
  const msg: OutputClientData = { kind: "account_data", userId, roomId, type, content, streamPos };
  await tx.outbox.insert(clientDataSubject(userId), clientDataMsgId(msg), msg);
  return streamPos;
}

async function requireAccount(ctx: Ctx, tx: UserapiTables, userId: string, lock: boolean): Promise<void> {
  if (!(await tx.accounts.select(localpartOf(userId, ctx.serverName), lock))) {
    throw new MatrixError("M_NOT_FOUND", `No such user ${userId}`);
  }
}

export async function setAccountData(
  ctx: Ctx,
  input: { userId: string; roomId?: string | null | undefined; type: string; content: Record<string, unknown> },
): Promise<{ streamPos: number }> {
  const streamPos = await ctx.store.transaction(async (tx) => {
    // Locking the account serialises one user's changes, so their outbox order is commit order.
    await requireAccount(ctx, tx, input.userId, true);
    return writeAccountData(ctx, tx, input.userId, input.roomId ?? null, input.type, input.content);
  });
  await ctx.outbox.flush();
  return { streamPos };
}

export async function getAccountData(
  ctx: Ctx,
  input: { userId: string; roomId?: string | null | undefined; type: string },
): Promise<{ content: Record<string, unknown> }> {
  const row = await ctx.store.accountData.select(localpartOf(input.userId, ctx.serverName), input.roomId ?? null, input.type);
  if (!row) throw new MatrixError("M_NOT_FOUND", "Account data not found");
  return { content: row.content };
}

/** For sync: entries changed after `since` (0 = all), up to `upTo` when given, oldest first. */
export async function accountDataSince(
  ctx: Ctx,
  input: { userId: string; since: number; upTo?: number | undefined },
): Promise<{ entries: AccountDataEntry[]; maxStreamPos: number }> {
  const [entries, maxStreamPos] = await Promise.all([
    ctx.store.accountData.selectChanged(localpartOf(input.userId, ctx.serverName), input.since, input.upTo),
    ctx.store.accountData.maxStreamPos(),
  ]);
  return { entries, maxStreamPos };
}

// ---- Room tags: the `m.tag` per-room account data event, edited one tag at a time.

const TAG_EVENT = "m.tag";
const MAX_TAG_BYTES = 255;

export type Tags = Record<string, Record<string, unknown>>;

function tagsOf(content: Record<string, unknown> | undefined): Tags {
  const tags = content?.tags;
  return tags && typeof tags === "object" && !Array.isArray(tags) ? { ...(tags as Tags) } : {};
}

export async function getTags(ctx: Ctx, input: { userId: string; roomId: string }): Promise<{ tags: Tags }> {
  const row = await ctx.store.accountData.select(localpartOf(input.userId, ctx.serverName), input.roomId, TAG_EVENT);
  return { tags: tagsOf(row?.content) };
}

async function editTags(ctx: Ctx, userId: string, roomId: string, edit: (tags: Tags) => boolean): Promise<void> {
  const changed = await ctx.store.transaction(async (tx) => {
    // The account row lock serialises edits even when no m.tag row exists yet.
    await requireAccount(ctx, tx, userId, true);
    const row = await tx.accountData.select(localpartOf(userId, ctx.serverName), roomId, TAG_EVENT, true);
    const tags = tagsOf(row?.content);
    if (!edit(tags)) return false;
    await writeAccountData(ctx, tx, userId, roomId, TAG_EVENT, { tags });
    return true;
  });
  if (changed) await ctx.outbox.flush();
}

export async function setTag(
  ctx: Ctx,
  input: { userId: string; roomId: string; tag: string; content: Record<string, unknown> },
): Promise<void> {
  if (Buffer.byteLength(input.tag, "utf8") > MAX_TAG_BYTES) {
    throw new MatrixError("M_INVALID_PARAM", `A tag name must not exceed ${MAX_TAG_BYTES} bytes`);
  }
  await editTags(ctx, input.userId, input.roomId, (tags) => {
    tags[input.tag] = input.content;
    return true;
  });
}

export async function deleteTag(ctx: Ctx, input: { userId: string; roomId: string; tag: string }): Promise<void> {
  await editTags(ctx, input.userId, input.roomId, (tags) => {
    if (!(input.tag in tags)) return false;
    delete tags[input.tag];
    return true;
  });
}

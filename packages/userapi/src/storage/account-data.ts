// Queries on userapi.account_data. Every write takes a fresh position from one sequence, so
// "changes since N" is a range scan and a position names exactly one change.
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "./db";
import { accountData } from "./schema";

/** room_id '' stands for global account data in the table; callers see null. */
const GLOBAL = "";

export interface AccountDataRow {
  roomId: string | null;
  type: string;
  content: Record<string, unknown>;
  streamPos: number;
}

function toRow(r: { roomId: string; type: string; content: Record<string, unknown>; streamPos: number }): AccountDataRow {
  return { roomId: r.roomId === GLOBAL ? null : r.roomId, type: r.type, content: r.content, streamPos: r.streamPos };
}

export function accountDataQueries(db: Db) {
  return {
    /** Upserts one entry; returns its new stream position. */
    async upsert(localpart: string, roomId: string | null, type: string, content: Record<string, unknown>): Promise<number> {
      const pos = sql<number>`nextval('userapi.account_data_stream_pos')`;
      const [r] = await db
        .insert(accountData)
        .values({ localpart, roomId: roomId ?? GLOBAL, type, content, streamPos: pos })
        .onConflictDoUpdate({
          target: [accountData.localpart, accountData.roomId, accountData.type],
          set: { content, streamPos: pos },
        })
        .returning({ streamPos: accountData.streamPos });
      return Number(r!.streamPos);
    },

    /** Reads one entry; `forUpdate` locks it for a read-modify-write (tags). */
    async select(localpart: string, roomId: string | null, type: string, forUpdate = false): Promise<AccountDataRow | undefined> {
      const q = db
        .select()
        .from(accountData)
        .where(and(eq(accountData.localpart, localpart), eq(accountData.roomId, roomId ?? GLOBAL), eq(accountData.type, type)));
      const [r] = forUpdate ? await q.for("update") : await q;
      return r ? toRow(r) : undefined;
    },

    /** Entries changed in (since, upTo], oldest first; since = 0 gives everything. */
    async selectChanged(localpart: string, since: number, upTo?: number): Promise<AccountDataRow[]> {
      const conds = [eq(accountData.localpart, localpart), gt(accountData.streamPos, since)];
      if (upTo !== undefined) conds.push(lte(accountData.streamPos, upTo));
      const rows = await db.select().from(accountData).where(and(...conds)).orderBy(asc(accountData.streamPos));
      return rows.map(toRow);
    },

    async maxStreamPos(): Promise<number> {
      const [r] = await db.select({ m: sql<string | null>`max(${accountData.streamPos})` }).from(accountData);
      return Number(r?.m ?? 0);
    },
  };
}

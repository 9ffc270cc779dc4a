/** Queries on `lazy_loaded_members`: which member events each device already has. */
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "./db";
import { lazyLoadedMembers as t } from "./schema";

/** member user ID → the member event ID the device was sent. */
export async function sentMembers(db: Executor, userId: string, deviceId: string, roomId: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ memberId: t.memberId, eventId: t.eventId })
    .from(t)
    .where(and(eq(t.userId, userId), eq(t.deviceId, deviceId), eq(t.roomId, roomId)));
  return new Map(rows.map((r) => [r.memberId, r.eventId]));
}

export async function recordSentMembers(db: Executor, userId: string, deviceId: string, roomId: string, members: ReadonlyMap<string, string>): Promise<void> {
  if (members.size === 0) return;
  await db
    .insert(t)
    .values([...members].map(([memberId, eventId]) => ({ userId, deviceId, roomId, memberId, eventId })))
    .onConflictDoUpdate({ target: [t.userId, t.deviceId, t.roomId, t.memberId], set: { eventId: sql`excluded.event_id` } });
}

/**
 * Memberships and invites follow the current state: every m.room.member event that becomes
 * current updates the user's row; an invite for one of our users is recorded (new_invite), and
 * any other membership retires the user's pending invites (retire_invite).
 */
import type { NewInviteOutput, RetireInviteOutput } from "../../output";
import type { RoomserverStore, StateEntry } from "../../storage";
import { serverOf, type RoomserverContext } from "../context";
import type { StoredEvent } from "../events";
import { searchKey } from "../search-words";

/**
 * The member events among `adds`, loaded before the transaction opens: inside it only its own
 * connection is used, so a busy pool can never leave a transaction waiting for a second one.
 */
export async function memberEventsOf(
  ctx: RoomserverContext,
  adds: readonly StateEntry[],
  memberTypeNid: number | undefined,
  known: ReadonlyMap<number, StoredEvent>,
): Promise<{ entry: StateEntry; ev: StoredEvent }[]> {
  if (memberTypeNid === undefined) return [];
  const memberAdds = adds.filter((e) => e.typeNid === memberTypeNid);
  if (memberAdds.length === 0) return [];
  const loaded = await ctx.events.byNids(memberAdds.map((e) => e.eventNid).filter((n) => !known.has(n)));
  return memberAdds.flatMap((entry) => {
    const ev = known.get(entry.eventNid) ?? loaded.get(entry.eventNid);
    return ev && ev.stateKey !== undefined ? [{ entry, ev }] : [];
  });
}

/** In the transaction: membership rows, invites recorded or retired, and their outputs. */
export async function applyMembershipChanges(
  ctx: RoomserverContext,
  tx: RoomserverStore,
  room: { roomNid: number; roomId: string; roomVersion: string },
  members: readonly { entry: StateEntry; ev: StoredEvent }[],
): Promise<(NewInviteOutput | RetireInviteOutput)[]> {
  const outputs: (NewInviteOutput | RetireInviteOutput)[] = [];
  const rows = [];
  for (const { entry, ev } of members) {
    if (ev.stateKey === undefined) continue;
    const content = ev.pdu.content as { membership?: unknown; displayname?: unknown; avatar_url?: unknown };
    const membership = String(content.membership ?? "leave");
    const targetLocal = serverOf(ev.stateKey) === ctx.serverName;
    rows.push({ roomNid: room.roomNid, targetNid: entry.stateKeyNid, targetLocal, membership, eventNid: ev.nid, sender: ev.sender, ...(membership === "join" ? directoryProfile(ev.stateKey, content) : {}) });
    if (membership === "invite") {
      if (targetLocal && (await tx.insertInvite({ inviteEventId: ev.id, roomNid: room.roomNid, targetNid: entry.stateKeyNid, sender: ev.sender, inviteJson: JSON.stringify(ev.pdu) }))) {
        outputs.push({ kind: "new_invite", roomId: room.roomId, roomVersion: room.roomVersion, event: ev.pdu, eventId: ev.id, targetUserId: ev.stateKey });
      }
    } else {
      for (const inviteId of await tx.retireInvites(room.roomNid, entry.stateKeyNid)) {
        outputs.push({ kind: "retire_invite", roomId: room.roomId, eventId: inviteId, targetUserId: ev.stateKey, retiredByEventId: ev.id, membership });
      }
    }
  }
  await tx.upsertMemberships(rows);
  return outputs;
}

/** What the user directory shows and searches of a joined member: the names their join carries. */
function directoryProfile(userId: string, content: { displayname?: unknown; avatar_url?: unknown }) {
  const displayName = typeof content.displayname === "string" && content.displayname !== "" ? content.displayname : undefined;
  const avatarUrl = typeof content.avatar_url === "string" && content.avatar_url !== "" ? content.avatar_url : undefined;
  return { displayName: displayName ?? null, avatarUrl: avatarUrl ?? null, searchKey: searchKey(userId, displayName) };
}

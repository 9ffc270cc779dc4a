/**
 * One /sync response between `since` (absent: initial) and `now`: which rooms go in join,
 * invite and leave, from the user's memberships by position; account data by its own position.
 */
import type { InviteRow, Positions, SyncOverview, SyncStore } from "../storage";
import { formatEvent, strippedEvent, type Viewer } from "./client-event";
import { applyEventFields } from "./event-fields";
import { viewerWithMembership } from "./membership-at";
import { strippedStateAt } from "./stripped-state";
import { eventMatches, roomAllowed, type Filter } from "./filter";
import { readEphemeral, type TypingSource } from "./ephemeral";
import { readToDevice } from "./to-device";
import { readPresence, type PresenceSource } from "./presence-section";
import { buildRoomSection, fullSpec } from "./room-section";
import { formatSyncToken, formatTopoToken, type SyncPositions } from "./tokens";

export interface SyncInput {
  viewer: Viewer & { deviceId: string };
  /** At most overview.now (the receipt and typing positions may be ahead: they count as now). */
  since?: SyncPositions;
  fullState: boolean;
  /** Join sections carry state_after (the state at the end of the timeline) instead of state. */
  useStateAfter: boolean;
  filter: Filter;
  /** The user's memberships, account data, invites and rooms with news, as of the positions it read (storage hot-path syncOverview). */
  overview: SyncOverview;
  /** Who is typing where (this process's memory). */
  typing: TypingSource;
  /** Local users' presence (this process's memory). */
  presence: PresenceSource;
}

type Json = Record<string, unknown>;

export interface SyncResponse {
  next_batch: string;
  rooms: { join: Record<string, Json>; invite: Record<string, Json>; leave: Record<string, Json>; knock: Record<string, Json> };
  account_data: { events: Json[] };
  presence: { events: Json[] };
  to_device: { events: Json[] };
  device_lists: { changed: string[]; left: string[] };
  device_one_time_keys_count: Record<string, number>;
}

/** Rooms built concurrently. */
const ROOMS_AT_ONCE = 4;

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** A response with nothing in it, up to `now`. */
export function emptySyncResponse(now: SyncPositions): SyncResponse {
  return {
    next_batch: formatSyncToken(now),
    rooms: { join: {}, invite: {}, leave: {}, knock: {} },
    account_data: { events: [] },
    presence: { events: [] },
    to_device: { events: [] },
    device_lists: { changed: [], left: [] },
    device_one_time_keys_count: {},
  };
}

export function isEmptySync(r: SyncResponse): boolean {
  const { join, invite, leave, knock } = r.rooms;
  return (
    Object.keys(join).length + Object.keys(invite).length + Object.keys(leave).length + Object.keys(knock).length === 0 &&
    r.account_data.events.length === 0 &&
    r.presence.events.length === 0 &&
    r.to_device.events.length === 0
  );
}

export async function buildSync(store: SyncStore, input: SyncInput): Promise<SyncResponse> {
  const { viewer, filter, overview } = input;
  const userId = viewer.userId;
  const initial = input.since === undefined;
  const after: Positions = input.since ?? { room: 0, accountData: 0 };
  const roomOk = (roomId: string) => roomAllowed(filter.room, roomId);
  // Typing and receipts of the joined rooms; all of them for rooms new to the client.
  const joinedNow = overview.memberships.filter((m) => m.membership === "join" && roomOk(m.roomId));
  const [ephemeral, toDevice, presence] = await Promise.all([
    readEphemeral(store, input.typing, {
      userId,
      ignored: viewer.ignored,
      since: input.since,
      joined: joinedNow.map((m) => m.roomId),
      newRooms: new Set(joinedNow.filter((m) => initial || (m.pos > after.room && overview.membershipsBefore.get(m.roomId) !== "join")).map((m) => m.roomId)),
      filter,
    }),
    readToDevice(store, { userId, deviceId: viewer.deviceId, since: input.since?.toDevice ?? 0 }),
    readPresence(store, input.presence, {
      userId,
      ignored: viewer.ignored,
      since: input.since?.presence,
      joined: overview.memberships.filter((m) => m.membership === "join").map((m) => m.roomId),
      newRooms: overview.memberships.filter((m) => m.membership === "join" && m.pos > after.room && overview.membershipsBefore.get(m.roomId) !== "join").map((m) => m.roomId),
      filter,
    }),
  ]);
  const now: SyncPositions = { ...overview.now, receipt: ephemeral.receiptPos, typing: ephemeral.typingPos, toDevice: toDevice.pos, presence: presence.pos };
  const res = emptySyncResponse(now);
  res.to_device.events = toDevice.events;
  res.presence.events = presence.events;

  const nowMemberships = overview.memberships;
  // The membership at `since`: the one now unless it moved after since.
  const before = (m: { roomId: string; pos: number; membership: string }) => (m.pos > after.room ? overview.membershipsBefore.get(m.roomId) : m.membership);
  const roomAccountData = new Map<string, Json[]>();
  for (const a of overview.accountData) {
    const ev = { type: a.type, content: a.content };
    if (a.roomId === "") {
      if (eventMatches(filter.account_data, ev)) res.account_data.events.push(ev);
    } else if (eventMatches(filter.room?.account_data, ev) && roomAllowed(filter.room?.account_data, a.roomId)) {
      roomAccountData.set(a.roomId, [...(roomAccountData.get(a.roomId) ?? []), ev]);
    }
  }

  const joined = nowMemberships.filter((m) => m.membership === "join" && roomOk(m.roomId));
  // Unread notification counts: sections new to the client carry the room's, others when they
  // changed since `since` (at account-data positions), which is news on its own. Clients keep
  // the last counts they were given (as the answer made from a live message does).
  const unread = new Map((await store.unread.unreadCountsOf(userId)).map((u) => [u.roomId, u]));
  const unreadMoved = (roomId: string) => {
    const u = unread.get(roomId);
    return !initial && u !== undefined && u.pos > after.accountData && u.pos <= now.accountData;
  };
  const candidates = initial ? new Set(joined.map((m) => m.roomId)) : overview.roomsWithEvents;
  // Joined at `since` and now, but out in between (a leave or ban, then a rejoin): the client
  // missed what happened meanwhile, so the room counts as newly joined too (as Synapse does).
  const rejoined = new Set<string>();
  if (!initial) {
    for (const m of joined) {
      if (m.pos <= after.room || before(m) !== "join") continue;
      const history = await store.memberships.roomMembershipHistory(userId, m.roomId);
      if (history.some((h) => h.membership !== "join" && h.pos > after.room && h.pos <= m.pos)) rejoined.add(m.roomId);
    }
  }
  const isNewlyJoined = (m: { roomId: string; pos: number; membership: string }) => !initial && (before(m) !== "join" || rejoined.has(m.roomId));
  // The full-state sections' reads (initial, full_state, newly joined rooms), all rooms in a few statements.
  const fullJoins = joined.filter((m) => initial || input.fullState || isNewlyJoined(m));
  const fullJoinReads = await store.hot.fullSections(
    fullJoins.map((m) => ({ roomId: m.roomId, after: initial || isNewlyJoined(m) ? 0 : after.room, upTo: now.room })),
    fullSpec(viewer, filter, true),
  );
  // Rooms are independent: a few at a time (the pool is small), in the order they came.
  await inBatches(joined, ROOMS_AT_ONCE, async (m) => {
    const newlyJoined = isNewlyJoined(m);
    const ephemeralEvents = ephemeral.byRoom.get(m.roomId);
    if (!candidates.has(m.roomId) && !newlyJoined && !roomAccountData.has(m.roomId) && !ephemeralEvents && !unreadMoved(m.roomId) && !input.fullState) return;
    const delta = overview.deltas.get(m.roomId);
    const section = await buildRoomSection(
      store,
      viewer,
      {
        roomId: m.roomId,
        after: after.room,
        upTo: now.room,
        fullState: initial || newlyJoined || input.fullState,
        initial: initial || newlyJoined,
        withSummary: true,
        stateAfter: input.useStateAfter,
        ...(fullJoinReads.has(m.roomId) ? { full: fullJoinReads.get(m.roomId)! } : {}),
        ...(delta && !initial && !newlyJoined && !input.fullState ? { delta } : {}),
      },
      filter,
    );
    // Everything new was filtered out or hidden: nothing to tell (and a long-poll keeps waiting).
    if (!initial && !newlyJoined && !input.fullState && !section.hasChanges && !roomAccountData.has(m.roomId) && !ephemeralEvents && !unreadMoved(m.roomId)) return;
    const counts = unread.get(m.roomId);
    const withCounts = initial || newlyJoined || input.fullState || unreadMoved(m.roomId);
    res.rooms.join[m.roomId] = {
      timeline: section.timeline,
      ...(input.useStateAfter ? { state_after: section.state } : { state: section.state }),
      account_data: { events: roomAccountData.get(m.roomId) ?? [] },
      ephemeral: { events: ephemeralEvents ?? [] },
      summary: section.summary,
      ...(withCounts ? { unread_notifications: { notification_count: counts?.notificationCount ?? 0, highlight_count: counts?.highlightCount ?? 0 } } : {}),
    };
  });

  // Left (or banned) rooms: the leave in this window, or every one on an initial sync with include_leave.
  const includeLeave = filter.room?.include_leave === true;
  const leaves = nowMemberships.filter((m) => {
    if ((m.membership !== "leave" && m.membership !== "ban") || !roomOk(m.roomId)) return false;
    const inWindow = m.pos > after.room;
    return initial ? includeLeave : inWindow || (input.fullState && includeLeave);
  });
  // A room joined and left within the window is new to the client: all its state, as for a
  // room newly joined (a rejected invite or a knock never joined, and shows no more than before).
  const joinedInWindow = new Set<string>();
  if (!initial) {
    for (const m of leaves) {
      if (before(m) === "join") continue;
      const history = await store.memberships.roomMembershipHistory(userId, m.roomId);
      if (history.some((h) => h.membership === "join" && h.pos > after.room && h.pos <= m.pos)) joinedInWindow.add(m.roomId);
    }
  }
  const fullLeaves = leaves.filter((m) => initial || input.fullState || joinedInWindow.has(m.roomId));
  const fullLeaveReads = await store.hot.fullSections(
    fullLeaves.map((m) => ({ roomId: m.roomId, after: initial || joinedInWindow.has(m.roomId) ? 0 : after.room, upTo: m.pos })),
    fullSpec(viewer, filter, false),
  );
  for (const m of leaves) {
    const full = fullLeaveReads.get(m.roomId);
    const newlyJoined = joinedInWindow.has(m.roomId);
    const section = await buildRoomSection(
      store,
      viewer,
      { roomId: m.roomId, after: after.room, upTo: m.pos, fullState: initial || input.fullState || newlyJoined, initial: initial || newlyJoined, ...(full ? { full } : {}) },
      filter,
    );
    res.rooms.leave[m.roomId] = { timeline: section.timeline, state: section.state, account_data: { events: roomAccountData.get(m.roomId) ?? [] } };
  }

  // A user blocking invites is not shown the ones they hold (invite permission, v1.18).
  const blocked = overview.pendingInvites.length > 0 && (await invitesBlocked(store, userId));
  for (const inv of blocked ? [] : overview.pendingInvites) {
    if (!roomOk(inv.roomId) || res.rooms.join[inv.roomId] || invitedByIgnored(viewer, inv)) continue;
    res.rooms.invite[inv.roomId] = inviteSection(inv);
  }
  // Knocks: the room as a knocker may see it, until answered.
  for (const m of nowMemberships) {
    if (m.membership !== "knock" || !roomOk(m.roomId) || (!initial && m.pos <= after.room)) continue;
    const [knock] = await store.events.eventsByIds([m.eventId]);
    // The knocker is the sender: their member event before the knock (an earlier knock, a leave)
    // is superseded by the knock itself, which closes the list.
    const before = await strippedStateAt(store, m.roomId, m.pos - 1, userId);
    const stripped = knock ? before.filter((e) => !(e.type === "m.room.member" && e.state_key === userId)) : before;
    res.rooms.knock[m.roomId] = { knock_state: { events: knock ? [...stripped, strippedEvent(knock.eventJson)] : stripped } };
  }
  if (!initial) await dropRetiredInvites(store, res, viewer, overview.retiredInvites, roomOk, filter);
  return res;
}

/**
 * An invite that ended without a timeline here (a rejected invite to a room over federation):
 * the client only drops it when the room shows in rooms.leave, so put it there, with the
 * rejecting event when we hold it.
 */
async function dropRetiredInvites(
  store: SyncStore,
  res: SyncResponse,
  viewer: Viewer,
  retired: readonly InviteRow[],
  roomOk: (r: string) => boolean,
  filter: Filter,
): Promise<void> {
  const { join, leave, invite } = res.rooms;
  for (const inv of retired) {
    // An invite from an ignored user was never shown: nothing to take back.
    if (inv.retiredMembership === "join" || !roomOk(inv.roomId) || join[inv.roomId] || leave[inv.roomId] || invite[inv.roomId] || invitedByIgnored(viewer, inv)) continue;
    const [by] = inv.retiredByEventId ? await store.events.eventsByIds([inv.retiredByEventId]) : [];
    leave[inv.roomId] = {
      timeline: {
        events: by ? applyEventFields([formatEvent(by, viewerWithMembership(viewer, inv.retiredMembership ?? "leave"), filter.event_format)], filter.event_fields) : [],
        limited: false,
        prev_batch: formatTopoToken({ depth: 0, pos: 0 }),
      },
      state: { events: [] },
      account_data: { events: [] },
    };
  }
}

/** Whether the user's m.invite_permission_config blocks every invite (client-server API, "Invite permission"). */
async function invitesBlocked(store: SyncStore, userId: string): Promise<boolean> {
  return (await store.accountData.globalAccountData(userId, "m.invite_permission_config"))?.default_action === "block";
}

/** Invites from ignored users are not sent (ignore_users.md, "Server behaviour"). */
function invitedByIgnored(viewer: Viewer, inv: InviteRow): boolean {
  const sender = inv.inviteEvent.sender;
  return typeof sender === "string" && viewer.ignored !== undefined && viewer.ignored.has(sender);
}

function inviteSection(inv: InviteRow): Json {
  return { invite_state: { events: inv.strippedState } };
}

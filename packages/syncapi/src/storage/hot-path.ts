/**
 * The statements on the "message sent → /sync answers" path, as raw postgres.js SQL (prepared,
 * no query builder): each does in one round trip what used to take several statements.
 *
 * - `insertLiveEvent`: a consumer write without state changes (a message) — the writers' lock,
 *   the insert, the position bump and the NOTIFY for other processes in one statement, so one
 *   implicit transaction.
 * - `syncOverview`: everything an incremental /sync decides on, in one snapshot — positions,
 *   the user's memberships now (and at `since` where they moved), account data, invites,
 *   which joined rooms have new timeline events, and those rooms' deltas.
 * - `roomDelta`: one room's timeline window, what history visibility needs, the state rows that
 *   changed in the window (with their events) and the room summary.
 * - `fullSections`: the same for full-state sections (initial sync, full_state, newly joined and
 *   left rooms) with the whole state at the start of the window, for many rooms per statement.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { StoredEvent, NewEventRow } from "./events";
import type { SqlEventFilter } from "./event-filter";
import type { InviteRow } from "./invites";
import type { MembershipRow } from "./memberships";
import type { Positions } from "./positions";
import type { StateRow } from "./state";
import { eventFilterFragment, num, numOrNull, stateRowFromRow, storedEventFromRow, type Fragment, type Raw } from "./raw";

/** A NOTIFY to send when the write commits. */
export interface Notice {
  channel: string;
  payload: string;
}

/**
 * `write` (an INSERT … SELECT … FROM lock … RETURNING t.pos, with parameters $1…$n) under the
 * writers' lock (positions.lockWriters), moving `stream`'s position to what it wrote — one
 * statement, so one implicit transaction, and the lock is held to its commit. MATERIALIZED: the
 * lock is taken before nextval() is evaluated, so positions are handed out in commit order. The
 * NOTIFY goes only when something was written. Undefined when nothing was.
 * Fixed statement text, handed to the driver as is: these are the hottest writes of the syncapi,
 * and walking a template per call cost more CPU than building the rest of the message's answer.
 */
async function writeUnderLock(sql: Sql, write: string, params: unknown[], stream: "room" | "account_data", notice?: Notice): Promise<LiveWrite | undefined> {
  const rows = await sql.unsafe(
    underLock(write, params.length, stream, notice !== undefined),
    (notice ? [...params, notice.channel, notice.payload] : params) as Parameters<Sql["unsafe"]>[1],
    // Not prepared unless asked: each would then describe its parameters first, a round trip more.
    { prepare: true },
  );
  const r = rows[0];
  return r ? { pos: num(r.pos), prevPos: num(r.prev_pos), fresh: r.fresh === true } : undefined;
}

/** Statement texts by write (a module constant, so its hash is computed once), per stream and notice. */
const statements = new Map<string, Map<string, string>>();
function underLock(write: string, n: number, stream: "room" | "account_data", withNotice: boolean): string {
  let forWrite = statements.get(write);
  if (forWrite === undefined) statements.set(write, (forWrite = new Map()));
  const key = withNotice ? `${stream}+notice` : stream;
  let text = forWrite.get(key);
  if (text === undefined) {
    // prev_pos = sp.pos in SET reads the row as the UPDATE found it after waiting for the lock (a
    // SELECT here would read the statement's snapshot, taken before the lock: it could miss a
    // write committed in between).
    text = `
      WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext('syncapi.stream_writers')) AS locked),
      w AS (${write}),
      bump AS (
        UPDATE syncapi.stream_positions sp SET prev_pos = sp.pos, pos = GREATEST(sp.pos, w.pos)
        FROM w WHERE sp.name = '${stream}' RETURNING sp.prev_pos)
      SELECT w.pos, w.fresh, (SELECT prev_pos FROM bump) AS prev_pos${withNotice ? `, pg_notify($${n + 1}::text, $${n + 2}::text)` : ""} FROM w`;
    forWrite.set(key, text);
  }
  return text;
}

/** What a write under the writers' lock did. */
export interface LiveWrite {
  /** The position it wrote at. */
  pos: number;
  /** The stream's position just before it (the previous write's). */
  prevPos: number;
  /** A new row (not an outlier upgraded, nor an account data row replaced). */
  fresh: boolean;
}

/**
 * Stores a live event that changes no state at the next room-stream position (writeUnderLock).
 * An outlier already held is upgraded in place as events.insertEvent does. Undefined when the
 * event ID was already stored.
 */
export async function insertLiveEvent(sql: Sql, row: NewEventRow, notice?: Notice): Promise<number | undefined> {
  return (await writeLiveEvent(sql, row, notice))?.pos;
}

// Every parameter is cast: INSERT … SELECT does not infer them from columns.
const LIVE_EVENT_INSERT = `
  INSERT INTO syncapi.output_room_events AS t
    (pos, event_id, room_id, type, sender, state_key, depth, room_version, event_json, unsigned_extra,
     txn_id, txn_device_id, contains_url, origin_kind, excluded, relates_to, rel_type)
  SELECT nextval('syncapi.stream_pos'), $1::text, $2::text, $3::text, $4::text, $5::text, $6::int8, $7::text, $8::text::jsonb,
    $9::text::jsonb, $10::text, $11::text, $12::bool, $13::text, $14::bool, $15::text, $16::text
  FROM lock
  ON CONFLICT (event_id) DO UPDATE SET pos = nextval('syncapi.stream_pos'), origin_kind = EXCLUDED.origin_kind,
    txn_id = EXCLUDED.txn_id, txn_device_id = EXCLUDED.txn_device_id, excluded = EXCLUDED.excluded
    WHERE t.origin_kind = 'outlier' AND EXCLUDED.origin_kind <> 'outlier'
  RETURNING t.pos, (t.xmax = 0) AS fresh`;

/** insertLiveEvent, telling also the room stream's position before it and whether the row is new. */
export async function writeLiveEvent(sql: Sql, row: NewEventRow, notice?: Notice): Promise<LiveWrite | undefined> {
  const params = [
    row.eventId, row.roomId, row.type, row.sender, row.stateKey, row.depth, row.roomVersion, JSON.stringify(row.eventJson),
    JSON.stringify(row.unsignedExtra), row.txnId, row.txnDeviceId, row.containsUrl, row.originKind, row.excluded, row.relatesTo, row.relType,
  ];
  return writeUnderLock(sql, LIVE_EVENT_INSERT, params, "room", notice);
}

const ACCOUNT_DATA_UPSERT = `
  INSERT INTO syncapi.account_data AS t (user_id, room_id, type, content, pos, source_pos)
  SELECT $1::text, $2::text, $3::text, $4::text::jsonb, nextval('syncapi.account_data_pos'), $5::int8
  FROM lock
  ON CONFLICT (user_id, room_id, type) DO UPDATE SET content = EXCLUDED.content, source_pos = EXCLUDED.source_pos,
    pos = nextval('syncapi.account_data_pos')
    WHERE t.source_pos < EXCLUDED.source_pos
  RETURNING t.pos, (t.xmax = 0) AS fresh`;

/**
 * accountData.upsertAccountData at the next account_data position (writeUnderLock). Undefined
 * when we already hold this or a newer change of userapi's.
 */
export async function upsertAccountDataLive(
  sql: Sql,
  row: { userId: string; roomId: string; type: string; content: Record<string, unknown>; sourcePos: number },
  notice?: Notice,
): Promise<number | undefined> {
  const params = [row.userId, row.roomId, row.type, JSON.stringify(row.content), row.sourcePos];
  return (await writeUnderLock(sql, ACCOUNT_DATA_UPSERT, params, "account_data", notice))?.pos;
}

/**
 * unsigned.prev_content, prev_sender and replaces_state of a state event from the event it
 * replaced, when we hold that one — one statement (events.setUnsignedExtra after eventsByIds).
 */
export async function setReplacesState(sql: Sql, eventId: string, replacedEventId: string): Promise<void> {
  await sql`
    UPDATE syncapi.output_room_events t
    SET unsigned_extra = jsonb_build_object(
      'prev_content', coalesce(nullif(p.event_json->'content', 'null'::jsonb), '{}'::jsonb),
      'prev_sender', p.sender,
      'replaces_state', p.event_id)
    FROM syncapi.output_room_events p
    WHERE t.event_id = ${eventId}::text AND p.event_id = ${replacedEventId}::text`;
}

export interface SyncOverview {
  now: Positions;
  /** Each room's latest membership of the user at `now`. */
  memberships: MembershipRow[];
  /** For rooms whose membership moved after `since`: the membership at `since` (absent: none). */
  membershipsBefore: Map<string, string>;
  /** Account data changed in (since, now]. */
  accountData: { roomId: string; type: string; content: Record<string, unknown> }[];
  /** Invites that arrived in (since, now] and were pending at now, oldest first. */
  pendingInvites: InviteRow[];
  /** Invites retired in (since, now] (incremental only). */
  retiredInvites: InviteRow[];
  /** Joined rooms with a live timeline event in (since, now] (incremental only). */
  roomsWithEvents: Set<string>;
  /**
   * When asked for: roomDelta(room, since, now) of those of them the user was already joined
   * to at `since` (no membership change since) — what their sections are made of.
   */
  deltas: Map<string, RoomDelta>;
}

function inviteFromJson(r: Raw): InviteRow {
  return {
    eventId: r.event_id as string,
    roomId: r.room_id as string,
    userId: r.user_id as string,
    inviteEvent: r.invite_event as Record<string, unknown>,
    roomVersion: r.room_version as string,
    strippedState: r.stripped_state as Record<string, unknown>[],
    pos: num(r.pos),
    retiredPos: numOrNull(r.retired_pos),
    retiredByEventId: (r.retired_by_event_id ?? null) as string | null,
    retiredMembership: (r.retired_membership ?? null) as string | null,
  };
}

/**
 * What a /sync from `since` (undefined: initial) decides on, read in one snapshot: the
 * positions it answers up to and everything of the user's that moved. Rows are bounded by the
 * positions read in the same statement, so the result is as of `now`.
 */
export async function syncOverview(sql: Sql, userId: string, since: Positions | undefined, deltas?: DeltaSpec): Promise<SyncOverview> {
  const incremental = since !== undefined;
  const sinceRoom = since?.room ?? 0;
  const sinceAd = since?.accountData ?? 0;
  // The deltas of rooms with news whose membership did not move (still joined since `since`), as of `now`.
  const deltaColumn =
    incremental && deltas
      ? sql`(SELECT coalesce(json_object_agg(act.room_id, ${deltaJson(sql, sql`act.room_id`, sql`${sinceRoom}::int8`, sql`p.room`, deltas)}), '{}')
          FROM act WHERE act.pos <= ${sinceRoom}::int8)`
      : sql`NULL`;
  const [r] = await sql`
    WITH p AS MATERIALIZED (
      SELECT coalesce(max(pos) FILTER (WHERE name = 'room'), 0)::int8 AS room,
             coalesce(max(pos) FILTER (WHERE name = 'account_data'), 0)::int8 AS ad
      FROM syncapi.stream_positions
    ),
    m AS MATERIALIZED (
      SELECT DISTINCT ON (room_id) room_id, pos, membership, event_id
      FROM syncapi.memberships
      WHERE user_id = ${userId}::text AND pos <= (SELECT room FROM p)
      ORDER BY room_id, pos DESC
    ),
    -- (room_id, pos) rows and "the newest or NULL": see windowParts.
    act AS MATERIALIZED (
      SELECT m.room_id, m.pos FROM m, p
      WHERE ${incremental}::bool AND m.membership = 'join' AND (
        SELECT e.pos FROM syncapi.output_room_events e
        WHERE e.room_id = m.room_id AND (e.room_id, e.pos) > (m.room_id, ${sinceRoom}::int8) AND (e.room_id, e.pos) <= (m.room_id, p.room)
          AND NOT e.excluded AND e.origin_kind = 'new'
        ORDER BY e.pos DESC LIMIT 1
      ) IS NOT NULL
    )
    SELECT p.room, p.ad,
      (SELECT coalesce(json_agg(json_build_array(room_id, pos, membership, event_id)), '[]') FROM m) AS memberships,
      (SELECT coalesce(json_agg(json_build_array(room_id, membership)), '[]') FROM (
        SELECT DISTINCT ON (b.room_id) b.room_id, b.membership FROM syncapi.memberships b
        WHERE ${incremental}::bool AND b.user_id = ${userId}::text AND b.pos <= ${sinceRoom}::int8
          AND b.room_id IN (SELECT room_id FROM m WHERE m.pos > ${sinceRoom}::int8)
        ORDER BY b.room_id, b.pos DESC
      ) b) AS before,
      (SELECT coalesce(json_agg(json_build_array(a.room_id, a.type, a.content)), '[]') FROM syncapi.account_data a
        WHERE a.user_id = ${userId}::text AND a.pos > ${sinceAd}::int8 AND a.pos <= p.ad) AS account_data,
      (SELECT coalesce(json_agg(i ORDER BY i.pos), '[]') FROM syncapi.invites i
        WHERE i.user_id = ${userId}::text AND i.pos > ${sinceRoom}::int8 AND i.pos <= p.room
          AND (i.retired_pos IS NULL OR i.retired_pos > p.room)) AS invites,
      (SELECT coalesce(json_agg(i ORDER BY i.retired_pos), '[]') FROM syncapi.invites i
        WHERE ${incremental}::bool AND i.user_id = ${userId}::text AND i.retired_pos > ${sinceRoom}::int8 AND i.retired_pos <= p.room) AS retired,
      (SELECT coalesce(json_agg(act.room_id), '[]') FROM act) AS active,
      ${deltaColumn} AS deltas
    FROM p`;
  const row = r as Raw;
  return {
    now: { room: num(row.room), accountData: num(row.ad) },
    memberships: (row.memberships as [string, number, string, string][]).map(([roomId, pos, membership, eventId]) => ({
      userId,
      roomId,
      pos: num(pos),
      membership,
      eventId,
    })),
    membershipsBefore: new Map(row.before as [string, string][]),
    accountData: (row.account_data as [string, string, Record<string, unknown>][]).map(([roomId, type, content]) => ({ roomId, type, content })),
    pendingInvites: (row.invites as Raw[]).map(inviteFromJson),
    retiredInvites: (row.retired as Raw[]).map(inviteFromJson),
    roomsWithEvents: new Set(row.active as string[]),
    deltas: new Map(Object.entries((row.deltas ?? {}) as Record<string, DeltaJson>).map(([roomId, d]) => [roomId, deltaFromJson(d)])),
  };
}

/** What a room delta reads besides its room and window (the same for every room of one /sync). */
export interface DeltaSpec {
  /** Whose visibility, and whose heroes to leave out. */
  userId: string;
  /** Timeline rows to fetch, newest first (the window's limit + 1, to tell `limited`). */
  fetch: number;
  filter?: SqlEventFilter;
  /** The point after the newest event at or before upTo is needed even when the timeline has rows. */
  needPoint: boolean;
  /** Joined and invited counts and heroes (join sections). */
  withSummary: boolean;
  /** Lazy-loaded members for this device: read the timeline senders' member rows and what the device holds. */
  lazy?: { deviceId: string };
}

export interface RoomDeltaQuery extends DeltaSpec {
  roomId: string;
  /** Stream positions (after, upTo]. */
  after: number;
  upTo: number;
}

export interface RoomDelta {
  /** Newest first. */
  timeline: StoredEvent[];
  /** room_state history of m.room.history_visibility "" (oldest first), with each event's history_visibility when we hold it. */
  visibilityRows: { row: StateRow; held: boolean; value: unknown }[];
  /** room_state history of the user's own member key, oldest first. */
  memberRows: StateRow[];
  /** room_state rows added in (after, upTo], with their events when held. */
  stateRows: { row: StateRow; event: StoredEvent | undefined }[];
  /** events.pointAfterPos(roomId, upTo) when asked for or when the timeline is empty. */
  point: { depth: number; pos: number } | undefined;
  summary?: { joined: number; invited: number; heroes: string[] };
  /**
   * With `lazy`: the member rows, live at the start of the timeline window, of every sender of
   * the timeline rows read (a superset of the senders shown), with their events; and what
   * lazy_loaded_members says the device holds of those senders and of the timeline's member
   * events' targets.
   */
  lazy?: { members: { row: StateRow; event: StoredEvent | undefined }[]; sent: Map<string, string> };
}

/**
 * What a room's delta and its full section share: the window's event condition; the timeline
 * and the history-visibility rows (two JSON elements); the point after upTo (when asked for or
 * when the window is empty); the summary (joined/invited counts and heroes, or two NULLs); and
 * the position the window's state starts at.
 */
function windowParts(sql: Sql, room: Fragment, after: Fragment, upTo: Fragment, q: DeltaSpec) {
  // Positions compared as (room_id, pos) rows: only the (room_id, pos) index can serve that, so
  // the planner cannot pick a backward scan of every room's events by pos when its statistics
  // are stale (it did: an initial /sync of 300 rooms took 1.5 s instead of 80 ms). "Is there
  // one?" is asked as "the newest one, or NULL" rather than EXISTS: PostgreSQL drops an EXISTS's
  // ORDER BY/LIMIT and then estimated a sequential scan cheaper (60 ms per 100 rooms).
  const inWindow = sql`e.room_id = ${room} AND (e.room_id, e.pos) > (${room}, ${after}) AND (e.room_id, e.pos) <= (${room}, ${upTo})
    AND NOT e.excluded AND e.origin_kind = 'new' ${eventFilterFragment(sql, q.filter)}`;
  const summary = q.withSummary
    ? sql`
      (SELECT json_build_array(count(*) FILTER (WHERE s.membership = 'join'), count(*) FILTER (WHERE s.membership = 'invite'))
        FROM syncapi.room_state s WHERE s.room_id = ${room} AND s.type = 'm.room.member' AND s.removed_pos IS NULL),
      (SELECT coalesce(json_agg(h.state_key ORDER BY h.added_pos), '[]') FROM (
        SELECT s.state_key, s.added_pos FROM syncapi.room_state s
        WHERE s.room_id = ${room} AND s.type = 'm.room.member' AND s.removed_pos IS NULL
          AND s.membership IN ('join', 'invite') AND s.state_key <> ${q.userId}::text
        ORDER BY s.added_pos LIMIT 5) h)`
    : sql`NULL, NULL`;
  // As room-section: the state at the start of the window (the newest fetch - 1 rows) is the state after the position before it.
  const startPos = sql`coalesce((SELECT min(w.pos) FROM (
      SELECT e.pos FROM syncapi.output_room_events e WHERE ${inWindow} ORDER BY e.pos DESC LIMIT ${q.fetch - 1}::int8) w) - 1, ${upTo})`;
  const timelineAndVisibility = sql`
      (SELECT coalesce(json_agg(t ORDER BY t.pos DESC), '[]') FROM (
        SELECT e.* FROM syncapi.output_room_events e WHERE ${inWindow} ORDER BY e.pos DESC LIMIT ${q.fetch}::int8) t),
      (SELECT coalesce(json_agg(json_build_array(s, v.event_id IS NOT NULL, v.event_json->'content'->'history_visibility') ORDER BY s.added_pos, s.id), '[]')
        FROM syncapi.room_state s
        LEFT JOIN syncapi.output_room_events v ON s.type = 'm.room.history_visibility' AND v.event_id = s.event_id
        WHERE s.room_id = ${room}
          AND ((s.type = 'm.room.history_visibility' AND s.state_key = '') OR (s.type = 'm.room.member' AND s.state_key = ${q.userId}::text)))`;
  const point = sql`
      (SELECT json_build_array(e.depth, e.pos) FROM syncapi.output_room_events e
        WHERE (${q.needPoint}::bool OR (SELECT e.pos FROM syncapi.output_room_events e WHERE ${inWindow} ORDER BY e.pos DESC LIMIT 1) IS NULL)
          AND e.room_id = ${room} AND e.pos <= ${upTo} AND NOT e.excluded AND e.origin_kind IN ('new', 'old')
        ORDER BY e.depth DESC, e.pos DESC LIMIT 1)`;
  return { inWindow, timelineAndVisibility, point, summary, startPos };
}

/**
 * One room's delta as one JSON array expression: [timeline, vis, state, point, counts, heroes].
 * `room`, `after` and `upTo` are SQL expressions, so it also runs per row of another query.
 */
function deltaJson(sql: Sql, room: Fragment, after: Fragment, upTo: Fragment, q: DeltaSpec): Fragment {
  const { inWindow, timelineAndVisibility, point, summary, startPos } = windowParts(sql, room, after, upTo, q);
  const fetched = sql`SELECT e.pos, e.sender, e.type, e.state_key FROM syncapi.output_room_events e WHERE ${inWindow} ORDER BY e.pos DESC LIMIT ${q.fetch}::int8`;
  const lazy = q.lazy
    ? sql`
      (SELECT coalesce(json_agg(json_build_array(s, e)), '[]')
        FROM syncapi.room_state s LEFT JOIN syncapi.output_room_events e ON e.event_id = s.event_id
        WHERE s.room_id = ${room} AND s.type = 'm.room.member'
          AND s.state_key IN (SELECT f.sender FROM (${fetched}) f)
          AND s.added_pos <= ${startPos} AND (s.removed_pos IS NULL OR s.removed_pos > ${startPos})),
      (SELECT coalesce(json_agg(json_build_array(l.member_id, l.event_id)), '[]')
        FROM syncapi.lazy_loaded_members l
        WHERE l.user_id = ${q.userId}::text AND l.device_id = ${q.lazy.deviceId}::text AND l.room_id = ${room}
          AND l.member_id IN (SELECT f.sender FROM (${fetched}) f UNION ALL SELECT f.state_key FROM (${fetched}) f WHERE f.type = 'm.room.member'))`
    : sql`NULL, NULL`;
  return sql`json_build_array(
      ${timelineAndVisibility},
      (SELECT coalesce(json_agg(json_build_array(s, e)), '[]')
        FROM syncapi.room_state s LEFT JOIN syncapi.output_room_events e ON e.event_id = s.event_id
        WHERE s.room_id = ${room} AND s.added_pos > ${after} AND s.added_pos <= ${upTo}),
      ${point},
      ${summary},
      ${lazy})`;
}

type DeltaJson = [
  Raw[],
  [Raw, boolean, unknown][],
  [Raw, Raw | null][],
  [number, number] | null,
  [number, number] | null,
  string[] | null,
  [Raw, Raw | null][] | null,
  [string, string][] | null,
];

function deltaFromJson(d: DeltaJson): RoomDelta {
  const [timeline, visRows, state, point, counts, heroes, lazyMembers, lazySent] = d;
  const withEvent = ([s, e]: [Raw, Raw | null]) => ({ row: stateRowFromRow(s), event: e ? storedEventFromRow(e) : undefined });
  const vis = visRows.map(([s, held, value]) => ({ row: stateRowFromRow(s), held, value }));
  return {
    timeline: timeline.map(storedEventFromRow),
    visibilityRows: vis.filter((v) => v.row.type === "m.room.history_visibility"),
    memberRows: vis.filter((v) => v.row.type === "m.room.member").map((v) => v.row),
    stateRows: state.map(withEvent),
    point: point ? { depth: num(point[0]), pos: num(point[1]) } : undefined,
    ...(counts ? { summary: { joined: num(counts[0]), invited: num(counts[1]), heroes: heroes ?? [] } } : {}),
    ...(lazyMembers && lazySent ? { lazy: { members: lazyMembers.map(withEvent), sent: new Map(lazySent) } } : {}),
  };
}

/** One round trip for what an incremental room section reads. */
export async function roomDelta(sql: Sql, q: RoomDeltaQuery): Promise<RoomDelta> {
  const [r] = await sql`SELECT ${deltaJson(sql, sql`${q.roomId}::text`, sql`${q.after}::int8`, sql`${q.upTo}::int8`, q)} AS d`;
  return deltaFromJson((r as Raw).d as DeltaJson);
}

/** One room of fullSections: a full-state window (after, upTo] — after 0 for a room the device starts over in. */
export interface FullWindow {
  roomId: string;
  after: number;
  upTo: number;
}

/**
 * What a full-state room section (initial sync, full_state, a newly joined room) reads, for one
 * room: as RoomDelta, but `stateRows` holds the whole state at the start of the timeline window
 * plus the rows that became current inside it (state.stateAfter(startPos) and
 * state.stateChanges(startPos, upTo)), every row with its event or `undefined` when not held.
 * With `lazy`, member rows are left out of `stateRows` (lazy loading replaces them) and
 * `lazy.members` holds those of the timeline rows' senders and the user, at startPos; `sent` is
 * empty (a full state starts the device over).
 */
export type FullRead = RoomDelta;

/** Rooms per statement of fullSections. */
const FULL_ROOMS_PER_STATEMENT = 100;

/**
 * The full-state sections' reads of many rooms (each with its own window) in one statement per
 * FULL_ROOMS_PER_STATEMENT rooms: what buildRoomSection would read room by room.
 */
export async function fullSections(sql: Sql, windows: readonly FullWindow[], q: DeltaSpec): Promise<Map<string, FullRead>> {
  const out = new Map<string, FullRead>();
  for (let i = 0; i < windows.length; i += FULL_ROOMS_PER_STATEMENT) {
    const chunk = windows.slice(i, i + FULL_ROOMS_PER_STATEMENT);
    const rows = await sql`
      SELECT w.room_id, ${fullJson(sql, sql`w.room_id`, sql`w.after`, sql`w.up_to`, q)} AS d
      FROM unnest(${chunk.map((c) => c.roomId)}::text[], ${chunk.map((c) => c.after)}::int8[], ${chunk.map((c) => c.upTo)}::int8[])
        AS w(room_id, after, up_to)`;
    for (const r of rows as Raw[]) out.set(r.room_id as string, fullFromJson(r.d as DeltaJson));
  }
  return out;
}

function fullJson(sql: Sql, room: Fragment, after: Fragment, upTo: Fragment, q: DeltaSpec): Fragment {
  const { inWindow, timelineAndVisibility, point, summary, startPos } = windowParts(sql, room, after, upTo, q);
  const fetched = sql`SELECT e.pos, e.sender FROM syncapi.output_room_events e WHERE ${inWindow} ORDER BY e.pos DESC LIMIT ${q.fetch}::int8`;
  // state.stateAfter(startPos), and state.stateChanges(startPos, upTo) (none when startPos = upTo).
  const stateLive = sql`s.room_id = ${room} AND ((s.added_pos <= sp.pos AND (s.removed_pos IS NULL OR s.removed_pos > sp.pos))
    OR (s.added_pos > sp.pos AND s.added_pos <= ${upTo} AND (s.removed_pos IS NULL OR s.removed_pos > ${upTo})))`;
  const lazy = q.lazy
    ? sql`
      (SELECT coalesce(json_agg(json_build_array(s, e)), '[]')
        FROM (SELECT ${startPos} AS pos) sp, syncapi.room_state s LEFT JOIN syncapi.output_room_events e ON e.event_id = s.event_id
        WHERE s.room_id = ${room} AND s.type = 'm.room.member'
          AND s.state_key IN (SELECT f.sender FROM (${fetched}) f UNION ALL SELECT ${q.userId}::text)
          AND s.added_pos <= sp.pos AND (s.removed_pos IS NULL OR s.removed_pos > sp.pos)),
      '[]'::json`
    : sql`NULL, NULL`;
  return sql`json_build_array(
      ${timelineAndVisibility},
      (SELECT coalesce(json_agg(json_build_array(s, e) ORDER BY s.added_pos, s.id), '[]')
        FROM (SELECT ${startPos} AS pos) sp, syncapi.room_state s LEFT JOIN syncapi.output_room_events e ON e.event_id = s.event_id
        WHERE ${stateLive} ${q.lazy ? sql`AND s.type <> 'm.room.member'` : sql``}),
      ${point},
      ${summary},
      ${lazy})`;
}

function fullFromJson(d: DeltaJson): FullRead {
  return deltaFromJson(d);
}

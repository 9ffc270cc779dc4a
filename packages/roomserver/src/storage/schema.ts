/**
 * drizzle definitions of the `roomserver` tables (the SQL lives in migrations.ts; these two
 * must agree). NIDs are numeric IDs we assign so the hot paths compare integers, not strings.
 */
import { bigint, bigserial, boolean, customType, jsonb, pgSchema, primaryKey, text } from "drizzle-orm/pg-core";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

export const roomserverSchema = pgSchema("roomserver");

const nid = (name: string) => bigint(name, { mode: "number" });

export const rooms = roomserverSchema.table("rooms", {
  /** Our numeric ID for the room. */
  roomNid: bigserial("room_nid", { mode: "number" }).primaryKey(),
  /** The Matrix room ID (`!…`). */
  roomId: text("room_id").notNull().unique(),
  /** Room version: decides event format, auth rules and state resolution. */
  roomVersion: text("room_version").notNull(),
  /** The current state: the snapshot after the forward extremities, resolved. 0 = no state yet. */
  stateSnapshotNid: nid("state_snapshot_nid").notNull().default(0),
  /** Forward extremities: events with no children yet; the prev_events of the next event we build. */
  latestEventNids: nid("latest_event_nids").array().notNull().default([]),
  /** The newest event accepted into the room's timeline (for ordering outputs). */
  lastEventNid: nid("last_event_nid").notNull().default(0),
});

export const eventTypes = roomserverSchema.table("event_types", {
  /** Numeric ID of an event type. */
  eventTypeNid: bigserial("event_type_nid", { mode: "number" }).primaryKey(),
  /** The event type string (`m.room.member`). */
  eventType: text("event_type").notNull().unique(),
});

export const eventStateKeys = roomserverSchema.table("event_state_keys", {
  /** Numeric ID of a state key; also the user NID in memberships. */
  eventStateKeyNid: bigserial("event_state_key_nid", { mode: "number" }).primaryKey(),
  /** The state key string ("" or a user ID, usually). */
  eventStateKey: text("event_state_key").notNull().unique(),
});

export const events = roomserverSchema.table("events", {
  /** Numeric ID of the event, from a sequence taken in blocks (storage/index.ts): nothing orders by it. */
  eventNid: bigserial("event_nid", { mode: "number" }).primaryKey(),
  /** The room it belongs to. */
  roomNid: nid("room_nid").notNull(),
  /** The Matrix event ID. */
  eventId: text("event_id").notNull().unique(),
  /** Its type, as an NID. */
  eventTypeNid: nid("event_type_nid").notNull(),
  /** Its state key as an NID; null for a non-state event. */
  eventStateKeyNid: nid("event_state_key_nid"),
  /** The sender's user ID. */
  sender: text("sender").notNull(),
  /** `depth` from the event (topological hint). */
  depth: nid("depth").notNull(),
  /** `origin_server_ts` from the event. */
  originServerTs: nid("origin_server_ts").notNull(),
  /** The event as received: canonical JSON (hashes and signatures are checked over these bytes). */
  json: text("json").notNull(),
  /** Its auth events, as NIDs. */
  authEventNids: nid("auth_event_nids").array().notNull().default([]),
  /** Its prev events, by ID (they may not be stored yet). */
  prevEventIds: text("prev_event_ids").array().notNull().default([]),
  /** State before the event (0 for an outlier, whose state we do not know). */
  stateSnapshotNid: nid("state_snapshot_nid").notNull().default(0),
  /** An event outside the DAG we hold (auth chain, invite over federation). */
  outlier: boolean("outlier").notNull().default(false),
  /** Failed auth: stored so we do not refetch it, never part of state or the timeline. */
  rejected: boolean("rejected").notNull().default(false),
  /** The auth rule that rejected it. */
  rejectionReason: text("rejection_reason"),
  /** Passed auth at its own state but not at the current state: kept out of current state and clients. */
  softFailed: boolean("soft_failed").notNull().default(false),
  /** The ID of a validated redaction of this event, if any. */
  redactedBy: text("redacted_by"),
});

export const stateBlocks = roomserverSchema.table("state_blocks", {
  /** Numeric ID of the block. */
  stateBlockNid: bigserial("state_block_nid", { mode: "number" }).primaryKey(),
  /** SHA-256 of the entries: identical blocks are stored once, across rooms and snapshots. */
  blockHash: bytea("block_hash").notNull().unique(),
  /** Entry i is (typeNids[i], stateKeyNids[i]) → eventNids[i], sorted by (type, state key). */
  typeNids: nid("type_nids").array().notNull(),
  /** State key NIDs of the entries. */
  stateKeyNids: nid("state_key_nids").array().notNull(),
  /** Event NIDs of the entries. */
  eventNids: nid("event_nids").array().notNull(),
});

export const stateSnapshots = roomserverSchema.table("state_snapshots", {
  /** Numeric ID of the snapshot; events and rooms point at it. */
  stateSnapshotNid: bigserial("state_snapshot_nid", { mode: "number" }).primaryKey(),
  /** SHA-256 of the block list: the same state in the same room is one snapshot. */
  snapshotHash: bytea("snapshot_hash").notNull(),
  /** The room the state belongs to. */
  roomNid: nid("room_nid").notNull(),
  /** The blocks whose union is the state; disjoint and in key order. */
  stateBlockNids: nid("state_block_nids").array().notNull(),
});

export const memberships = roomserverSchema.table(
  "memberships",
  {
    /** The room. */
    roomNid: nid("room_nid").notNull(),
    /** The user, as a state key NID. */
    targetNid: nid("target_nid").notNull(),
    /** Whether the user is on our server. */
    targetLocal: boolean("target_local").notNull(),
    /** join, invite, leave, ban or knock, per the current state. */
    membership: text("membership").notNull(),
    /** The m.room.member event that set it. */
    eventNid: nid("event_nid").notNull(),
    /** Who sent that event. */
    sender: text("sender").notNull(),
    /** The user forgot the room (only after leaving it). */
    forgotten: boolean("forgotten").notNull().default(false),
    /** A joined member's displayname, from that event (null otherwise): the user directory's. */
    displayName: text("display_name"),
    /** A joined member's avatar_url, from that event (null otherwise). */
    avatarUrl: text("avatar_url"),
    /** A joined member's user ID and displayName as the user directory searches them (search-words.ts's searchKey). */
    searchKey: text("search_key"),
  },
  (t) => [primaryKey({ columns: [t.roomNid, t.targetNid] })],
);

export const invites = roomserverSchema.table("invites", {
  /** The invite event's ID. */
  inviteEventId: text("invite_event_id").primaryKey(),
  /** The room. */
  roomNid: nid("room_nid").notNull(),
  /** The invited user, as a state key NID. */
  targetNid: nid("target_nid").notNull(),
  /** Who invited. */
  sender: text("sender").notNull(),
  /** The invite event's JSON (a remote invite may not be in any DAG we hold). */
  inviteJson: text("invite_json").notNull(),
  /** The invite was answered (join, reject, rescind): no longer pending. */
  retired: boolean("retired").notNull().default(false),
});

export const roomAliases = roomserverSchema.table("room_aliases", {
  /** The alias (`#room:server`). */
  alias: text("alias").primaryKey(),
  /** The room it points to. */
  roomId: text("room_id").notNull(),
  /** Who created it (may remove it without power). */
  creatorId: text("creator_id").notNull(),
});

export const redactions = roomserverSchema.table("redactions", {
  /** The m.room.redaction event's ID. */
  redactionEventId: text("redaction_event_id").primaryKey(),
  /** The event it redacts (may arrive later than the redaction). */
  redactsEventId: text("redacts_event_id").notNull(),
  /** The redaction was checked against the redacted event (power or same sender) and applied. */
  validated: boolean("validated").notNull().default(false),
});

export const outbox = roomserverSchema.table("outbox", {
  /** Order of writing; also the stream msgId, so a re-publish after a crash is deduplicated. */
  outboxId: bigserial("outbox_id", { mode: "number" }).primaryKey(),
  /** The room, for logs and per-room subjects. */
  roomId: text("room_id").notNull(),
  /** The OutputRoomEvent message. */
  payload: jsonb("payload").notNull(),
});

export const published = roomserverSchema.table("published", {
  /** The room. */
  roomId: text("room_id").primaryKey(),
  /** Listed in our public room directory. */
  published: boolean("published").notNull().default(false),
});

export const sendTransactions = roomserverSchema.table(
  "send_transactions",
  {
    /** The room the event was sent to. */
    roomId: text("room_id").notNull(),
    /** The local user who sent it. */
    sender: text("sender").notNull(),
    /** Their device: transaction IDs are scoped to a device (access token). */
    deviceId: text("device_id").notNull(),
    /** The client's transaction ID. */
    txnId: text("txn_id").notNull(),
    /**
     * The event's type: transaction IDs are scoped per endpoint (PUT /send/{type}/… vs
     * PUT /redact/…), so one ID may make a message and a redaction.
     */
    eventType: text("event_type").notNull(),
    /** The event that transaction made: a retry gets this one back. */
    eventId: text("event_id").notNull(),
    /** When it was stored, ms; old rows are swept. */
    createdTs: bigint("created_ts", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.sender, t.deviceId, t.txnId, t.eventType] })],
);

export const roomVisibility = roomserverSchema.table("room_visibility", {
  /** The room. */
  roomNid: nid("room_nid").primaryKey(),
  /** m.room.join_rules' join_rule in the current state; null without one. */
  joinRule: text("join_rule"),
  /** m.room.history_visibility's history_visibility in the current state; null without one. */
  historyVisibility: text("history_visibility"),
});

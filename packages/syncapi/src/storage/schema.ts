/**
 * drizzle definitions of the `syncapi` tables (the SQL lives in migrations.ts; the two must
 * agree). Positions: `stream_pos` orders everything room-shaped, `account_data_pos` account data;
 * a since token is one of each, so it stays valid across restarts.
 */
import { bigint, bigserial, boolean, jsonb, pgSchema, primaryKey, text } from "drizzle-orm/pg-core";

export const syncapiSchema = pgSchema("syncapi");

const pos = (name: string) => bigint(name, { mode: "number" });

export const streamPositions = syncapiSchema.table("stream_positions", {
  /** "room", "account_data" or "receipt". */
  name: text("name").primaryKey(),
  /** Highest committed position of that stream: what a sync may hand out as a token. */
  pos: pos("pos").notNull(),
});

export const outputRoomEvents = syncapiSchema.table("output_room_events", {
  /** Global stream position (from syncapi.stream_pos); the order /sync delivers events in. */
  pos: pos("pos").primaryKey(),
  /** The event ID; UNIQUE so a redelivered output is a no-op. */
  eventId: text("event_id").notNull().unique(),
  /** The room the event belongs to. */
  roomId: text("room_id").notNull(),
  /** Event type, for filters. */
  type: text("type").notNull(),
  /** Sender, for filters and lazy-loaded members. */
  sender: text("sender").notNull(),
  /** State key; null for message events. */
  stateKey: text("state_key"),
  /** DAG depth: the topological order /messages pages in (ties broken by pos). */
  depth: pos("depth").notNull(),
  /** Room version: the redaction algorithm to apply. */
  roomVersion: text("room_version").notNull(),
  /** The PDU as the roomserver sent it; replaced by its redacted form after a redaction. */
  eventJson: jsonb("event_json").$type<Record<string, unknown>>().notNull(),
  /** What we add to `unsigned` (prev_content, replaces_state). */
  unsignedExtra: jsonb("unsigned_extra").$type<Record<string, unknown>>().notNull(),
  /** The redaction (client format) once the event was redacted, for unsigned.redacted_because. */
  redactedBecause: jsonb("redacted_because").$type<Record<string, unknown>>(),
  /** Client transaction ID: echoed as unsigned.transaction_id to the sending device only. */
  txnId: text("txn_id"),
  /** The device that sent it (with txn_id). */
  txnDeviceId: text("txn_device_id"),
  /** content.url is a string: for the contains_url filter. */
  containsUrl: boolean("contains_url").notNull(),
  /** new: timeline; old: backfilled history (/messages only); outlier: state only. */
  originKind: text("origin_kind").$type<"new" | "old" | "outlier">().notNull(),
  /** Never shown to clients (soft-failed). */
  excluded: boolean("excluded").notNull(),
  /** content."m.relates_to".event_id: the parent for /relations; null once redacted. */
  relatesTo: text("relates_to"),
  /** content."m.relates_to".rel_type. */
  relType: text("rel_type"),
});

export const roomState = syncapiSchema.table("room_state", {
  /** Row ID. */
  id: bigserial("id", { mode: "number" }).primaryKey(),
  /** The room. */
  roomId: text("room_id").notNull(),
  /** State event type. */
  type: text("type").notNull(),
  /** State key. */
  stateKey: text("state_key").notNull(),
  /** The state event holding this key while the row is live. */
  eventId: text("event_id").notNull(),
  /** content.membership of m.room.member rows, for member queries without JSON. */
  membership: text("membership"),
  /** Position from which the entry is part of the state. */
  addedPos: pos("added_pos").notNull(),
  /** Position from which it is not (replaced or removed); null = current state. */
  removedPos: pos("removed_pos"),
});

export const memberships = syncapiSchema.table(
  "memberships",
  {
    /** The member. */
    userId: text("user_id").notNull(),
    /** The room. */
    roomId: text("room_id").notNull(),
    /** Position of the change. */
    pos: pos("pos").notNull(),
    /** join, invite, leave, ban or knock. */
    membership: text("membership").notNull(),
    /** The m.room.member event. */
    eventId: text("event_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.roomId, t.pos] })],
);

export const invites = syncapiSchema.table("invites", {
  /** The invite event. */
  eventId: text("event_id").primaryKey(),
  /** The room invited to. */
  roomId: text("room_id").notNull(),
  /** The invited local user. */
  userId: text("user_id").notNull(),
  /** The invite PDU. */
  inviteEvent: jsonb("invite_event").$type<Record<string, unknown>>().notNull(),
  /** Room version of the room. */
  roomVersion: text("room_version").notNull(),
  /** Stripped state events shown in invite_state. */
  strippedState: jsonb("stripped_state").$type<Record<string, unknown>[]>().notNull(),
  /** Position the invite appeared at. */
  pos: pos("pos").notNull(),
  /** Position it stopped being pending (join, reject, revoke); null = pending. */
  retiredPos: pos("retired_pos"),
  /** The membership event that ended it. */
  retiredByEventId: text("retired_by_event_id"),
  /** Its membership (join, leave, ban …). */
  retiredMembership: text("retired_membership"),
});

export const accountData = syncapiSchema.table(
  "account_data",
  {
    /** The owner. */
    userId: text("user_id").notNull(),
    /** "" for global account data, else the room. */
    roomId: text("room_id").notNull(),
    /** Account data type (m.tag, m.direct …). */
    type: text("type").notNull(),
    /** Latest content. */
    content: jsonb("content").$type<Record<string, unknown>>().notNull(),
    /** Our position of the last change (from syncapi.account_data_pos). */
    pos: pos("pos").notNull(),
    /** userapi's streamPos of that change: an older or repeated message changes nothing. */
    sourcePos: pos("source_pos").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.roomId, t.type] })],
);

export const filters = syncapiSchema.table("filters", {
  /** The numeric filter ID handed to the client. */
  filterId: bigserial("filter_id", { mode: "number" }).primaryKey(),
  /** Owner; a filter is only readable by its owner. */
  userId: text("user_id").notNull(),
  /** The filter JSON as uploaded (after validation). */
  filter: jsonb("filter").$type<Record<string, unknown>>().notNull(),
});

export const lazyLoadedMembers = syncapiSchema.table(
  "lazy_loaded_members",
  {
    /** The syncing user. */
    userId: text("user_id").notNull(),
    /** Their device: each device has its own copy of the member list. */
    deviceId: text("device_id").notNull(),
    /** The room. */
    roomId: text("room_id").notNull(),
    /** The member whose m.room.member event was sent. */
    memberId: text("member_id").notNull(),
    /** Which of their member events the device has: a newer one is not redundant. */
    eventId: text("event_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.deviceId, t.roomId, t.memberId] })],
);


/** The latest receipt of each (room, type, user, thread), from eduserver's OutputReceiptEvent (queries: receipts.ts). */
export const receipts = syncapiSchema.table(
  "receipts",
  {
    roomId: text("room_id").notNull(),
    /** m.read or m.read.private (shown to its owner only). */
    receiptType: text("receipt_type").notNull(),
    userId: text("user_id").notNull(),
    /** The thread root's event ID or "main"; '' for an unthreaded receipt. */
    threadId: text("thread_id").notNull().default(""),
    eventId: text("event_id").notNull(),
    /** When the user's server received it, ms. */
    ts: pos("ts").notNull(),
    /** Position in the receipt stream (syncapi.receipt_pos): the sync token's third part. */
    pos: pos("pos").notNull(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.receiptType, t.userId, t.threadId] })],
);

/**
 * The roomserver's internal API as a ts-rest contract: the same operations in-process
 * (localClient) and over HTTP (httpClient / mountContract). Failures are MatrixErrors
 * (M_FORBIDDEN naming the auth rule, M_NOT_FOUND, M_BAD_JSON …), never a 500 for bad input.
 */
import { initContract } from "@ts-rest/core";
import type { ContractClient, ContractImpl } from "@dendrite-ts/runtime";
import { z } from "zod";

const c = initContract();

/** A PDU as JSON. Read leniently: the room version decides what a valid one is. */
export const pduSchema = z.record(z.unknown());
export type PduJson = z.infer<typeof pduSchema>;

const stateKeyTuple = z.object({
  type: z.string(),
  /** "*" matches every state key of the type (queryCurrentState only). */
  stateKey: z.string(),
});
export type StateKeyTuple = z.infer<typeof stateKeyTuple>;

export const inputRoomEventSchema = z.object({
  /** new: extends the DAG; outlier: state unknown, stored for auth chains and invites; old: backfilled history. */
  kind: z.enum(["new", "outlier", "old"]),
  event: pduSchema,
  /** Needed for an outlier in a room we do not hold; otherwise the room's own version is used. */
  roomVersion: z.string().optional(),
  /** Federate the event as this server (our own events); absent for events received over federation. */
  sendAsServer: z.string().optional(),
  /** The client transaction that produced the event, echoed to the sender's /sync. */
  transactionId: z.object({ deviceId: z.string(), transactionId: z.string() }).optional(),
  /**
   * The state before the event, as event IDs already stored (e.g. as outliers), for an event
   * whose prev events we do not hold: the join event of a send_join, a gap after backfill.
   */
  stateEventIds: z.array(z.string()).optional(),
  /** The server that sent it to us (federation), for logs. */
  origin: z.string().optional(),
});
export type InputRoomEvent = z.infer<typeof inputRoomEventSchema>;

export const inputResultSchema = z.object({
  eventId: z.string(),
  status: z.enum(["accepted", "soft_failed", "rejected", "duplicate"]),
  /** The auth rule a rejected or soft-failed event broke (`member.join.banned`). */
  rule: z.string().optional(),
  reason: z.string().optional(),
});
export type InputResult = z.infer<typeof inputResultSchema>;

/**
 * With the state queries' events: for each one that is redacted (served in its redacted form),
 * keyed by its event ID, the redaction that did it, so a client sees unsigned.redacted_because
 * without asking again per event. Absent when none is.
 */
export const redactedBecauseSchema = z.record(pduSchema).optional();

/**
 * With the state queries' events when asked for (`withReplaced`): for each one that replaced
 * an earlier event at its key — in the state before it — keyed by its event ID, that earlier
 * event as served, so a client sees unsigned.replaces_state and prev_content. Absent when none did.
 */
export const replacedSchema = z.record(pduSchema).optional();

const membership = z.enum(["join", "invite", "leave", "ban", "knock"]);
const ok = <T extends z.ZodTypeAny>(body: T) => ({ 200: body });
const post = <B extends z.ZodTypeAny, R extends z.ZodTypeAny>(path: string, body: B, response: R, summary: string) =>
  ({ method: "POST", path, body, responses: ok(response), summary }) as const;

/** A local user's profile as their m.room.member events carry it (spec: "m.room.member"). */
export const memberProfileSchema = z.object({ displayname: z.string().optional(), avatar_url: z.string().optional() });
export type MemberProfile = z.infer<typeof memberProfileSchema>;

/** A room as the public room directory shows it (client-server API, PublishedRoomsChunk). */
export const publicRoomSchema = z.object({
  roomId: z.string(),
  numJoinedMembers: z.number().int(),
  worldReadable: z.boolean(),
  guestCanJoin: z.boolean(),
  joinRule: z.string().optional(),
  name: z.string().optional(),
  topic: z.string().optional(),
  canonicalAlias: z.string().optional(),
  avatarUrl: z.string().optional(),
  roomType: z.string().optional(),
});
export type PublicRoom = z.infer<typeof publicRoomSchema>;

export const roomSummarySchema = publicRoomSchema.extend({
  roomVersion: z.string(),
  /** m.room.encryption's algorithm, when the room is encrypted. */
  encryption: z.string().optional(),
  /** For restricted join rules: the rooms whose members may join. */
  allowedRoomIds: z.array(z.string()).optional(),
});
export type RoomSummary = z.infer<typeof roomSummarySchema>;

/** A user the directory search found, named as their join in a room the searcher may see says. */
export const directoryUserSchema = z.object({ userId: z.string(), displayName: z.string().optional(), avatarUrl: z.string().optional() });
export type DirectoryUser = z.infer<typeof directoryUserSchema>;

const createRoomBody = z.object({
  creator: z.string(),
  roomVersion: z.string().optional(),
  preset: z.enum(["private_chat", "public_chat", "trusted_private_chat"]).optional(),
  visibility: z.enum(["public", "private"]).optional(),
  name: z.string().optional(),
  topic: z.string().optional(),
  invite: z.array(z.string()).optional(),
  initialState: z.array(z.object({ type: z.string(), stateKey: z.string().default(""), content: z.record(z.unknown()) })).optional(),
  creationContent: z.record(z.unknown()).optional(),
  powerLevelContentOverride: z.record(z.unknown()).optional(),
  isDirect: z.boolean().optional(),
  roomAliasName: z.string().optional(),
  /** What the member events of these users (the creator, local invitees) carry: their profiles. */
  memberContent: z.record(memberProfileSchema).optional(),
});
export type CreateRoomRequest = z.input<typeof createRoomBody>;

const membershipChange = z.object({ sender: z.string(), roomId: z.string(), target: z.string(), reason: z.string().optional() });
const eventIdBody = z.object({ eventId: z.string() });

export const roomserverContract = c.router(
  {
    inputRoomEvents: post(
      "/input",
      z.object({ events: z.array(inputRoomEventSchema), async: z.boolean().default(false) }),
      z.object({ results: z.array(inputResultSchema) }),
      "Persist events. Sync: waits, and a rejected event fails with M_FORBIDDEN naming the rule.",
    ),
    queryLatestEventsAndState: post(
      "/query/latest-events-and-state",
      z.object({ roomId: z.string(), stateToFetch: z.array(stateKeyTuple) }),
      z.object({
        roomExists: z.boolean(),
        roomVersion: z.string().optional(),
        latestEventIds: z.array(z.string()),
        depth: z.number(),
        stateEvents: z.array(pduSchema),
      }),
      "What a new event needs: forward extremities, depth and the requested current state.",
    ),
    queryStateAfterEvents: post(
      "/query/state-after-events",
      z.object({ roomId: z.string(), prevEventIds: z.array(z.string()), stateToFetch: z.array(stateKeyTuple).optional(), withReplaced: z.boolean().optional() }),
      z.object({ roomExists: z.boolean(), prevEventsExist: z.boolean(), stateEvents: z.array(pduSchema), redactedBecause: redactedBecauseSchema, replaced: replacedSchema }),
      "The state after the given events (resolved when they diverge); all of it unless stateToFetch says.",
    ),
    queryEventsById: post(
      "/query/events-by-id",
      z.object({ eventIds: z.array(z.string()) }),
      z.object({ events: z.array(pduSchema) }),
      "Stored, non-rejected events by ID (redacted ones in their redacted form); unknown IDs are left out.",
    ),
    queryCurrentState: post(
      "/query/current-state",
      z.object({ roomId: z.string(), stateTuples: z.array(stateKeyTuple), withReplaced: z.boolean().optional() }),
      z.object({ roomExists: z.boolean(), stateEvents: z.array(pduSchema), redactedBecause: redactedBecauseSchema, replaced: replacedSchema }),
      "Current state by (type, state_key); a state key of \"*\" matches all of the type.",
    ),
    queryMembership: post(
      "/query/membership",
      z.object({ roomId: z.string(), userId: z.string() }),
      z.object({
        roomExists: z.boolean(),
        membership: membership.optional(),
        eventId: z.string().optional(),
        isInRoom: z.boolean(),
        /** Joined at some point and has not forgotten the room since leaving. */
        hasBeenInRoom: z.boolean(),
      }),
      "A user's membership in a room, from current state.",
    ),
    queryMembersOfRoom: post(
      "/query/members",
      z.object({ roomId: z.string(), joinedOnly: z.boolean().default(false), atEventId: z.string().optional() }),
      z.object({ roomExists: z.boolean(), members: z.array(pduSchema) }),
      "Member events of a room, now or in the state before an event.",
    ),
    queryRoomsForUser: post(
      "/query/rooms-for-user",
      z.object({ userId: z.string(), membership: membership.default("join") }),
      z.object({ roomIds: z.array(z.string()) }),
      "Rooms in which the user has the membership.",
    ),
    setRoomAlias: post(
      "/alias/set",
      z.object({ alias: z.string(), roomId: z.string(), userId: z.string() }),
      z.object({ aliasExists: z.boolean() }),
      "Map a local alias to a room; aliasExists when it was taken.",
    ),
    removeRoomAlias: post(
      "/alias/remove",
      z.object({
        alias: z.string(),
        /** Acting for this user: its creator, or joined with power to send m.room.canonical_alias. Absent: no check (admins). */
        userId: z.string().optional(),
      }),
      z.object({ found: z.boolean(), removed: z.boolean() }),
      "Remove an alias: its creator, a joined user with power to change m.room.canonical_alias, or a caller acting for nobody; a user who may also takes it out of m.room.canonical_alias.",
    ),
    resolveRoomAlias: post("/alias/resolve", z.object({ alias: z.string() }), z.object({ roomId: z.string().optional() }), "Alias → room ID."),
    queryAliasesForRoom: post("/alias/list", z.object({ roomId: z.string() }), z.object({ aliases: z.array(z.string()) }), "Local aliases of a room."),
    performCreateRoom: post("/perform/create-room", createRoomBody, z.object({ roomId: z.string(), roomAlias: z.string().optional() }), "Create a room."),
    performJoin: post(
      "/perform/join",
      z.object({ userId: z.string(), roomIdOrAlias: z.string(), content: z.record(z.unknown()).optional() }),
      z.object({ roomId: z.string(), eventId: z.string() }),
      "Join a room we hold (restricted joins whose allowed room is local included).",
    ),
    performKnock: post(
      "/perform/knock",
      z.object({ userId: z.string(), roomIdOrAlias: z.string(), reason: z.string().optional(), content: z.record(z.unknown()).optional() }),
      z.object({ roomId: z.string(), eventId: z.string() }),
      "Knock on a room we hold (room versions 7+); content (the knocker's profile) goes into the knock event.",
    ),
    performLeave: post("/perform/leave", z.object({ userId: z.string(), roomId: z.string(), reason: z.string().optional() }), eventIdBody, "Leave, or reject an invite."),
    performInvite: post(
      "/perform/invite",
      z.object({
        sender: z.string(),
        roomId: z.string(),
        invitee: z.string(),
        reason: z.string().optional(),
        isDirect: z.boolean().optional(),
        /** The invitee's profile, for the invite event. */
        inviteeProfile: memberProfileSchema.optional(),
      }),
      eventIdBody,
      "Invite a local user.",
    ),
    performKick: post("/perform/kick", membershipChange, eventIdBody, "Kick a member."),
    performBan: post("/perform/ban", membershipChange, eventIdBody, "Ban a user."),
    performUnban: post("/perform/unban", membershipChange, eventIdBody, "Unban a user."),
    performForget: post("/perform/forget", z.object({ userId: z.string(), roomId: z.string() }), z.object({}), "Forget a room the user has left."),
    performSendEvent: post(
      "/perform/send-event",
      z.object({
        sender: z.string(),
        roomId: z.string(),
        type: z.string(),
        stateKey: z.string().optional(),
        content: z.record(z.unknown()),
        /** m.room.redaction in room versions 1–10: the redacted event (v11+ puts it in content). */
        redacts: z.string().optional(),
        transactionId: z.object({ deviceId: z.string(), transactionId: z.string() }).optional(),
      }),
      eventIdBody,
      "Build, sign and send an event as a local user.",
    ),
    performPublish: post(
      "/perform/publish",
      z.object({
        roomId: z.string(),
        visibility: z.enum(["public", "private"]),
        /** Acting for this user: they must be joined, with power to send m.room.canonical_alias. Absent: no check (admins, createRoom). */
        userId: z.string().optional(),
      }),
      z.object({}),
      "List a room in, or remove it from, our public room directory.",
    ),
    queryRoomSummary: post(
      "/query/room-summary",
      z.object({ roomId: z.string() }),
      roomSummarySchema,
      "One room's summary (directory entry, version, encryption, restricted join's rooms); M_NOT_FOUND for a room we do not hold.",
    ),
    queryPublicRooms: post(
      "/query/public-rooms",
      z.object({
        /** Rooms per page; absent: all of them. */
        limit: z.number().int().min(1).optional(),
        /** A nextBatch or prevBatch of an earlier answer. */
        since: z.string().optional(),
        filter: z
          .object({
            /** Case-insensitive substring of the name, topic or canonical alias. */
            searchTerm: z.string().optional(),
            /** Room types (m.room.create's `type`) to list; null stands for rooms without one. */
            roomTypes: z.array(z.string().nullable()).optional(),
          })
          .optional(),
      }),
      z.object({
        rooms: z.array(publicRoomSchema),
        nextBatch: z.string().optional(),
        prevBatch: z.string().optional(),
        /** Rooms matching the filter, on every page. */
        total: z.number().int(),
      }),
      "Summaries of the rooms in our public room directory, most joined members first, a page at a time.",
    ),
    querySearchUserDirectory: post(
      "/query/user-directory",
      z.object({
        /** The searcher. */
        userId: z.string(),
        /** Each of its words must begin a word of a user's ID or display name (case-insensitive). */
        searchTerm: z.string(),
        limit: z.number().int().min(0),
        /** Search the joined members of every room, not only those the searcher shares or public ones (the searcher left out). */
        searchAllUsers: z.boolean().default(false),
      }),
      z.object({ users: z.array(directoryUserSchema), limited: z.boolean() }),
      "Joined members of the rooms the user is in and of public rooms (join rule public or history world_readable) matching a search term, best first; limited when there were more.",
    ),
    queryPublishedRooms: post(
      "/query/published",
      z.object({ roomId: z.string().optional() }),
      z.object({ roomIds: z.array(z.string()) }),
      "Rooms in our public room directory (only roomId, if given and published).",
    ),
    queryJoinedHosts: post(
      "/query/joined-hosts",
      z.object({ roomId: z.string() }),
      z.object({ serverNames: z.array(z.string()) }),
      "Servers with at least one joined member, per current state.",
    ),
    queryAuthChain: post(
      "/query/auth-chain",
      z.object({ eventIds: z.array(z.string()) }),
      z.object({ events: z.array(pduSchema) }),
      "The auth chain of the events (not the events themselves), oldest first: /event_auth, send_join.",
    ),
    queryBackfill: post(
      "/query/backfill",
      z.object({ roomId: z.string(), fromEventIds: z.array(z.string()), limit: z.number().int().min(1).max(1000) }),
      z.object({ events: z.array(pduSchema) }),
      "Events from the given ones (included) backwards through prev_events, newest first.",
    ),
    queryMissingEvents: post(
      "/query/missing-events",
      z.object({
        roomId: z.string(),
        earliestEventIds: z.array(z.string()),
        latestEventIds: z.array(z.string()),
        limit: z.number().int().min(1).max(1000).default(10),
        minDepth: z.number().int().min(0).default(0),
      }),
      z.object({ events: z.array(pduSchema) }),
      "Events between earliest and latest (both excluded), oldest first: /get_missing_events.",
    ),
    performUpgradeRoom: post(
      "/perform/upgrade-room",
      z.object({
        userId: z.string(),
        roomId: z.string(),
        newVersion: z.string(),
        additionalCreators: z.array(z.string()).optional(),
        /** What the upgrader's join in the new room carries: their profile. */
        userProfile: memberProfileSchema.optional(),
      }),
      z.object({ replacementRoomId: z.string() }),
      "Replace a room with one of another version: state copied, aliases moved, tombstone in the old room.",
    ),
    performPurgeRoom: post(
      "/perform/purge-room",
      z.object({ roomId: z.string() }),
      z.object({}),
      "Admin: delete everything stored for a room; consumers hear purge_room.",
    ),
    queryVisibleEvents: post(
      "/query/visible-events",
      z.union([
        z.object({ eventIds: z.array(z.string()), userId: z.string() }),
        z.object({ eventIds: z.array(z.string()), serverName: z.string() }),
      ]),
      z.object({ visibleEventIds: z.array(z.string()) }),
      "The events a user (history visibility) or a server (federation) may see, in the order asked.",
    ),
    queryRedactionsOf: post(
      "/query/redactions",
      z.object({ eventId: z.string() }),
      z.object({ redactions: z.array(z.object({ redactionEventId: z.string(), validated: z.boolean() })) }),
      "Redactions that target an event, validated or still waiting for it.",
    ),
  },
  { pathPrefix: "/_dendrite/roomserver/v1", strictStatusCodes: true },
);

export type RoomserverContract = typeof roomserverContract;
/** What createRoomserver returns: the contract's server side. */
export type RoomserverApi = ContractImpl<RoomserverContract>;
/** What callers hold, in-process or remote. */
export type RoomserverClient = ContractClient<RoomserverContract>;

/** clientapi: building and sending events, /state, create/join/leave/invite, aliases. */
export type RoomserverForClient = Pick<
  RoomserverClient,
  | "performSendEvent"
  | "performCreateRoom"
  | "performJoin"
  | "performKnock"
  | "performLeave"
  | "performInvite"
  | "performKick"
  | "performBan"
  | "performUnban"
  | "performForget"
  | "queryLatestEventsAndState"
  | "queryCurrentState"
  | "queryMembership"
  | "queryEventsById"
  | "setRoomAlias"
  | "removeRoomAlias"
  | "resolveRoomAlias"
  | "queryAliasesForRoom"
  | "queryRoomsForUser"
  | "inputRoomEvents"
  | "performPublish"
  | "queryPublishedRooms"
  | "queryPublicRooms"
  | "queryRoomSummary"
  | "performUpgradeRoom"
  | "querySearchUserDirectory"
>;

/** syncapi: membership and visibility, members, state at events, history it lacks. */
export type RoomserverForSync = Pick<
  RoomserverClient,
  | "queryMembership"
  | "queryMembersOfRoom"
  | "queryStateAfterEvents"
  | "queryEventsById"
  | "queryCurrentState"
  | "queryRoomsForUser"
  | "queryBackfill"
  | "queryVisibleEvents"
  | "queryLatestEventsAndState"
>;

/** federationapi: make_join/leave templates, input of received events, state and events for peers. */
export type RoomserverForFederation = Pick<
  RoomserverClient,
  | "inputRoomEvents"
  | "queryLatestEventsAndState"
  | "queryStateAfterEvents"
  | "queryEventsById"
  | "queryCurrentState"
  | "queryMembership"
  | "queryMembersOfRoom"
  | "resolveRoomAlias"
  | "queryJoinedHosts"
  | "queryAuthChain"
  | "queryPublishedRooms"
  | "queryBackfill"
  | "queryMissingEvents"
  | "queryVisibleEvents"
>;

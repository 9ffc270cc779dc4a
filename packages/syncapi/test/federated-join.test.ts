// A room learned the way a federation join delivers it: its state as outliers (no output for
// them), then an event with that state given. The syncapi never saw the state events as timeline
// events, so it fetches them from the roomserver and stores them state-only.
import { computeEventId, generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, type Database, type Streams } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { createRoomserver, outputSubject, roomserverContract, type Roomserver } from "@dendrite-ts/roomserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, sync, timelineIds, type Harness, type User } from "./harness";

const ALICE = "@alice:origin.test";

describe("state the syncapi never saw as events", () => {
  let h: Harness;
  let origin: { db: Database; streams: Streams; rs: Roomserver };
  let carol: User;

  beforeAll(async () => {
    h = await startHarness();
    carol = await h.user("carol");
    const db = await openTestDatabase();
    const streams = await createEmbeddedStreams(db, { pollMs: 50 });
    origin = { db, streams, rs: await createRoomserver({ db, streams, serverName: "origin.test", signingKey: generateSigningKey("ed25519:o") }) };
  });
  afterAll(async () => {
    await h.close();
    await origin.rs.close();
    await origin.streams.close();
    await origin.db.close();
  });

  it("is fetched from the roomserver and shown as state, not in timelines", async () => {
    const oc = localClient(roomserverContract, origin.rs.api);
    const { roomId } = (await oc.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", name: "Far room" } })).body;
    const msg = (await oc.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "hello from afar" } } })).body;
    const [msgPdu] = (await oc.queryEventsById({ body: { eventIds: [msg.eventId] } })).body.events;
    const stateBefore = (await oc.queryStateAfterEvents({ body: { roomId, prevEventIds: msgPdu!.prev_events as string[] } })).body.stateEvents;
    const byDepth = [...stateBefore].sort((a, b) => Number(a.depth) - Number(b.depth));
    await h.roomserver.inputRoomEvents({ body: { events: byDepth.map((event) => ({ kind: "outlier" as const, event, roomVersion: "12" })) } });
    const stateIds = stateBefore.map((e) => computeEventId(e, "12"));
    await h.roomserver.inputRoomEvents({ body: { events: [{ kind: "new", event: msgPdu!, stateEventIds: stateIds }] } });
    await h.waitForEvents(msg.eventId);

    const kinds = await h.db.sql`SELECT origin_kind, count(*)::int AS n FROM syncapi.output_room_events WHERE room_id = ${roomId} GROUP BY origin_kind ORDER BY origin_kind`;
    expect(kinds.map((r) => [r.origin_kind, r.n])).toEqual([
      ["new", 1],
      ["outlier", stateIds.length],
    ]);

    const join = (await h.roomserver.performJoin({ body: { userId: carol.userId, roomIdOrAlias: roomId } })).body;
    await h.waitForEvents(join.eventId);
    const res = await sync(h, carol);
    expect(timelineIds(res, roomId)).toEqual([msg.eventId, join.eventId]);
    const state = res.rooms.join[roomId].state.events;
    expect(state.find((e: any) => e.type === "m.room.name").content).toEqual({ name: "Far room" });
    expect(state.map((e: any) => e.event_id).sort()).toEqual([...stateIds].sort());
    // /messages holds only the timeline: the state-only rows are not history.
    const msgs = await h.get(carol, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 50 });
    expect(msgs.body.chunk.map((e: any) => e.event_id)).toEqual([join.eventId, msg.eventId]);
    expect(msgs.body.end).toBeUndefined();
    // Each is still an event one can fetch by ID.
    const create = state.find((e: any) => e.type === "m.room.create");
    const byId = await h.get(carol, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(create.event_id)}`);
    expect(byId.status).toBe(200);
    expect(byId.body.content).toEqual(create.content);

    // Delivered later as a timeline event (an outlier the roomserver upgraded): it joins the
    // timeline at its new position, once.
    const [createPdu] = (await h.roomserver.queryEventsById({ body: { eventIds: [create.event_id] } })).body.events;
    const before = await sync(h, carol);
    const upgrade = {
      kind: "new_room_event" as const,
      roomId,
      roomVersion: "12",
      event: createPdu!,
      eventId: create.event_id,
      addsStateEventIds: [],
      removesStateEventIds: [],
      stateBeforeAddsEventIds: [],
      stateBeforeRemovesEventIds: [],
      latestEventIds: [],
    };
    await h.streams.publish(outputSubject(roomId), upgrade);
    await h.streams.publish(outputSubject(roomId), upgrade);
    const res2 = await sync(h, carol, { since: before.next_batch, timeout: 5000 });
    expect(timelineIds(res2, roomId)).toEqual([create.event_id]);
    const [row] = await h.db.sql`SELECT origin_kind FROM syncapi.output_room_events WHERE event_id = ${create.event_id}`;
    expect(row!.origin_kind).toBe("new");
  });
});

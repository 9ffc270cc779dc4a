import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeEventId } from "@dendrite-ts/protocol";
import { ALICE, BOB, buildOn, CAROL, readOutputs, startRoomserver, type Harness } from "./helpers/roomserver";

// `origin` builds the room; `joiner` learns it the way a federation join would deliver it.
let origin: Harness;
let joiner: Harness;
beforeAll(async () => {
  [origin, joiner] = await Promise.all([startRoomserver(), startRoomserver()]);
});
afterAll(() => Promise.all([origin.close(), joiner.close()]));

describe("outliers and given state (the federation join seam)", () => {
  it("state as outliers, an outlier upgraded with its state, then an event on top of it", async () => {
    const { roomId } = (await origin.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await origin.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const msg = (await origin.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { body: "before carol" } } })).body;
    const [msgPdu] = (await origin.client.queryEventsById({ body: { eventIds: [msg.eventId] } })).body.events;
    const stateBeforeMsg = (await origin.client.queryStateAfterEvents({ body: { roomId, prevEventIds: msgPdu!.prev_events as string[] } })).body.stateEvents;

    // 1. The state (auth events first: depth order suffices here) and the message, as outliers.
    const byDepth = [...stateBeforeMsg].sort((a, b) => Number(a.depth) - Number(b.depth));
    const outliers = [...byDepth, msgPdu!].map((event) => ({ kind: "outlier" as const, event, roomVersion: "12" }));
    const results = (await joiner.client.inputRoomEvents({ body: { events: outliers } })).body.results;
    expect(results.every((r) => r.status === "accepted")).toBe(true);
    expect((await joiner.client.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.create", stateKey: "" }] } })).body.roomExists).toBe(false);

    // 2. The message again, now with the state before it: it joins the DAG and the room has state.
    const stateIds = stateBeforeMsg.map((e) => computeEventId(e, "12"));
    const [upgraded] = (await joiner.client.inputRoomEvents({ body: { events: [{ kind: "new", event: msgPdu!, stateEventIds: stateIds }] } })).body.results;
    expect(upgraded?.status).toBe("accepted");
    const [rows] = await joiner.db.sql`SELECT count(*)::int AS n, bool_or(outlier) AS outlier FROM roomserver.events WHERE event_id = ${msg.eventId}`;
    expect(rows).toEqual({ n: 1, outlier: false });
    expect((await joiner.client.queryMembership({ body: { roomId, userId: BOB } })).body.membership).toBe("join");

    // 3. Carol joins on the origin; the joiner takes the event on top of the upgraded message.
    const join = (await origin.client.performJoin({ body: { userId: CAROL, roomIdOrAlias: roomId } })).body;
    const [joinPdu] = (await origin.client.queryEventsById({ body: { eventIds: [join.eventId] } })).body.events;
    await joiner.client.inputRoomEvents({ body: { events: [{ kind: "new", event: joinPdu! }] } });
    expect((await joiner.client.queryMembership({ body: { roomId, userId: CAROL } })).body).toMatchObject({ membership: "join", isInRoom: true });
    expect((await joiner.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds).toEqual([join.eventId]);
  });

  it("an event whose auth or prev events are unknown is M_BAD_STATE and is not stored", async () => {
    const { roomId } = (await origin.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const msg = (await origin.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "?" } } })).body;
    const [create] = (await origin.client.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.create", stateKey: "" }] } })).body.stateEvents;
    await joiner.client.inputRoomEvents({ body: { events: [{ kind: "new", event: create! }] } });
    const [pdu] = (await origin.client.queryEventsById({ body: { eventIds: [msg.eventId] } })).body.events;
    await expect(joiner.client.inputRoomEvents({ body: { events: [{ kind: "new", event: pdu! }] } })).rejects.toMatchObject({ errcode: "M_BAD_STATE" });
    // With its auth events known (as outliers) it is the prev events that are missing.
    const state = (await origin.client.queryStateAfterEvents({ body: { roomId, prevEventIds: pdu!.prev_events as string[] } })).body.stateEvents;
    const auth = state.filter((e) => (pdu!.auth_events as string[]).includes(computeEventId(e, "12")));
    await joiner.client.inputRoomEvents({ body: { events: auth.map((event) => ({ kind: "outlier" as const, event })) } });
    await expect(joiner.client.inputRoomEvents({ body: { events: [{ kind: "new", event: pdu! }] } })).rejects.toMatchObject({
      errcode: "M_BAD_STATE",
      message: expect.stringContaining("prev_events"),
    });
    const [row] = await joiner.db.sql`SELECT count(*)::int AS n FROM roomserver.events WHERE event_id = ${msg.eventId}`;
    expect((row as { n: number }).n).toBe(0);
  });

  it("an old (backfilled) event is stored and published as old_room_event without moving the room", async () => {
    const { roomId } = (await origin.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", topic: "now" } })).body;
    const early = (await origin.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    await origin.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "later" } } });
    const latest = (await origin.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const old = await buildOn(origin, roomId, early, { sender: ALICE, type: "m.room.topic", stateKey: "", content: { topic: "history" } });
    const [result] = (await origin.client.inputRoomEvents({ body: { events: [{ kind: "old", event: old.pdu }] } })).body.results;
    expect(result?.status).toBe("accepted");
    expect((await origin.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds).toEqual(latest);
    const topic = (await origin.client.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.topic", stateKey: "" }] } })).body.stateEvents[0];
    expect(topic?.content).toEqual({ topic: "now" });
    const outputs = await readOutputs(origin, "old-event", (m) => m.some((o) => o.kind === "old_room_event" && o.eventId === old.eventId));
    expect(outputs.filter((o) => "eventId" in o && o.eventId === old.eventId).map((o) => o.kind)).toEqual(["old_room_event"]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewRoomEventOutput } from "../src";
import { ALICE, BOB, readOutputs, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
let roomId: string;
beforeAll(async () => {
  h = await startRoomserver();
  roomId = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body.roomId;
});
afterAll(() => h.close());

describe("message send", () => {
  it("stores the message on top of the latest event and publishes new_room_event with the txn id", async () => {
    const before = await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } });
    const { body } = await h.client.performSendEvent({
      body: { sender: ALICE, roomId, type: "m.room.message", content: { msgtype: "m.text", body: "hi" }, transactionId: { deviceId: "D", transactionId: "t1" } },
    });
    const [ev] = (await h.client.queryEventsById({ body: { eventIds: [body.eventId] } })).body.events;
    expect(ev).toMatchObject({ type: "m.room.message", sender: ALICE, room_id: roomId, prev_events: before.body.latestEventIds, depth: before.body.depth });
    const after = await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [{ type: "m.room.create", stateKey: "" }] } });
    expect(after.body.latestEventIds).toEqual([body.eventId]);
    expect(after.body.stateEvents).toHaveLength(1);

    const outputs = await readOutputs(h, "send-test", (msgs) => msgs.some((m) => m.kind === "new_room_event" && m.eventId === body.eventId));
    const out = outputs.find((m): m is NewRoomEventOutput => m.kind === "new_room_event" && m.eventId === body.eventId)!;
    expect(out).toMatchObject({
      transactionId: { deviceId: "D", transactionId: "t1" },
      sendAsServer: "test.local",
      addsStateEventIds: [],
      removesStateEventIds: [],
      latestEventIds: [body.eventId],
    });
  });

  it("a state event's output names what it adds and removes", async () => {
    const { body } = await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.topic", stateKey: "", content: { topic: "new" } } });
    const outputs = await readOutputs(h, "send-test-2", (msgs) => msgs.some((m) => m.kind === "new_room_event" && m.eventId === body.eventId));
    const out = outputs.find((m): m is NewRoomEventOutput => m.kind === "new_room_event" && m.eventId === body.eventId)!;
    expect(out.addsStateEventIds).toEqual([body.eventId]);
    expect(out.removesStateEventIds).toEqual([]);
    const { body: again } = await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.topic", stateKey: "", content: { topic: "newer" } } });
    const outs = await readOutputs(h, "send-test-3", (msgs) => msgs.some((m) => m.kind === "new_room_event" && m.eventId === again.eventId));
    const second = outs.find((m): m is NewRoomEventOutput => m.kind === "new_room_event" && m.eventId === again.eventId)!;
    expect(second.addsStateEventIds).toEqual([again.eventId]);
    expect(second.removesStateEventIds).toEqual([body.eventId]);
  });
});

describe("auth rejection names the rule", () => {
  it("a message from a user who is not joined is M_FORBIDDEN sender.not_joined", async () => {
    await expect(
      h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { msgtype: "m.text", body: "let me in" } } }),
    ).rejects.toMatchObject({ errcode: "M_FORBIDDEN", extras: { rule: "sender.not_joined" } });
  });

  it("a banned user's join is M_FORBIDDEN member.join.banned", async () => {
    await h.client.performBan({ body: { sender: ALICE, roomId, target: BOB, reason: "spam" } });
    await expect(h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).rejects.toMatchObject({
      errcode: "M_FORBIDDEN",
      extras: { rule: "member.join.banned" },
    });
  });

  it("a rejected event is stored flagged, never served, and does not move the room", async () => {
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const [row] = await h.db.sql`SELECT count(*)::int AS n FROM roomserver.events WHERE rejected`;
    expect((row as { n: number }).n).toBeGreaterThanOrEqual(2);
    expect((await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds).toEqual(latest);
  });
});

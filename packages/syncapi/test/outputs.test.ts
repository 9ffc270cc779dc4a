// OutputRoomEvent kinds the roomserver emits on paths these tests cannot drive end to end
// (backfill, purge), published here as the roomserver would.
import { outputSubject } from "@dendrite-ts/roomserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, startHarness, sync, timelineIds, type Harness, type User } from "./harness";

describe("old_room_event and purge_room", () => {
  let h: Harness;
  let alice: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
  });
  afterAll(() => h.close());

  it("a backfilled event is history for /messages, not news for /sync", async () => {
    const roomId = await createRoom(h, alice);
    const before = await sync(h, alice);
    const old = { type: "m.room.message", sender: alice.userId, room_id: roomId, content: { body: "from long ago" }, origin_server_ts: 5, depth: 0 };
    await h.streams.publish(outputSubject(roomId), { kind: "old_room_event", roomId, roomVersion: "12", event: old, eventId: "$backfilled" });
    const sentinel = await send(h, alice, roomId, "now");
    await h.waitForEvents("$backfilled", sentinel);
    expect(timelineIds(await sync(h, alice, { since: before.next_batch }), roomId)).toEqual([sentinel]);
    const chunk = (await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "f", limit: 1 })).body.chunk;
    // Depth 0 sorts it before the create event (depth 1).
    expect(chunk.map((e: any) => e.event_id)).toEqual(["$backfilled"]);
  });

  it("a malformed message is skipped, not retried forever in front of the room's next event", async () => {
    const roomId = await createRoom(h, alice);
    await h.streams.publish(outputSubject(roomId), { kind: "new_room_event", roomId });
    await h.streams.publish(outputSubject(roomId), new TextEncoder().encode("not json {"));
    await h.streams.publish("OutputClientData.bm9ib2R5", { kind: "account_data", userId: 5 });
    const next = await send(h, alice, roomId, "still flowing");
    await h.waitForEvents(next);
    await h.userapi.setAccountData({ body: { userId: alice.userId, type: "org.example.after", content: {} } });
    await h.waitForAccountData(alice.userId, "org.example.after");
  });

  it("a leave retires the user's pending invite in the same write, before any retire_invite arrives", async () => {
    const bob = await h.user("bob");
    const roomId = `!synthetic-leave:${alice.userId.split(":")[1]}`;
    const member = (membership: string, sender: string, depth: number) => ({
      type: "m.room.member", state_key: bob.userId, sender, room_id: roomId, content: { membership }, origin_server_ts: depth, depth,
    });
    await h.streams.publish(outputSubject(roomId), {
      kind: "new_invite", roomId, roomVersion: "12", event: member("invite", alice.userId, 1), eventId: "$synthetic-invite", targetUserId: bob.userId,
    });
    await h.waitForInvite("$synthetic-invite");
    expect((await sync(h, bob)).rooms.invite?.[roomId]).toBeDefined();
    // The roomserver's retire_invite for this leave is deliberately never sent.
    await h.streams.publish(outputSubject(roomId), {
      kind: "new_room_event", roomId, roomVersion: "12", event: member("leave", bob.userId, 2), eventId: "$synthetic-leave",
      addsStateEventIds: ["$synthetic-leave"], removesStateEventIds: [], stateBeforeAddsEventIds: [], stateBeforeRemovesEventIds: [], latestEventIds: ["$synthetic-leave"],
    });
    await h.waitForEvents("$synthetic-leave");
    expect((await sync(h, bob)).rooms.invite?.[roomId]).toBeUndefined();
  });

  it("purge_room removes the room from the syncapi", async () => {
    const roomId = await createRoom(h, alice);
    const msg = await send(h, alice, roomId, "soon gone");
    await h.waitForEvents(msg);
    expect((await sync(h, alice)).rooms.join[roomId]).toBeDefined();
    await h.streams.publish(outputSubject(roomId), { kind: "purge_room", roomId });
    for (let i = 0; i < 200; i++) {
      const rows = await h.db.sql`SELECT 1 FROM syncapi.output_room_events WHERE room_id = ${roomId}`;
      if (rows.length === 0) break;
      await new Promise((r) => setTimeout(r, 15));
    }
    expect((await sync(h, alice)).rooms.join[roomId]).toBeUndefined();
    expect((await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(msg)}`)).status).toBe(404);
  });
});

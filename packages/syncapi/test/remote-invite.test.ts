// An invite over federation to a room we are not in: only new_invite / retire_invite arrive
// (published here as the roomserver would). Stripped state comes from the invite itself, and a
// rejection moves the room to rooms.leave so the client drops the invite.
import { outputSubject, type OutputRoomEvent } from "@dendrite-ts/roomserver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, sync, type Harness, type User } from "./harness";

const REMOTE_ROOM = "!faraway:other.example";

describe("invites to rooms held elsewhere", () => {
  let h: Harness;
  let bob: User;

  beforeAll(async () => {
    h = await startHarness();
    bob = await h.user("bob");
  });
  afterAll(() => h.close());

  async function publish(msg: OutputRoomEvent) {
    await h.streams.publish(outputSubject(REMOTE_ROOM), msg);
  }

  it("shows the carried stripped state, then a leave once the invite is rejected", async () => {
    const before = await sync(h, bob);
    const invite = {
      type: "m.room.member",
      state_key: bob.userId,
      sender: "@carol:other.example",
      room_id: REMOTE_ROOM,
      content: { membership: "invite" },
      origin_server_ts: 1,
      depth: 5,
      unsigned: { invite_room_state: [{ type: "m.room.name", state_key: "", sender: "@carol:other.example", content: { name: "Far away" } }] },
    };
    await publish({ kind: "new_invite", roomId: REMOTE_ROOM, roomVersion: "10", event: invite, eventId: "$remote-invite", targetUserId: bob.userId });
    await h.waitForInvite("$remote-invite");
    const invited = await sync(h, bob, { since: before.next_batch });
    expect(invited.rooms.invite[REMOTE_ROOM].invite_state.events).toEqual([
      { type: "m.room.name", state_key: "", sender: "@carol:other.example", content: { name: "Far away" } },
      { type: "m.room.member", state_key: bob.userId, sender: "@carol:other.example", content: { membership: "invite" } },
    ]);

    await publish({ kind: "retire_invite", roomId: REMOTE_ROOM, eventId: "$remote-invite", targetUserId: bob.userId, retiredByEventId: "$remote-reject", membership: "leave" });
    const res = await sync(h, bob, { since: invited.next_batch, timeout: 5000 });
    expect(res.rooms.invite[REMOTE_ROOM]).toBeUndefined();
    expect(res.rooms.leave[REMOTE_ROOM]).toMatchObject({ timeline: { events: [] } });
    expect((await sync(h, bob)).rooms.invite[REMOTE_ROOM]).toBeUndefined();
    // Delivered again: nothing new.
    await publish({ kind: "retire_invite", roomId: REMOTE_ROOM, eventId: "$remote-invite", targetUserId: bob.userId, retiredByEventId: "$remote-reject", membership: "leave" });
    expect((await sync(h, bob, { since: res.next_batch, timeout: 300 })).rooms.leave).toEqual({});
  });
});

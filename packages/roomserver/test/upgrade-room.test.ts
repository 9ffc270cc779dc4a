import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, startRoomserver, stateMap, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

describe("room upgrade", () => {
  it("v10 → v12: predecessor, state and aliases carried over, tombstone and silence in the old room", async () => {
    const { roomId } = (
      await h.client.performCreateRoom({
        body: {
          creator: ALICE,
          roomVersion: "10",
          preset: "public_chat",
          name: "Old",
          topic: "t",
          roomAliasName: "up",
          visibility: "public",
          powerLevelContentOverride: { users: { [ALICE]: 100, [BOB]: 50 } },
        },
      })
    ).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    await h.client.performJoin({ body: { userId: CAROL, roomIdOrAlias: roomId } });

    await expect(h.client.performUpgradeRoom({ body: { userId: BOB, roomId, newVersion: "12" } })).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    const { replacementRoomId } = (await h.client.performUpgradeRoom({ body: { userId: ALICE, roomId, newVersion: "12" } })).body;

    const fresh = await stateMap(h.client, replacementRoomId);
    expect(fresh["m.room.create|"]).toMatchObject({ room_version: "12", predecessor: { room_id: roomId } });
    expect(fresh["m.room.name|"]).toEqual({ name: "Old" });
    expect(fresh["m.room.topic|"]).toEqual({ topic: "t" });
    expect(fresh["m.room.join_rules|"]).toEqual({ join_rule: "public" });
    expect(fresh["m.room.canonical_alias|"]).toEqual({ alias: "#up:test.local" });
    expect(fresh["m.room.power_levels|"]?.users).toEqual({ [BOB]: 50 });
    expect(fresh[`m.room.member|${ALICE}`]).toEqual({ membership: "join" });
    expect(fresh[`m.room.member|${BOB}`]).toBeUndefined();
    expect((await h.client.resolveRoomAlias({ body: { alias: "#up:test.local" } })).body.roomId).toBe(replacementRoomId);
    expect((await h.client.queryPublishedRooms({ body: {} })).body.roomIds).toContain(replacementRoomId);
    expect((await h.client.queryPublishedRooms({ body: {} })).body.roomIds).not.toContain(roomId);

    const old = await stateMap(h.client, roomId);
    expect(old["m.room.tombstone|"]).toEqual({ body: "This room has been replaced", replacement_room: replacementRoomId });
    expect(old["m.room.power_levels|"]).toMatchObject({ events_default: 50, invite: 50 });
    await expect(h.client.performSendEvent({ body: { sender: CAROL, roomId, type: "m.room.message", content: { body: "hello?" } } })).rejects.toMatchObject({
      errcode: "M_FORBIDDEN",
      extras: { rule: "event.insufficient_power" },
    });
    // Members follow by joining the new room.
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: "#up:test.local" } });
    expect((await h.client.queryMembership({ body: { roomId: replacementRoomId, userId: BOB } })).body.membership).toBe("join");
  });
});

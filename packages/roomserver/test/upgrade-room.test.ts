import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, SERVER, startRoomserver, stateMap, type Harness } from "./helpers/roomserver";

const DAVE = `@dave:${SERVER}`;

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

  it("the only permission asked is the tombstone's: bob (50) upgrades though m.room.encryption needs 100, and gets his real level back", async () => {
    const { roomId } = (
      await h.client.performCreateRoom({
        body: {
          creator: ALICE,
          roomVersion: "10",
          preset: "public_chat",
          roomAliasName: "enc",
          visibility: "public",
          initialState: [{ type: "m.room.encryption", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
          powerLevelContentOverride: { users: { [ALICE]: 100, [BOB]: 50 }, events: { "m.room.tombstone": 50, "m.room.encryption": 100, "m.room.power_levels": 100 } },
        },
      })
    ).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const { replacementRoomId } = (await h.client.performUpgradeRoom({ body: { userId: BOB, roomId, newVersion: "10" } })).body;

    const fresh = await stateMap(h.client, replacementRoomId);
    expect(fresh["m.room.encryption|"]).toEqual({ algorithm: "m.megolm.v1.aes-sha2" });
    expect(fresh["m.room.power_levels|"]?.users).toEqual({ [ALICE]: 100, [BOB]: 50 });
    expect((await h.client.resolveRoomAlias({ body: { alias: "#enc:test.local" } })).body.roomId).toBe(replacementRoomId);
    expect((await stateMap(h.client, roomId))["m.room.tombstone|"]).toMatchObject({ replacement_room: replacementRoomId });
  });

  it("a failed upgrade changes nothing outside the half-built room: aliases, listing, no tombstone, the upgrader not left in it", async () => {
    // v12 refuses a create event whose additional creators are not user IDs (the client route checks them first).
    const { roomId } = (
      await h.client.performCreateRoom({
        body: { creator: ALICE, roomVersion: "10", preset: "public_chat", roomAliasName: "fails", visibility: "public" },
      })
    ).body;
    await expect(h.client.performUpgradeRoom({ body: { userId: ALICE, roomId, newVersion: "12", additionalCreators: ["not a user"] } })).rejects.toThrow();
    expect((await h.client.resolveRoomAlias({ body: { alias: "#fails:test.local" } })).body.roomId).toBe(roomId);
    expect((await h.client.queryPublishedRooms({ body: {} })).body.roomIds).toContain(roomId);
    const old = await stateMap(h.client, roomId);
    expect(old["m.room.tombstone|"]).toBeUndefined();
    expect(old["m.room.canonical_alias|"]).toEqual({ alias: "#fails:test.local" });
    const rooms = (await h.client.queryRoomsForUser({ body: { userId: ALICE, membership: "join" } })).body.roomIds;
    for (const r of rooms) expect((await stateMap(h.client, r))["m.room.create|"]?.predecessor).not.toMatchObject({ room_id: roomId });
  });

  it("bans are carried over with their reason, and the old room's canonical alias is cleared", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, roomVersion: "10", preset: "public_chat", roomAliasName: "bans" } })).body;
    await h.client.performJoin({ body: { userId: DAVE, roomIdOrAlias: roomId } });
    await h.client.performBan({ body: { sender: ALICE, roomId, target: DAVE, reason: "spam" } });
    const { replacementRoomId } = (await h.client.performUpgradeRoom({ body: { userId: ALICE, roomId, newVersion: "12" } })).body;

    expect((await stateMap(h.client, replacementRoomId))[`m.room.member|${DAVE}`]).toEqual({ membership: "ban", reason: "spam" });
    await expect(h.client.performJoin({ body: { userId: DAVE, roomIdOrAlias: replacementRoomId } })).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    expect((await stateMap(h.client, roomId))["m.room.canonical_alias|"]).toEqual({});
    expect((await stateMap(h.client, replacementRoomId))["m.room.canonical_alias|"]).toEqual({ alias: "#bans:test.local" });
  });

  it("a space keeps its children (not removed ones), and m.federate false stays", async () => {
    const { roomId } = (
      await h.client.performCreateRoom({
        body: {
          creator: ALICE,
          roomVersion: "10",
          creationContent: { type: "m.space", "m.federate": false },
          initialState: [
            { type: "m.space.child", stateKey: "!a:test.local", content: { via: ["test.local"] } },
            { type: "m.space.child", stateKey: "!b:test.local", content: {} },
          ],
        },
      })
    ).body;
    const { replacementRoomId } = (await h.client.performUpgradeRoom({ body: { userId: ALICE, roomId, newVersion: "12" } })).body;
    const fresh = await stateMap(h.client, replacementRoomId);
    expect(fresh["m.room.create|"]).toMatchObject({ type: "m.space", "m.federate": false });
    expect(fresh["m.space.child|!a:test.local"]).toEqual({ via: ["test.local"] });
    expect(fresh["m.space.child|!b:test.local"]).toBeUndefined();
  });

  it("a retry answers with the replacement already made; an upgrade of an upgraded room by someone else is refused", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, roomVersion: "10", preset: "public_chat", powerLevelContentOverride: { users: { [ALICE]: 100, [BOB]: 100 } } } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const [first, second] = await Promise.all([
      h.client.performUpgradeRoom({ body: { userId: ALICE, roomId, newVersion: "12" } }),
      h.client.performUpgradeRoom({ body: { userId: ALICE, roomId, newVersion: "12" } }),
    ]);
    expect(second.body.replacementRoomId).toBe(first.body.replacementRoomId);
    const again = (await h.client.performUpgradeRoom({ body: { userId: ALICE, roomId, newVersion: "12" } })).body;
    expect(again.replacementRoomId).toBe(first.body.replacementRoomId);
    await expect(h.client.performUpgradeRoom({ body: { userId: BOB, roomId, newVersion: "12" } })).rejects.toMatchObject({ errcode: "M_BAD_STATE" });
    const tombstones = (await h.client.queryRoomsForUser({ body: { userId: ALICE, membership: "join" } })).body.roomIds;
    let successors = 0;
    for (const r of tombstones) if (((await stateMap(h.client, r))["m.room.create|"]?.predecessor as { room_id?: string } | undefined)?.room_id === roomId) successors++;
    expect(successors).toBe(1);
  });
});

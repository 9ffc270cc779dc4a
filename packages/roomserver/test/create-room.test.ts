import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, startRoomserver, stateMap, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

describe("create room per preset → expected state", () => {
  it("public_chat: public join rule, guests forbidden, creator joined, v12 by default", async () => {
    const { body } = await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", name: "Pub", topic: "t" } });
    const state = await stateMap(h.client, body.roomId);
    expect(state["m.room.create|"]).toMatchObject({ room_version: "12" });
    expect(state["m.room.create|"]).not.toHaveProperty("creator");
    expect(state[`m.room.member|${ALICE}`]).toEqual({ membership: "join" });
    expect(state["m.room.join_rules|"]).toEqual({ join_rule: "public" });
    expect(state["m.room.history_visibility|"]).toEqual({ history_visibility: "shared" });
    expect(state["m.room.guest_access|"]).toEqual({ guest_access: "forbidden" });
    expect(state["m.room.name|"]).toEqual({ name: "Pub" });
    expect(state["m.room.topic|"]).toEqual({ topic: "t" });
    // v12: the creator has infinite power and is not listed.
    expect(state["m.room.power_levels|"]?.users).toEqual({});
    expect(body.roomId.startsWith("!")).toBe(true);
  });

  it("private_chat: invite-only, guests can join, invitees invited", async () => {
    const { body } = await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat", invite: [BOB], isDirect: true } });
    const state = await stateMap(h.client, body.roomId);
    expect(state["m.room.join_rules|"]).toEqual({ join_rule: "invite" });
    expect(state["m.room.guest_access|"]).toEqual({ guest_access: "can_join" });
    expect(state[`m.room.member|${BOB}`]).toEqual({ membership: "invite", is_direct: true });
    const m = await h.client.queryMembership({ body: { roomId: body.roomId, userId: BOB } });
    expect(m.body).toMatchObject({ membership: "invite", isInRoom: false });
  });

  it("trusted_private_chat: invitees get the creator's power (v11 lists both)", async () => {
    const { body } = await h.client.performCreateRoom({ body: { creator: ALICE, preset: "trusted_private_chat", invite: [BOB], roomVersion: "11" } });
    const state = await stateMap(h.client, body.roomId);
    expect(state["m.room.create|"]).toMatchObject({ room_version: "11" });
    expect(state["m.room.power_levels|"]?.users).toEqual({ [ALICE]: 100, [BOB]: 100 });
    expect(state["m.room.join_rules|"]).toEqual({ join_rule: "invite" });
  });

  it("trusted_private_chat v12: invitees join additional_creators (deduplicated), not users; tombstone at 150", async () => {
    const { body } = await h.client.performCreateRoom({
      body: { creator: ALICE, preset: "trusted_private_chat", invite: [BOB], creationContent: { additional_creators: [BOB] } },
    });
    const state = await stateMap(h.client, body.roomId);
    expect(state["m.room.create|"]).toMatchObject({ room_version: "12", additional_creators: [BOB] });
    expect(state["m.room.power_levels|"]?.users).toEqual({});
    expect((state["m.room.power_levels|"]?.events as Record<string, unknown>)["m.room.tombstone"]).toBe(150);
  });

  it("v12: additional_creators that are not user IDs are refused before anything is created", async () => {
    const before = (await h.client.queryRoomsForUser({ body: { userId: ALICE } })).body.roomIds.length;
    await expect(h.client.performCreateRoom({ body: { creator: ALICE, creationContent: { additional_creators: ["nope"] } } })).rejects.toMatchObject({
      errcode: "M_BAD_JSON",
    });
    expect((await h.client.queryRoomsForUser({ body: { userId: ALICE } })).body.roomIds).toHaveLength(before);
  });

  it("room version 10 carries creator in content; initial_state, overrides and an alias apply", async () => {
    const { body } = await h.client.performCreateRoom({
      body: {
        creator: ALICE,
        roomVersion: "10",
        visibility: "public",
        roomAliasName: "hall",
        initialState: [{ type: "m.room.history_visibility", stateKey: "", content: { history_visibility: "world_readable" } }],
        powerLevelContentOverride: { events_default: 10 },
        creationContent: { "m.federate": false },
      },
    });
    expect(body.roomAlias).toBe("#hall:test.local");
    const state = await stateMap(h.client, body.roomId);
    expect(state["m.room.create|"]).toEqual({ creator: ALICE, room_version: "10", "m.federate": false });
    expect(state["m.room.join_rules|"]).toEqual({ join_rule: "public" });
    expect(state["m.room.history_visibility|"]).toEqual({ history_visibility: "world_readable" });
    expect(state["m.room.power_levels|"]).toMatchObject({ events_default: 10, users: { [ALICE]: 100 } });
    expect(state["m.room.canonical_alias|"]).toEqual({ alias: "#hall:test.local" });
    const resolved = await h.client.resolveRoomAlias({ body: { alias: "#hall:test.local" } });
    expect(resolved.body.roomId).toBe(body.roomId);
  });

  it("several creates naming one alias at once: one room gets it, the others are refused and create nothing", async () => {
    const creator = "@racer:test.local";
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, () => h.client.performCreateRoom({ body: { creator, preset: "public_chat", roomAliasName: "contested" } })),
    );
    const won = attempts.filter((a) => a.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const a of attempts) if (a.status === "rejected") expect(a.reason).toMatchObject({ errcode: "M_ROOM_IN_USE" });
    const rooms = await h.client.queryRoomsForUser({ body: { userId: creator } });
    expect(rooms.body.roomIds).toEqual([(won[0] as PromiseFulfilledResult<{ body: { roomId: string } }>).value.body.roomId]);
  });

  it("an unknown room version is M_UNSUPPORTED_ROOM_VERSION", async () => {
    await expect(h.client.performCreateRoom({ body: { creator: ALICE, roomVersion: "999" } })).rejects.toMatchObject({
      errcode: "M_UNSUPPORTED_ROOM_VERSION",
    });
  });
});

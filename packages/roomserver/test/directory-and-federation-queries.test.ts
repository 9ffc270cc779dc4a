import { computeEventId } from "@dendrite-ts/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

describe("public room directory", () => {
  it("a room created with visibility public is published; publish and unpublish change it", async () => {
    const { roomId: pub } = (await h.client.performCreateRoom({ body: { creator: ALICE, visibility: "public" } })).body;
    const { roomId: priv } = (await h.client.performCreateRoom({ body: { creator: ALICE } })).body;
    expect((await h.client.queryPublishedRooms({ body: {} })).body.roomIds).toEqual([pub]);
    await h.client.performPublish({ body: { roomId: priv, visibility: "public" } });
    await h.client.performPublish({ body: { roomId: pub, visibility: "private" } });
    expect((await h.client.queryPublishedRooms({ body: {} })).body.roomIds).toEqual([priv]);
    expect((await h.client.queryPublishedRooms({ body: { roomId: pub } })).body.roomIds).toEqual([]);
    await expect(h.client.performPublish({ body: { roomId: "!none:test.local", visibility: "public" } })).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
  });
});

describe("what federation asks", () => {
  it("joined hosts follow joins and leaves", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    expect((await h.client.queryJoinedHosts({ body: { roomId } })).body.serverNames).toEqual(["test.local"]);
    await h.client.performLeave({ body: { userId: BOB, roomId } });
    await h.client.performLeave({ body: { userId: ALICE, roomId } });
    expect((await h.client.queryJoinedHosts({ body: { roomId } })).body.serverNames).toEqual([]);
  });

  it("the auth chain of a message: create, power levels, the sender's join and theirs, oldest first", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const { eventId } = (await h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { body: "x" } } })).body;
    const chain = (await h.client.queryAuthChain({ body: { eventIds: [eventId] } })).body.events;
    const kinds = chain.map((e) => `${String(e.type)}|${String(e.state_key)}`);
    expect(kinds[0]).toBe("m.room.create|");
    expect(new Set(kinds)).toEqual(new Set(["m.room.create|", `m.room.member|${ALICE}`, "m.room.power_levels|", "m.room.join_rules|", `m.room.member|${BOB}`]));
    expect(chain.map((e) => computeEventId(e, "12"))).not.toContain(eventId);
  });

  it("backfill walks prev_events from the given events, newest first; missing events fill a gap oldest first", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: `m${i}` } } })).body.eventId);
    }
    const back = (await h.client.queryBackfill({ body: { roomId, fromEventIds: [ids[4]!], limit: 3 } })).body.events;
    expect(back.map((e) => (e.content as { body: string }).body)).toEqual(["m4", "m3", "m2"]);

    const gap = (await h.client.queryMissingEvents({ body: { roomId, earliestEventIds: [ids[0]!], latestEventIds: [ids[4]!], limit: 10 } })).body.events;
    expect(gap.map((e) => (e.content as { body: string }).body)).toEqual(["m1", "m2", "m3"]);
    const limited = (await h.client.queryMissingEvents({ body: { roomId, earliestEventIds: [ids[0]!], latestEventIds: [ids[4]!], limit: 2 } })).body.events;
    expect(limited.map((e) => (e.content as { body: string }).body)).toEqual(["m2", "m3"]);
  });
});

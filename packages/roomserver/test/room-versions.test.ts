import { SUPPORTED_ROOM_VERSIONS } from "@dendrite-ts/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, startRoomserver, stateMap, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

describe("every supported room version: create, join, kick, send, query", () => {
  it.each(SUPPORTED_ROOM_VERSIONS.map((v) => ({ version: v })))("room version $version", async ({ version }) => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", roomVersion: version, name: `v${version}` } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const { eventId } = (await h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { body: "hi" } } })).body;
    await h.client.performKick({ body: { sender: ALICE, roomId, target: BOB } });
    const state = await stateMap(h.client, roomId);
    expect(state["m.room.create|"]?.room_version).toBe(version);
    expect(state["m.room.name|"]).toEqual({ name: `v${version}` });
    expect(state[`m.room.member|${BOB}`]).toEqual({ membership: "leave" });
    const [msg] = (await h.client.queryEventsById({ body: { eventIds: [eventId] } })).body.events;
    expect(msg?.content).toEqual({ body: "hi" });
    if (version === "1" || version === "2") expect(eventId).toMatch(/^\$[A-Za-z0-9_-]+:test\.local$/);
    else expect(eventId).not.toContain(":");
  });
});

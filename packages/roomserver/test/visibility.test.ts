import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

describe("history visibility at each event", () => {
  it("joined, shared and world_readable for users and for servers", async () => {
    const { roomId } = (
      await h.client.performCreateRoom({
        body: { creator: ALICE, preset: "public_chat", initialState: [{ type: "m.room.history_visibility", stateKey: "", content: { history_visibility: "joined" } }] },
      })
    ).body;
    const say = async (body: string) => (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body } } })).body.eventId;
    const setVisibility = (v: string) =>
      h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.history_visibility", stateKey: "", content: { history_visibility: v } } });

    const beforeBob = await say("joined-only, before bob");
    const bobJoin = (await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).body.eventId;
    const afterBob = await say("joined-only, after bob");
    await setVisibility("shared");
    const shared = await say("shared");
    await setVisibility("world_readable");
    const open = await say("world readable");
    const all = [beforeBob, bobJoin, afterBob, shared, open];

    const seen = async (viewer: { userId: string } | { serverName: string }) =>
      (await h.client.queryVisibleEvents({ body: { eventIds: all, ...viewer } })).body.visibleEventIds;
    expect(await seen({ userId: BOB })).toEqual([bobJoin, afterBob, shared, open]);
    expect(await seen({ userId: CAROL })).toEqual([open]);
    await h.client.performJoin({ body: { userId: CAROL, roomIdOrAlias: roomId } });
    expect(await seen({ userId: CAROL })).toEqual([shared, open]);
    expect(await seen({ serverName: "elsewhere.example" })).toEqual([shared, open]);
    expect(await seen({ serverName: "test.local" })).toEqual(all);
  });
});

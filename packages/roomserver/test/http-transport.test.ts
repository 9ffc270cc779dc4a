import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, startRoomserver, stateMap, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver("http");
});
afterAll(() => h.close());

describe("the contract over HTTP behaves as in-process", () => {
  it("creates a room, sends, and answers state", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", topic: "over http" } })).body;
    await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "hi" } } });
    expect((await stateMap(h.client, roomId))["m.room.topic|"]).toEqual({ topic: "over http" });
  });

  it("an auth rejection is M_FORBIDDEN with the rule, status 403", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    await expect(h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).rejects.toMatchObject({
      errcode: "M_FORBIDDEN",
      status: 403,
      extras: { rule: "member.join.not_invited" },
    });
  });

  it("malformed input is M_BAD_JSON, never a 500", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE } })).body;
    await expect(
      h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: { type: "m.room.message", room_id: roomId, sender: 5 } }] } }),
    ).rejects.toMatchObject({ errcode: "M_BAD_JSON", status: 400 });
    await expect(h.client.inputRoomEvents({ body: { events: [{ kind: "sideways" as "new", event: {} }] } })).rejects.toMatchObject({ status: 400 });
  });

  it("an unknown room is M_NOT_FOUND", async () => {
    await expect(
      h.client.performSendEvent({ body: { sender: ALICE, roomId: "!nowhere:test.local", type: "m.room.message", content: {} } }),
    ).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
  });
});

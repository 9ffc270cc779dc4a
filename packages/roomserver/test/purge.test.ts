import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, readOutputs, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

describe("purge room", () => {
  it("removes every row of the room, leaves other rooms alone, and publishes purge_room", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", roomAliasName: "gone", visibility: "public" } })).body;
    const { roomId: keep } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const { eventId } = (await h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { body: "bye" } } })).body;
    await h.client.performPurgeRoom({ body: { roomId } });

    expect((await h.client.queryEventsById({ body: { eventIds: [eventId] } })).body.events).toEqual([]);
    expect((await h.client.queryMembership({ body: { roomId, userId: BOB } })).body.roomExists).toBe(false);
    expect((await h.client.resolveRoomAlias({ body: { alias: "#gone:test.local" } })).body.roomId).toBeUndefined();
    expect((await h.client.queryPublishedRooms({ body: {} })).body.roomIds).not.toContain(roomId);
    expect((await h.client.queryRoomsForUser({ body: { userId: ALICE } })).body.roomIds).toEqual([keep]);
    const [rows] = await h.db.sql`SELECT count(*)::int AS n FROM roomserver.events e JOIN roomserver.rooms r USING (room_nid) WHERE r.room_id = ${keep}`;
    expect((rows as { n: number }).n).toBeGreaterThan(0);

    const outputs = await readOutputs(h, "purge-test", (m) => m.some((o) => o.kind === "purge_room"));
    expect(outputs.filter((o) => o.kind === "purge_room")).toEqual([{ kind: "purge_room", roomId }]);
    await expect(h.client.performPurgeRoom({ body: { roomId } })).rejects.toMatchObject({ errcode: "M_NOT_FOUND" });
  });
});

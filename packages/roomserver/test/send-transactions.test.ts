import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

const send = (roomId: string, deviceId: string, transactionId: string, body: string) =>
  h.client
    .performSendEvent({
      body: { sender: ALICE, roomId, type: "m.room.message", content: { msgtype: "m.text", body }, transactionId: { deviceId, transactionId } },
    })
    .then((r) => r.body.eventId);

const countBodies = async (roomId: string, body: string) => {
  const rows = await h.db.sql`
    SELECT count(*)::int AS n FROM roomserver.events e JOIN roomserver.rooms r ON r.room_nid = e.room_nid
    WHERE r.room_id = ${roomId} AND e.json LIKE ${`%"body":"${body}"%`}`;
  return (rows[0] as { n: number }).n;
};

describe("a client transaction makes one event, however often it is sent", () => {
  it("a retry returns the first event and stores nothing new", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    const first = await send(roomId, "DEV1", "t1", "retry me");
    expect(await send(roomId, "DEV1", "t1", "retry me")).toBe(first);
    expect(await countBodies(roomId, "retry me")).toBe(1);
  });

  it("concurrent sends of one transaction agree on one event", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    const ids = await Promise.all(Array.from({ length: 5 }, () => send(roomId, "DEV1", "same", "racing")));
    expect(new Set(ids).size).toBe(1);
    expect(await countBodies(roomId, "racing")).toBe(1);
  });

  it("the same transaction ID for a message and a redaction (two endpoints) makes both", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    const msg = await send(roomId, "DEV1", "shared", "to be redacted");
    const redaction = (
      await h.client.performSendEvent({
        body: { sender: ALICE, roomId, type: "m.room.redaction", content: { redacts: msg }, transactionId: { deviceId: "DEV1", transactionId: "shared" } },
      })
    ).body.eventId;
    expect(redaction).not.toBe(msg);
  });

  it("the same transaction ID from another device, or in another room, is another event", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    const { roomId: other } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    const a = await send(roomId, "DEV1", "t9", "scoped");
    const b = await send(roomId, "DEV2", "t9", "scoped");
    const c = await send(other, "DEV1", "t9", "scoped");
    expect(new Set([a, b, c]).size).toBe(3);
  });
});

// The public room directory's contract: summaries, order, paging, filters, and who may publish.
// Over HTTP, as the polylith calls it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
let big: string;
let mid: string;
let space: string;
beforeAll(async () => {
  h = await startRoomserver("http");
  const create = async (body: Record<string, unknown>) =>
    (await h.client.performCreateRoom({ body: { creator: ALICE, visibility: "public", preset: "public_chat", ...body } })).body.roomId;
  big = await create({
    name: "Cheese",
    topic: "Tasty cheese",
    roomAliasName: "cheese",
    initialState: [
      { type: "m.room.avatar", content: { url: "mxc://test.local/brie" } },
      { type: "m.room.history_visibility", content: { history_visibility: "world_readable" } },
      { type: "m.room.guest_access", content: { guest_access: "can_join" } },
    ],
  });
  mid = await create({ name: "Wine", initialState: [{ type: "m.room.topic", content: { topic: "old", "m.topic": { "m.text": [{ mimetype: "text/html", body: "<b>red</b>" }, { body: "red" }] } } }] });
  space = await create({ name: "Space", creationContent: { type: "m.space" } });
  await create({ visibility: "private", name: "Hidden" });
  for (const u of [BOB, CAROL]) await h.client.performJoin({ body: { userId: u, roomIdOrAlias: big } });
  await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: mid } });
});
afterAll(() => h.close());

describe("queryPublicRooms", () => {
  it("lists published rooms only, most joined members first, with their summaries", async () => {
    const { body } = await h.client.queryPublicRooms({ body: {} });
    expect(body.total).toBe(3);
    expect(body.nextBatch).toBeUndefined();
    expect(body.prevBatch).toBeUndefined();
    expect(body.rooms).toEqual([
      {
        roomId: big,
        numJoinedMembers: 3,
        worldReadable: true,
        guestCanJoin: true,
        joinRule: "public",
        name: "Cheese",
        topic: "Tasty cheese",
        canonicalAlias: "#cheese:test.local",
        avatarUrl: "mxc://test.local/brie",
      },
      // The plain-text representation of m.topic wins over the legacy `topic`.
      { roomId: mid, numJoinedMembers: 2, worldReadable: false, guestCanJoin: false, joinRule: "public", name: "Wine", topic: "red" },
      { roomId: space, numJoinedMembers: 1, worldReadable: false, guestCanJoin: false, joinRule: "public", name: "Space", roomType: "m.space" },
    ]);
  });

  it("pages forwards and back with the tokens it hands out", async () => {
    const p1 = (await h.client.queryPublicRooms({ body: { limit: 1 } })).body;
    expect(p1.rooms.map((r) => r.roomId)).toEqual([big]);
    expect(p1.prevBatch).toBeUndefined();
    const p2 = (await h.client.queryPublicRooms({ body: { limit: 1, since: p1.nextBatch! } })).body;
    expect(p2.rooms.map((r) => r.roomId)).toEqual([mid]);
    const p3 = (await h.client.queryPublicRooms({ body: { limit: 1, since: p2.nextBatch! } })).body;
    expect(p3.rooms.map((r) => r.roomId)).toEqual([space]);
    expect(p3.nextBatch).toBeUndefined();
    const back = (await h.client.queryPublicRooms({ body: { limit: 2, since: p3.prevBatch! } })).body;
    expect(back.rooms.map((r) => r.roomId)).toEqual([big, mid]);
    expect(back.prevBatch).toBeUndefined();
    expect(back.nextBatch).toBeDefined();
    await expect(h.client.queryPublicRooms({ body: { since: "garbage" } })).rejects.toMatchObject({ errcode: "M_INVALID_PARAM", status: 400 });
  });

  it("filters by search term (name, topic, canonical alias; any case) and room type", async () => {
    const ids = async (filter: { searchTerm?: string; roomTypes?: (string | null)[] }) =>
      (await h.client.queryPublicRooms({ body: { filter } })).body.rooms.map((r) => r.roomId);
    expect(await ids({ searchTerm: "CHEESE" })).toEqual([big]);
    expect(await ids({ searchTerm: "red" })).toEqual([mid]);
    expect(await ids({ searchTerm: "#cheese:test" })).toEqual([big]);
    expect(await ids({ searchTerm: "nothing like it" })).toEqual([]);
    expect(await ids({ roomTypes: ["m.space"] })).toEqual([space]);
    expect(await ids({ roomTypes: [null] })).toEqual([big, mid]);
    expect((await h.client.queryPublicRooms({ body: { filter: { searchTerm: "e", roomTypes: [null] } } })).body.total).toBe(2);
  });
});

describe("performPublish for a user", () => {
  it("needs a joined member with power to send m.room.canonical_alias", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const publish = (userId: string, visibility: "public" | "private") => h.client.performPublish({ body: { roomId, visibility, userId } });
    await expect(publish(BOB, "public")).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    await expect(publish(BOB, "public")).rejects.toMatchObject({ errcode: "M_FORBIDDEN", status: 403 });
    expect((await h.client.queryPublishedRooms({ body: { roomId } })).body.roomIds).toEqual([]);
    await publish(ALICE, "public");
    expect((await h.client.queryPublishedRooms({ body: { roomId } })).body.roomIds).toEqual([roomId]);
    await publish(ALICE, "private");
    expect((await h.client.queryPublishedRooms({ body: { roomId } })).body.roomIds).toEqual([]);
    await expect(h.client.performPublish({ body: { roomId: "!none:test.local", visibility: "public", userId: ALICE } })).rejects.toMatchObject({
      errcode: "M_NOT_FOUND",
    });
  });
});

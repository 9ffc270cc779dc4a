// The roomserver's cache of parsed events (config `roomserver.event_cache_entries`): any size
// gives the same answers, and a room's hot events (create, power levels, members, the latest)
// stay cached while newer ones stream through it, least recently used out first.
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, observeQueries, openTestDatabase } from "@dendrite-ts/runtime";
import { describe, expect, it } from "vitest";
import { createRoomserver, roomserverContract } from "../src";
import { ALICE, BOB, SERVER, stateMap } from "./helpers/roomserver";

async function withRoomserver(eventCacheEntries: number, test: (client: ReturnType<typeof localClient<typeof roomserverContract>>) => Promise<void>) {
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db, { pollMs: 50 });
  const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:c"), eventCacheEntries });
  try {
    await test(localClient(roomserverContract, rs.api));
  } finally {
    await rs.close();
    await streams.close();
    await db.close();
  }
}

describe("the event cache", () => {
  it("a cache of two events changes nothing but speed", () =>
    withRoomserver(2, async (client) => {
      const { roomId } = (await client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat", invite: [BOB], name: "tiny" } })).body;
      await client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
      let last = "";
      for (let i = 0; i < 20; i++) {
        last = (await client.performSendEvent({ body: { sender: i % 2 ? ALICE : BOB, roomId, type: "m.room.message", content: { body: `m${i}` } } })).body.eventId;
      }
      const state = await stateMap(client, roomId);
      expect(state[`m.room.member|${BOB}`]).toEqual({ membership: "join" });
      expect(state["m.room.name|"]).toEqual({ name: "tiny" });
      expect((await client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds).toEqual([last]);
      await expect(client.performSendEvent({ body: { sender: "@eve:test.local", roomId, type: "m.room.message", content: { body: "no" } } })).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    }), 60_000);

  it("a room's hot events stay cached while newer ones pass through: sends then read no events from the database", () =>
    withRoomserver(16, async (client) => {
      const { roomId } = (await client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
      const send = (i: number) => client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: `m${i}` } } });
      for (let i = 0; i < 20; i++) await send(i); // more than the cache holds
      const reads: string[] = [];
      observeQueries((query) => {
        if (/^\s*select\b[\s\S]*\bfrom "roomserver"\."events"/i.test(query)) reads.push(query);
      });
      try {
        for (let i = 20; i < 40; i++) await send(i);
      } finally {
        observeQueries(undefined);
      }
      expect(reads).toEqual([]);
    }), 60_000);
});

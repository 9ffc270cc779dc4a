import { generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, openTestDatabase } from "@dendrite-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoomserver, roomserverContract, type Roomserver } from "../src";
import { ALICE, BOB, SERVER, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
let second: Roomserver;
beforeAll(async () => {
  h = await startRoomserver();
  second = await createRoomserver({ db: h.db, streams: h.streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:two") });
});
afterAll(async () => {
  await second.close();
  await h.close();
});

describe("two roomservers writing one room", () => {
  it("concurrent sends keep forward extremities exactly the events nothing points at", async () => {
    const other = localClient(roomserverContract, second.api);
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const sends = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? other : h.client).performSendEvent({ body: { sender: i % 3 ? ALICE : BOB, roomId, type: "m.room.message", content: { body: `c${i}` } } }),
    );
    const results = await Promise.allSettled(sends);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);

    const rows = await h.db.sql`
      SELECT e.event_id, e.prev_event_ids FROM roomserver.events e JOIN roomserver.rooms r USING (room_nid)
      WHERE r.room_id = ${roomId} AND NOT e.rejected AND NOT e.soft_failed AND NOT e.outlier`;
    const referenced = new Set(rows.flatMap((r) => (r as { prev_event_ids: string[] }).prev_event_ids));
    const tips = rows.map((r) => (r as { event_id: string }).event_id).filter((id) => !referenced.has(id));
    const [room] = await h.db.sql`
      SELECT array(SELECT event_id FROM roomserver.events WHERE event_nid = ANY(r.latest_event_nids)) AS latest
      FROM roomserver.rooms r WHERE r.room_id = ${roomId}`;
    expect((room as { latest: string[] }).latest.sort()).toEqual(tips.sort());

    // Each roomserver caches the room; the one whose cache is stale notices on commit and
    // builds again on the true tips, so the next event closes every branch.
    const { eventId } = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "after" } } })).body;
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    expect(latest).toEqual([eventId]);
    const [last] = await h.db.sql`SELECT prev_event_ids FROM roomserver.events WHERE event_id = ${eventId}`;
    expect((last as { prev_event_ids: string[] }).prev_event_ids.sort()).toEqual(tips.sort());
  });
});

describe("a small connection pool", () => {
  it("many rooms at once on four connections: no transaction waits for a second connection", async () => {
    const db = await openTestDatabase({ max: 4 });
    const streams = await createEmbeddedStreams(db, { pollMs: 50 });
    const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:small") });
    const client = localClient(roomserverContract, rs.api);
    try {
      const rooms = await Promise.all(
        Array.from({ length: 6 }, async () => (await client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body.roomId),
      );
      await Promise.all(
        rooms.flatMap((roomId) =>
          Array.from({ length: 4 }, (_, i) => client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: `p${i}` } } })),
        ),
      );
      await rs.flushOutputs();
      const [left] = await db.sql`SELECT count(*)::int AS n FROM roomserver.outbox`;
      expect((left as { n: number }).n).toBe(0);
    } finally {
      await rs.close();
      await streams.close();
      await db.close();
    }
  }, 60_000);
});

// Two syncapi instances on one database (the polylith runs several): a write handled by one
// wakes a long-poll held by the other. Instance B consumes streams of its own that nothing
// publishes to, so everything it learns of comes from A's writes (and A's NOTIFY) — including
// messages, whose NOTIFY travels inside the write's own statement.
import { createEmbeddedStreams, createHttpServer, createLogger, type Database, type HttpServer, type Streams } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncapi, type Syncapi } from "../src";
import { createRoom, send, setState, startHarness, sync, timelineIds, type Harness, type User } from "./harness";

describe("a second syncapi instance on the same database", () => {
  let h: Harness;
  let alice: User;
  let roomId: string;
  let otherDb: Database;
  let otherStreams: Streams;
  let b: Syncapi;
  let serverB: HttpServer;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    roomId = await createRoom(h, alice, { name: "Shared" });
    otherDb = await openTestDatabase();
    otherStreams = await createEmbeddedStreams(otherDb, { pollMs: 20 });
    const logger = createLogger({ level: "silent" }, { destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    b = await createSyncapi({ db: h.db, streams: otherStreams, roomserver: h.roomserver, userapi: h.userapi, keyserver: h.keyserver, eduserver: h.eduserver, serverName: "test.local", logger });
    serverB = createHttpServer({ logger });
    b.register(serverB);
    await serverB.ready();
  });
  afterAll(async () => {
    await b.close();
    await serverB.close();
    await otherStreams.close();
    await otherDb.close();
    await h.close();
  });

  // Polls wait up to 60 s, longer than a test may run (20 s): only a wake answers them in time.
  const syncOnB = async (since: string, timeout: number) => {
    const res = await serverB.inject({ method: "GET", url: `/_matrix/client/v3/sync?since=${since}&timeout=${timeout}`, headers: { authorization: `Bearer ${alice.token}` } });
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body);
  };

  it("a message written by A wakes a long-poll parked on B", async () => {
    const initial = await sync(h, alice);
    const pending = syncOnB(initial.next_batch, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    const eventId = await send(h, alice, roomId, "across");
    const res = await pending;
    expect(timelineIds(res, roomId)).toEqual([eventId]);
  });

  it("a state change written by A (the transaction path) wakes B too", async () => {
    const initial = await sync(h, alice);
    const pending = syncOnB(initial.next_batch, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    const eventId = await setState(h, alice, roomId, "m.room.topic", { topic: "across" });
    const res = await pending;
    expect(timelineIds(res, roomId)).toEqual([eventId]);
  });

  it("account data written by A wakes B", async () => {
    const initial = await sync(h, alice);
    const pending = syncOnB(initial.next_batch, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    await h.userapi.setAccountData({ body: { userId: alice.userId, type: "org.example.across", content: { x: 1 } } });
    const res = await pending;
    expect(res.account_data.events).toEqual([{ type: "org.example.across", content: { x: 1 } }]);
  });

  it("an ignore list stored by A applies on B at once (B drops the list it held)", async () => {
    const bob = await h.user("bob");
    await h.waitForEvents((await h.roomserver.performJoin({ body: { userId: bob.userId, roomIdOrAlias: roomId } })).body.eventId);
    const initial = await syncOnB((await sync(h, alice)).next_batch, 0); // B now holds alice's list: nobody
    const pending = syncOnB(initial.next_batch, 60_000);
    await new Promise((r) => setTimeout(r, 200));
    await h.userapi.setAccountData({ body: { userId: alice.userId, type: "m.ignored_user_list", content: { ignored_users: { [bob.userId]: {} } } } });
    const woken = await pending;
    expect(woken.account_data.events.map((e: any) => e.type)).toEqual(["m.ignored_user_list"]);
    const fromBob = await send(h, bob, roomId, "ignored on B too");
    const fromAlice = await send(h, alice, roomId, "mine");
    await h.waitForEvents(fromBob, fromAlice);
    expect(timelineIds(await syncOnB(woken.next_batch, 0), roomId)).toEqual([fromAlice]);
  });

  it("news written by A after B's answer: B's next poll from that answer returns it, not a wait", async () => {
    const answer = await syncOnB((await sync(h, alice)).next_batch, 0);
    const eventId = await send(h, alice, roomId, "after B answered");
    await h.waitForEvents(eventId);
    const res = await syncOnB(answer.next_batch, 60_000);
    expect(timelineIds(res, roomId)).toEqual([eventId]);
  });
});

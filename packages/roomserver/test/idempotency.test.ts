import { generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, openTestDatabase, type Streams } from "@dendrite-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoomserver, inputSubject, outputMsgId, roomserverContract, type OutputRoomEvent } from "../src";
import { ALICE, buildOn, readOutputs, SERVER, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

const newEventIds = (msgs: OutputRoomEvent[]) => msgs.flatMap((m) => (m.kind === "new_room_event" ? [m.eventId] : []));

describe("duplicate input is idempotent (one row, one output)", () => {
  it("the same event input twice, sync and async, is stored and published once", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const ev = await buildOn(h, roomId, latest, { sender: ALICE, type: "m.room.message", content: { body: "once" } });

    const first = await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: ev.pdu }, { kind: "new", event: ev.pdu }] } });
    expect(first.body.results.map((r) => r.status)).toEqual(["accepted", "duplicate"]);
    const again = await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: ev.pdu }] } });
    expect(again.body.results[0]?.status).toBe("duplicate");
    await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: ev.pdu }], async: true } });

    // A marker after the async duplicate: once it is out, the duplicate has been processed too.
    const marker = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "marker" } } })).body;
    const outputs = await readOutputs(h, "dup-test", (msgs) => newEventIds(msgs).includes(marker.eventId));
    expect(newEventIds(outputs).filter((id) => id === ev.eventId)).toHaveLength(1);
    const [row] = await h.db.sql`SELECT count(*)::int AS n FROM roomserver.events WHERE event_id = ${ev.eventId}`;
    expect((row as { n: number }).n).toBe(1);
  });

  it("a rejected event input again is rejected again with the same rule, and stored once", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const intruder = await buildOn(h, roomId, latest, { sender: "@mallory:test.local", type: "m.room.message", content: { body: "x" } });
    for (let i = 0; i < 2; i++) {
      await expect(h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: intruder.pdu }] } })).rejects.toMatchObject({
        errcode: "M_FORBIDDEN",
        extras: { rule: "sender.not_joined" },
      });
    }
    const [row] = await h.db.sql`SELECT count(*)::int AS n FROM roomserver.events WHERE event_id = ${intruder.eventId} AND rejected`;
    expect((row as { n: number }).n).toBe(1);
  });

  it("a batch with a rejected event still processes the rest, then fails naming the rejected one", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const bad = await buildOn(h, roomId, latest, { sender: "@eve:test.local", type: "m.room.message", content: { body: "no" } });
    const good = await buildOn(h, roomId, latest, { sender: ALICE, type: "m.room.message", content: { body: "yes" } });
    const err = await h.client
      .inputRoomEvents({ body: { events: [{ kind: "new", event: bad.pdu }, { kind: "new", event: good.pdu }] } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ errcode: "M_FORBIDDEN", extras: { rule: "sender.not_joined", event_id: bad.eventId } });
    expect((err as { extras: { results: { status: string }[] } }).extras.results.map((r) => r.status)).toEqual(["rejected", "accepted"]);
    expect((await h.client.queryEventsById({ body: { eventIds: [good.eventId] } })).body.events).toHaveLength(1);
  });

  it("a malformed message on the input stream is dropped, not retried forever", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.streams.publish(inputSubject(roomId), { kind: "sideways", event: 7 });
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const after = await buildOn(h, roomId, latest, { sender: ALICE, type: "m.room.message", content: { body: "after" } });
    await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: after.pdu }], async: true } });
    for (let i = 0; i < 300; i++) {
      if ((await h.client.queryEventsById({ body: { eventIds: [after.eventId] } })).body.events.length === 1) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the room's input stream is stuck behind a malformed message");
  });

  it("async input through the InputRoomEvent stream is processed in order", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const a = await buildOn(h, roomId, latest, { sender: ALICE, type: "m.room.message", content: { body: "a" } });
    await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: a.pdu }], async: true } });
    for (let i = 0; i < 300; i++) {
      const now = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
      if (now.includes(a.eventId)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("async input was not processed");
  });
});

/** Streams whose publish dies (after storing) from the `failAfter`-th output on: a crash mid-relay. */
function crashingStreams(real: Streams, failAfter: number): Streams {
  let outputs = 0;
  return {
    ensureStream: (d) => real.ensureStream(d),
    ensureConsumer: (s, n, o) => real.ensureConsumer(s, n, o),
    consume: (s, n, hnd, o) => real.consume(s, n, hnd, o),
    consumerLag: (s, n) => real.consumerLag(s, n),
    activeConsumers: () => real.activeConsumers(),
    close: async () => {},
    async publish(subject, payload, opts) {
      if (!subject.startsWith("OutputRoomEvent.")) return real.publish(subject, payload, opts);
      const ack = await real.publish(subject, payload, opts);
      if (++outputs >= failAfter) throw new Error("connection lost after publish");
      return ack;
    },
  };
}

describe("outbox delivers every output exactly once even when the relay is restarted", () => {
  it("a relay that dies between publishing and deleting is replaced; the stream holds each output once", async () => {
    // Its own database: no other roomserver may touch this outbox.
    const db = await openTestDatabase();
    const streams = await createEmbeddedStreams(db, { pollMs: 50 });
    // Process one: its stream connection dies after a few outputs, with rows published but not deleted.
    const key = generateSigningKey("ed25519:relay");
    const first = await createRoomserver({ db, streams: crashingStreams(streams, 3), serverName: SERVER, signingKey: key });
    const c1 = localClient(roomserverContract, first.api);
    const { roomId } = (await c1.performCreateRoom({ body: { creator: ALICE, preset: "private_chat", name: "relay" } })).body;
    for (let i = 0; i < 5; i++) await c1.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: `m${i}` } } });
    await first.flushOutputs().catch(() => undefined);
    const [pending] = await db.sql`SELECT count(*)::int AS n, min(outbox_id)::int AS lo, max(outbox_id)::int AS hi FROM roomserver.outbox`;
    expect((pending as { n: number }).n).toBeGreaterThan(0);
    await first.close();

    // Process two starts on the same database and publishes what is left.
    const second = await createRoomserver({ db, streams, serverName: SERVER, signingKey: key });
    await second.flushOutputs();
    const [left] = await db.sql`SELECT count(*)::int AS n FROM roomserver.outbox`;
    expect((left as { n: number }).n).toBe(0);
    const { lo, hi } = pending as { lo: number; hi: number };
    await second.close();

    const accepted = await db.sql`SELECT e.event_id FROM roomserver.events e JOIN roomserver.rooms r USING (room_nid) WHERE r.room_id = ${roomId} AND NOT e.rejected`;
    const want = accepted.map((r) => (r as { event_id: string }).event_id);
    const seen: string[] = [];
    const msgIds: string[] = [];
    await streams.ensureConsumer("OutputRoomEvent", "relay-test");
    const got: OutputRoomEvent[] = [];
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => (done = r));
    const sub = await streams.consume("OutputRoomEvent", "relay-test", (msg) => {
      const out = msg.json<OutputRoomEvent>();
      if (out.roomId === roomId) {
        got.push(out);
        if (msg.msgId) msgIds.push(msg.msgId);
      }
      if (newEventIds(got).length >= want.length) done();
    });
    const bound = setTimeout(done, 15_000);
    await finished;
    clearTimeout(bound);
    await sub.stop();
    const outputs = got;
    seen.push(...newEventIds(outputs));
    expect(seen.sort()).toEqual([...want].sort());
    expect(new Set(msgIds).size).toBe(msgIds.length);
    expect(msgIds).toContain(outputMsgId(lo));
    expect(msgIds).toContain(outputMsgId(hi));
    await streams.close();
    await db.close();
  });
});

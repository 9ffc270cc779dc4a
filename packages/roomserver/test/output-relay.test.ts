import { generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, openTestDatabase, type Database, type Streams } from "@dendrite-ts/runtime";
import { describe, expect, it } from "vitest";
import { createRoomserver, roomserverContract, type OutputRoomEvent, type Roomserver } from "../src";
import { ALICE, SERVER } from "./helpers/roomserver";

/** Streams whose OutputRoomEvent publishes fail while `down` is set (the broker unreachable). */
function flakyStreams(real: Streams): Streams & { down: boolean } {
  const s = {
    down: false,
    ensureStream: (d: Parameters<Streams["ensureStream"]>[0]) => real.ensureStream(d),
    ensureConsumer: (...a: Parameters<Streams["ensureConsumer"]>) => real.ensureConsumer(...a),
    consume: (...a: Parameters<Streams["consume"]>) => real.consume(...a),
    consumerLag: (...a: Parameters<Streams["consumerLag"]>) => real.consumerLag(...a),
    activeConsumers: () => real.activeConsumers(),
    close: async () => {},
    async publish(...a: Parameters<Streams["publish"]>) {
      if (s.down && a[0].startsWith("OutputRoomEvent.")) throw new Error("broker unreachable");
      return real.publish(...a);
    },
  };
  return s;
}

describe("output relay", () => {
  it("outputs committed while the stream is down wait behind the stuck ones, then all arrive in commit order", async () => {
    const db = await openTestDatabase();
    const real = await createEmbeddedStreams(db, { pollMs: 20 });
    const streams = flakyStreams(real);
    const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:r") });
    try {
      const client = localClient(roomserverContract, rs.api);
      const { roomId } = (await client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
      const send = async (body: string) =>
        (await client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body } } })).body.eventId;
      const sent = [await send("before")];
      streams.down = true;
      for (let i = 0; i < 5; i++) sent.push(await send(`down ${i}`));
      // Sends still succeed: the outputs are safe in the outbox.
      const [stuck] = await db.sql`SELECT count(*)::int AS n FROM roomserver.outbox`;
      expect((stuck as { n: number }).n).toBeGreaterThanOrEqual(5);
      streams.down = false;
      for (let i = 0; i < 3; i++) sent.push(await send(`up ${i}`));

      await real.ensureConsumer("OutputRoomEvent", "order-test");
      const seen: string[] = [];
      let done: () => void = () => {};
      const finished = new Promise<void>((r) => (done = r));
      const sub = await real.consume("OutputRoomEvent", "order-test", (msg) => {
        const out = msg.json<OutputRoomEvent>();
        if (out.kind === "new_room_event" && out.roomId === roomId && out.event.type === "m.room.message") seen.push(out.eventId);
        if (seen.length >= sent.length) done();
      });
      const bound = setTimeout(done, 15_000);
      await finished;
      clearTimeout(bound);
      await sub.stop();
      expect(seen).toEqual(sent);
      await rs.flushOutputs();
      const [left] = await db.sql`SELECT count(*)::int AS n FROM roomserver.outbox`;
      expect((left as { n: number }).n).toBe(0);
    } finally {
      await rs.close();
      await real.close();
      await db.close();
    }
  }, 30_000);

  /** A roomserver on the embedded log with a room of ALICE's; `outboxRows` counts the outbox. */
  async function withRoom(test: (t: { db: Database; rs: Roomserver; send: (body: string) => Promise<unknown>; outboxRows: () => Promise<number> }) => Promise<void>) {
    const db = await openTestDatabase();
    const streams = await createEmbeddedStreams(db, { pollMs: 20 });
    const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:r") });
    try {
      const client = localClient(roomserverContract, rs.api);
      const { roomId } = (await client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
      const send = (body: string) => client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body } } });
      const outboxRows = async () => ((await db.sql`SELECT count(*)::int AS n FROM roomserver.outbox`)[0] as { n: number }).n;
      await test({ db, rs, send, outboxRows });
    } finally {
      await rs.close();
      await streams.close();
      await db.close();
    }
  }
  async function untilEmpty(outboxRows: () => Promise<number>): Promise<void> {
    const started = Date.now();
    while ((await outboxRows()) > 0 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
  }

  it("published rows leave the outbox as the relay goes, with no flush or drain to clear them", () =>
    withRoom(async ({ send, outboxRows }) => {
      for (let i = 0; i < 5; i++) await send(`m${i}`);
      await untilEmpty(outboxRows);
      expect(await outboxRows()).toBe(0);
    }), 30_000);

  it("a delete of published rows that fails (the database restarting) is tried again, not left for a later drain", () =>
    withRoom(async ({ db, rs, send, outboxRows }) => {
      await rs.flushOutputs();
      // The database refuses deletes from the outbox for a while.
      await db.sql.unsafe(`
        CREATE FUNCTION roomserver.refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
        CREATE TRIGGER refuse BEFORE DELETE ON roomserver.outbox FOR EACH STATEMENT EXECUTE FUNCTION roomserver.refuse_delete();`);
      await send("published, not deleted");
      await new Promise((r) => setTimeout(r, 300)); // published, and its batched delete refused
      expect(await outboxRows()).toBe(1);
      await db.sql.unsafe("DROP TRIGGER refuse ON roomserver.outbox");
      await untilEmpty(outboxRows);
      expect(await outboxRows()).toBe(0);
    }), 30_000);
});

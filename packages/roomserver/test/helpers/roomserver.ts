/** A roomserver on a fresh database with the embedded streams, and a client to drive it. */
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, openTestDatabase, type Database, type Streams } from "@dendrite-ts/runtime";
import { createRoomserver, roomserverContract, type OutputRoomEvent, type Roomserver, type RoomserverClient } from "../../src";

export const SERVER = "test.local";
export const ALICE = `@alice:${SERVER}`;
export const BOB = `@bob:${SERVER}`;
export const CAROL = `@carol:${SERVER}`;

export interface Harness {
  db: Database;
  streams: Streams;
  rs: Roomserver;
  client: RoomserverClient;
  close(): Promise<void>;
}

export async function startRoomserver(): Promise<Harness> {
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db, { pollMs: 50 });
  const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: generateSigningKey("ed25519:test") });
  const client = localClient(roomserverContract, rs.api);
  return {
    db,
    streams,
    rs,
    client,
    async close() {
      await rs.close();
      await streams.close();
      await db.close();
    },
  };
}

/** The current state of a room as { "type|state_key": content }. */
export async function stateMap(client: RoomserverClient, roomId: string): Promise<Record<string, Record<string, unknown>>> {
  const all = await client.queryStateAfterEvents({
    body: { roomId, prevEventIds: (await client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds },
  });
  return Object.fromEntries(all.body.stateEvents.map((e) => [`${String(e.type)}|${String(e.state_key)}`, e.content as Record<string, unknown>]));
}

/** Every OutputRoomEvent on the stream so far, read by a fresh durable consumer. */
export async function readOutputs(h: Harness, consumer: string, until: (msgs: OutputRoomEvent[]) => boolean): Promise<OutputRoomEvent[]> {
  await h.rs.flushOutputs();
  const got: OutputRoomEvent[] = [];
  await h.streams.ensureConsumer("OutputRoomEvent", consumer);
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const sub = await h.streams.consume("OutputRoomEvent", consumer, (msg) => {
    got.push(msg.json<OutputRoomEvent>());
    if (until(got)) done();
  });
  const timeout = setTimeout(done, 5000);
  await finished;
  clearTimeout(timeout);
  await sub.stop();
  return got;
}

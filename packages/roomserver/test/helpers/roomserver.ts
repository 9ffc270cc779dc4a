/** A roomserver on a fresh database with the embedded streams, and a client to drive it. */
import { authEventStateKeys, buildEvent, computeEventId, generateSigningKey, getRoomVersion, type SigningKey } from "@dendrite-ts/protocol";
import { Writable } from "node:stream";
import {
  closeServer,
  createEmbeddedStreams,
  createHttpServer,
  createLogger,
  httpClient,
  listen,
  localClient,
  mountContract,
  openTestDatabase,
  type Database,
  type Streams,
} from "@dendrite-ts/runtime";
import { createRoomserver, roomserverContract, type OutputRoomEvent, type PduJson, type Roomserver, type RoomserverClient } from "../../src";

export const SERVER = "test.local";
export const ALICE = `@alice:${SERVER}`;
export const BOB = `@bob:${SERVER}`;
export const CAROL = `@carol:${SERVER}`;

export interface Harness {
  db: Database;
  streams: Streams;
  rs: Roomserver;
  client: RoomserverClient;
  key: SigningKey;
  close(): Promise<void>;
}

/** `http`: the same client type over HTTP (mountContract + httpClient), as in the polylith. */
export async function startRoomserver(transport: "local" | "http" = "local"): Promise<Harness> {
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db, { pollMs: 50 });
  const key = generateSigningKey("ed25519:test");
  const rs = await createRoomserver({ db, streams, serverName: SERVER, signingKey: key });
  let client: RoomserverClient = localClient(roomserverContract, rs.api);
  let stopServer = async () => {};
  if (transport === "http") {
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    const server = createHttpServer({ logger: createLogger({ level: "warn" }, { destination: quiet }) });
    await mountContract(server, roomserverContract, rs.api);
    const { url } = await listen(server, "127.0.0.1:0");
    client = httpClient(roomserverContract, url);
    stopServer = () => closeServer(server);
  }
  return {
    db,
    streams,
    rs,
    client,
    key,
    async close() {
      await stopServer();
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
  const timeout = setTimeout(done, 15_000); // a bound, not a wait: `until` ends it as soon as the message is in
  await finished;
  clearTimeout(timeout);
  await sub.stop();
  return got;
}

/**
 * Builds a signed event on top of chosen prev events (to make forks), with auth events picked
 * from the state after them, as a remote-looking input would be.
 */
export async function buildOn(
  h: Harness,
  roomId: string,
  prevEventIds: string[],
  spec: { sender: string; type: string; stateKey?: string; content: Record<string, unknown>; originServerTs?: number },
): Promise<{ eventId: string; pdu: PduJson }> {
  const latest = await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } });
  const rules = getRoomVersion(latest.body.roomVersion!)!;
  const state = await h.client.queryStateAfterEvents({ body: { roomId, prevEventIds } });
  const prevs = await h.client.queryEventsById({ body: { eventIds: prevEventIds } });
  const proto = { type: spec.type, sender: spec.sender, content: spec.content, ...(spec.stateKey !== undefined ? { state_key: spec.stateKey } : {}) };
  const wanted = authEventStateKeys(proto, rules);
  const authIds: string[] = [];
  for (const [t, k] of wanted) {
    const ev = state.body.stateEvents.find((e) => e.type === t && e.state_key === k);
    if (ev) authIds.push(computeEventId(ev, rules));
  }
  const built = buildEvent({
    roomVersion: rules,
    roomId,
    sender: spec.sender,
    type: spec.type,
    ...(spec.stateKey !== undefined ? { stateKey: spec.stateKey } : {}),
    content: spec.content,
    prevEvents: prevEventIds,
    authEvents: authIds,
    depth: Math.max(...prevs.body.events.map((e) => Number(e.depth))) + 1,
    ...(spec.originServerTs !== undefined ? { originServerTs: spec.originServerTs } : {}),
    serverName: SERVER,
    key: h.key,
  });
  return { eventId: built.eventId, pdu: built.pdu as unknown as PduJson };
}

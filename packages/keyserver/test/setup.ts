/**
 * A keyserver under test, reachable through both client adapters (in-process, and over HTTP as
 * the polylith wires it), on a real PostgreSQL with the embedded log, and a way to read its
 * stream back as syncapi does.
 */
import { createEmbeddedStreams, type Database, type Streams, type Subscription } from "@dendrite-ts/runtime";
import { openTestDatabase, serveBothWays } from "@dendrite-ts/runtime/testing";
import { createKeyserver, keyserverContract, OUTPUT_KEY_CHANGE_EVENT, outputKeyChangeEventSchema, type Keyserver, type KeyserverClient, type OutputKeyChangeEvent } from "../src/index";

export const SERVER = "ks.test";

export interface KeyserverUnderTest {
  db: Database;
  streams: Streams;
  ks: Keyserver;
  clients: { local: KeyserverClient; http: KeyserverClient };
  /** Every OutputKeyChangeEvent published from now on, appended to the array returned. */
  keyChanges(): Promise<OutputKeyChangeEvent[]>;
  close(): Promise<void>;
}

export async function startKeyserver(): Promise<KeyserverUnderTest> {
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db, { pollMs: 20 });
  const ks = await createKeyserver({ db, streams, serverName: SERVER });
  const both = await serveBothWays(keyserverContract, ks.api);
  const subs: Subscription[] = [];
  return {
    db,
    streams,
    ks,
    clients: { local: both.local, http: both.http },
    async keyChanges() {
      const got: OutputKeyChangeEvent[] = [];
      await streams.ensureConsumer(OUTPUT_KEY_CHANGE_EVENT, "test-key-changes");
      subs.push(await streams.consume(OUTPUT_KEY_CHANGE_EVENT, "test-key-changes", (m) => void got.push(outputKeyChangeEventSchema.parse(m.json()))));
      return got;
    },
    async close() {
      for (const s of subs) await s.stop();
      await ks.close();
      await both.close();
      await streams.close();
      await db.close();
    },
  };
}

/** Polls `check` every 10 ms for up to 4 s. */
export async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

/**
 * An eduserver under test, reachable through both client adapters (in-process, and over HTTP
 * as the polylith wires it), on a real PostgreSQL with the embedded log, and a way to read its
 * streams back as syncapi does.
 */
import { createEmbeddedStreams, type Streams, type Subscription } from "@dendrite-ts/runtime";
import { openTestDatabase, serveBothWays } from "@dendrite-ts/runtime/testing";
import type { z } from "zod";
import { createEduserver, eduserverContract, type Eduserver, type EduserverClient } from "../src/index";

export interface EduserverUnderTest {
  streams: Streams;
  edu: Eduserver;
  clients: { local: EduserverClient; http: EduserverClient };
  /** Every message published on `stream` from now on, parsed with `schema`, appended to the array returned. */
  collect<T>(stream: string, schema: z.ZodType<T>): Promise<T[]>;
  close(): Promise<void>;
}

export async function startEduserver(now: () => number): Promise<EduserverUnderTest> {
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db, { pollMs: 20 });
  const edu = await createEduserver({ streams, now });
  const both = await serveBothWays(eduserverContract, edu.api);
  const subs: Subscription[] = [];
  return {
    streams,
    edu,
    clients: { local: both.local, http: both.http },
    async collect(stream, schema) {
      const got: z.infer<typeof schema>[] = [];
      await streams.ensureConsumer(stream, `test-${stream}`);
      subs.push(await streams.consume(stream, `test-${stream}`, (m) => void got.push(schema.parse(m.json()))));
      return got;
    },
    async close() {
      for (const s of subs) await s.stop();
      await edu.close();
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

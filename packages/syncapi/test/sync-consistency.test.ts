// Under concurrency, /sync never loses, duplicates or reorders anything: 8 users write at once
// into their own rooms and two shared ones (messages, topic changes, account data, an invite
// each), while readers — a long-polling device per user, and short- or zero-timeout devices —
// follow with since tokens. At the end every reader's timeline of each room equals /messages
// for that user (same events, same order, each once), with no `limited` gap, and each reader
// saw its user's account data climb to the last value.
//
// Why the classic race (positions 10 and 11 taken, 11 commits first, a /sync in between answers
// next_batch=11 and 10 is never sent) cannot happen here: every syncapi writer takes the
// writers' advisory lock *before* nextval() and holds it to commit, bumping stream_positions in
// the same transaction (storage/positions.ts, hot-path.ts writeUnderLock), so positions commit
// in the order they were handed out, in every process on the database. PostgreSQL makes a
// commit visible before it releases the transaction's locks, so the next writer's rows are
// never visible without the previous one's. A /sync reads stream_positions and rows in one
// statement (syncOverview: one snapshot) and bounds every later read by those positions. A
// long-poll is woken only after the write's statement returned, i.e. after its commit
// (postgres.js settles a query at ReadyForQuery). This test keeps that property guarded, in
// each log (embedded; JetStream when DENDRITE_TEST_NATS_URL is set), with one syncapi and with
// a second one on the same database and the same durable consumers.
import { createEmbeddedStreams, createHttpServer, createJetStreamStreams, createLogger, type Database, type HttpServer, type Streams } from "@dendrite-ts/runtime";
import { testServices } from "@dendrite-ts/runtime/testing";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSyncapi, type Syncapi } from "../src";
import { createRoom, join, send, setState, startHarness, type Harness, type User } from "./harness";

const WRITERS = 8;
/** Messages per writer; shared rooms get WRITERS * MESSAGES / 3 each, far under the timeline limit. */
const MESSAGES = 16;
const FILTER = JSON.stringify({ room: { timeline: { limit: 500 } } });
const COUNTER = "org.example.stress.counter";

type Log = { kind: "embedded" } | { kind: "jetstream"; url: string };

const natsUrl = testServices().natsUrl;
/**
 * `second`: another syncapi on the same database and durable consumers (another process), half
 * the readers on it. `restart`: the syncapi is replaced by a new one while the writers write.
 * Not here: two syncapis on JetStream. The embedded log leases only the oldest pending message
 * of a subject, across processes; JetStream hands a durable's messages to whichever process
 * fetches, so two syncapis take two events of one room at once and the later one may take the
 * lower position (this test then fails: the timeline's order differs from /messages). The
 * polylith runs one syncapi.
 */
const variants: { name: string; log: Log; second: boolean; restart: boolean }[] = [
  { name: "embedded log, one syncapi restarted midway", log: { kind: "embedded" }, second: false, restart: true },
  { name: "embedded log, two syncapis on one database", log: { kind: "embedded" }, second: true, restart: false },
  ...(natsUrl ? [{ name: "JetStream, one syncapi restarted midway", log: { kind: "jetstream", url: natsUrl } as Log, second: false, restart: true }] : []),
];

const quiet = () => createLogger({ level: "silent" }, { destination: new Writable({ write: (_c, _e, cb) => cb() }) });

interface Reader {
  user: User;
  /** Long-poll timeout of each /sync (0: no wait). */
  timeout: number;
  server: () => HttpServer;
  /** Joins the rooms it is invited to (one reader per user does). */
  joinsInvites: boolean;
  token: string;
  timelines: Map<string, string[]>;
  /** Rooms whose first section came limited (a join): compared as a suffix of /messages. */
  startedLimited: Set<string>;
  counter: number[];
  invitedTo: Set<string>;
  problems: string[];
}

describe.each(variants)("/sync under concurrent writers ($name)", ({ log, second, restart }) => {
  let h: Harness;
  let other: { syncapi: Syncapi; server: HttpServer; streams?: Streams } | undefined;
  const prefix = `S${randomBytes(5).toString("hex")}`;
  const makeStreams = (db: Database): Promise<Streams> =>
    log.kind === "embedded" ? createEmbeddedStreams(db, { pollMs: 20 }) : createJetStreamStreams({ servers: log.url, prefix });

  beforeAll(async () => {
    h = await startHarness("local", { streams: makeStreams });
    if (second) {
      // Another process's syncapi: its own log connection, the same durable consumers and database.
      const streams = await makeStreams(h.db);
      const logger = quiet();
      const syncapi = await createSyncapi({ db: h.db, streams, roomserver: h.roomserver, userapi: h.userapi, keyserver: h.keyserver, eduserver: h.eduserver, serverName: "test.local", logger });
      const server = createHttpServer({ logger });
      syncapi.register(server);
      await server.ready();
      other = { syncapi, server, streams };
    }
  });
  afterAll(async () => {
    if (other) {
      await other.syncapi.close();
      await other.server.close();
      await other.streams?.close();
    }
    await h?.close();
  });

  let restarting: Promise<void> | undefined;
  async function syncOnce(r: Reader, timeout: number): Promise<any> {
    const query = { ...(r.token ? { since: r.token } : {}), timeout: String(timeout), filter: FILTER };
    for (;;) {
      const server = r.server();
      try {
        const res = await server.inject({ method: "GET", url: "/_matrix/client/v3/sync", query, headers: { authorization: `Bearer ${r.user.token}` } });
        if (res.statusCode !== 200) throw new Error(`/sync ${res.statusCode}: ${res.body}`);
        return JSON.parse(res.body);
      } catch (e) {
        // The server closed under the request (a restart): ask the new one, as a client would.
        if (!restarting) throw e;
        await restarting;
      }
    }
  }

  /** Takes in one answer; true when it carried anything this test looks at. */
  function absorb(r: Reader, res: any, joins: Promise<unknown>[]): boolean {
    let news = false;
    r.token = res.next_batch;
    for (const [roomId, section] of Object.entries<any>(res.rooms?.join ?? {})) {
      const ids = (section.timeline?.events ?? []).map((e: any) => e.event_id as string);
      const seen = r.timelines.get(roomId);
      if (section.timeline?.limited) {
        if (seen) r.problems.push(`${roomId}: limited timeline after ${seen.length} events (a gap)`);
        else r.startedLimited.add(roomId);
      }
      if (seen) seen.push(...ids);
      else r.timelines.set(roomId, ids);
      for (const e of section.account_data?.events ?? []) if (e.type === COUNTER) r.counter.push(e.content.n);
      news ||= ids.length > 0;
    }
    for (const e of res.account_data?.events ?? []) {
      if (e.type !== COUNTER) continue;
      r.counter.push(e.content.n);
      news = true;
    }
    for (const roomId of Object.keys(res.rooms?.invite ?? {})) {
      news = true;
      if (r.invitedTo.has(roomId) || r.timelines.has(roomId)) continue;
      r.invitedTo.add(roomId);
      if (r.joinsInvites) joins.push(join(h, r.user, roomId));
    }
    return news;
  }

  async function messages(user: User, roomId: string): Promise<string[]> {
    const ids: string[] = [];
    let from: string | undefined;
    for (;;) {
      const res = await h.get(user, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 500, ...(from ? { from } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      ids.push(...res.body.chunk.map((e: any) => e.event_id as string));
      if (!res.body.end || res.body.chunk.length === 0) return ids.reverse();
      from = res.body.end;
    }
  }

  it("every reader sees every event once, in each room's order, and the last account data", { timeout: 120_000 }, async () => {
    const users = await Promise.all(Array.from({ length: WRITERS }, (_, i) => h.user(`w${i}`)));
    const mallory = await h.user("mallory");
    const own = await Promise.all(users.map((u) => createRoom(h, u, { preset: "private_chat" })));
    const creators = [users[0]!, users[1]!];
    const shared = [await createRoom(h, creators[0]!), await createRoom(h, creators[1]!)];
    for (const [j, roomId] of shared.entries()) for (const u of [...users, mallory]) if (u !== creators[j]) await join(h, u, roomId);
    // w0 ignores mallory, who talks in a shared room: w0's readers must see none of it, like /messages.
    await h.userapi.setAccountData({ body: { userId: users[0]!.userId, type: "m.ignored_user_list", content: { ignored_users: { [mallory.userId]: {} } } } });
    await h.waitForAccountData(users[0]!.userId, "m.ignored_user_list");
    const latest = await Promise.all(shared.map((roomId) => h.roomserver.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })));
    await h.waitForEvents(...latest.flatMap((l) => l.body.latestEventIds));

    // Readers: a long-poll per user, and second devices polling with short or no waits.
    const readers: Reader[] = [];
    const newReader = (user: User, timeout: number, joinsInvites: boolean): Reader => {
      const onSecond = other !== undefined && readers.length % 2 === 1;
      const r: Reader = {
        user,
        timeout,
        joinsInvites,
        server: onSecond ? () => other!.server : () => h.server,
        token: "",
        timelines: new Map(),
        startedLimited: new Set(),
        counter: [],
        invitedTo: new Set(),
        problems: [],
      };
      readers.push(r);
      return r;
    };
    for (const u of users) newReader(u, 1000, true);
    for (let i = 0; i < 4; i++) newReader(await h.device(users[i]!, `FAST${i}`), i % 2 === 0 ? 0 : 30, false);
    const joins: Promise<unknown>[] = [];
    for (const r of readers) absorb(r, await syncOnce(r, 0), joins);

    let writing = true;
    const reading = readers.map(async (r) => {
      while (writing) {
        absorb(r, await syncOnce(r, r.timeout), joins);
        // A client polling without a wait still pauses between polls.
        if (r.timeout === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });

    const sent: string[] = [];
    const malloryIds: string[] = [];
    const lastCounter = new Map<string, number>();
    const writer = async (i: number) => {
      const u = users[i]!;
      let n = 0;
      for (let k = 0; k < MESSAGES; k++) {
        const roomId = k % 3 === 0 ? own[i]! : shared[k % 3 === 1 ? 0 : 1]!;
        // Two sends at once per writer: more interleaving across rooms and within each.
        const pair = await Promise.all([send(h, u, roomId, `${i}-${k}a`), send(h, u, roomId, `${i}-${k}b`)]);
        sent.push(...pair);
        if (k % 4 === 0) {
          await h.userapi.setAccountData({ body: { userId: u.userId, type: COUNTER, content: { n: ++n } } });
          lastCounter.set(u.userId, n);
        }
        if (k % 7 === 3) sent.push(await setState(h, u, own[i]!, "m.room.topic", { topic: `topic ${k}` }));
        if (k === MESSAGES / 2) {
          const invitee = users[(i + 1) % WRITERS]!;
          sent.push((await h.roomserver.performInvite({ body: { sender: u.userId, roomId: own[i]!, invitee: invitee.userId } })).body.eventId);
        }
      }
    };
    const talker = async () => {
      for (let k = 0; k < MESSAGES; k++) malloryIds.push(await send(h, mallory, shared[0]!, `m-${k}`));
    };
    const restarted = async () => {
      if (!restart) return;
      while (sent.length < (WRITERS * MESSAGES * 2) / 2) await new Promise((r) => setTimeout(r, 10));
      restarting = h.restartSyncapi();
      await restarting;
      restarting = undefined;
    };
    await Promise.all([...users.map((_, i) => writer(i)), talker(), restarted()]);
    // Every invite answered (readers join as they see them), then everything stored.
    for (let i = 0; i < 400 && joins.length < WRITERS; i++) await new Promise((r) => setTimeout(r, 25));
    expect(joins.length, "invites seen by the long-polling readers").toBe(WRITERS);
    const joined = await Promise.all(joins);
    await h.waitForEvents(...sent, ...malloryIds, ...(joined as string[]));
    for (const u of users) await h.waitForAccountData(u.userId, COUNTER, (c) => c.n === lastCounter.get(u.userId));
    writing = false;
    await Promise.all(reading);

    // A long-poll whose token is behind committed news answers at once (a wait here would be a
    // lost wake: the last-answer shortcut or a wake taken before the commit was visible).
    const marker = await send(h, users[1]!, shared[1]!, "marker");
    await h.waitForEvents(marker);
    for (const r of readers.filter((r) => r.timeout > 0)) {
      const before = Date.now();
      absorb(r, await syncOnce(r, 10_000), joins);
      if (Date.now() - before >= 10_000) r.problems.push("a long-poll slept through a message already committed");
    }
    // Then polls without waiting until one brings nothing.
    for (const r of readers) while (absorb(r, await syncOnce(r, 0), joins));
    for (const r of readers) {
      const label = `${r.user.userId}/${r.user.deviceId}`;
      expect(r.problems, label).toEqual([]);
      const expectedRooms = [own[users.findIndex((u) => u.userId === r.user.userId)]!, ...shared, own[(users.findIndex((u) => u.userId === r.user.userId) + WRITERS - 1) % WRITERS]!];
      expect(new Set(r.timelines.keys()), label).toEqual(new Set(expectedRooms));
      for (const roomId of expectedRooms) {
        const got = r.timelines.get(roomId)!;
        expect(new Set(got).size, `${label} ${roomId}: duplicates`).toBe(got.length);
        const want = await messages(r.user, roomId);
        if (r.startedLimited.has(roomId)) expect(want.slice(want.length - got.length), `${label} ${roomId}`).toEqual(got);
        else expect(got, `${label} ${roomId}`).toEqual(want);
      }
      // Account data comes as its latest value: never older than what was already sent, ending at the last.
      expect(r.counter, label).toEqual([...r.counter].sort((a, b) => a - b));
      expect(r.counter.at(-1), label).toBe(lastCounter.get(r.user.userId));
    }
    // The ignored user's messages reached no reader of w0, and every other reader got them all.
    for (const r of readers) {
      const saw = r.timelines.get(shared[0]!)!.filter((id) => malloryIds.includes(id)).length;
      expect(saw, `mallory's messages at ${r.user.userId}`).toBe(r.user.userId === users[0]!.userId ? 0 : MESSAGES);
    }
  });
});

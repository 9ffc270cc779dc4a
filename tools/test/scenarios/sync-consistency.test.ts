/**
 * /sync under concurrent writers, end to end over HTTP in every mode this machine can start:
 * 6 users send at once into their own rooms and a shared one, change account data and invite
 * each other, while a long-polling device per user and short- or zero-timeout devices follow
 * with since tokens. Every reader's timeline of each room must equal /messages (each event
 * once, in the room's order, no `limited` gap) and its account data must climb to the last
 * value. Why positions cannot be published out of commit order: see the syncapi's
 * sync-consistency test; this one holds the property through clientapi, the roomserver, the
 * log of each mode (embedded, NATS JetStream) and the polylith's processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { clientApiCall, RawClient } from "../../src/harness/raw-client";

const USERS = 6;
const MESSAGES = 12;
const FILTER = JSON.stringify({ room: { timeline: { limit: 500 } } });
const COUNTER = "org.example.stress.counter";

interface Reader {
  client: RawClient;
  timeout: number;
  joinsInvites: boolean;
  token?: string;
  timelines: Map<string, string[]>;
  startedLimited: Set<string>;
  counter: number[];
  invitedTo: Set<string>;
  problems: string[];
}

describe.each(availableModes())("/sync under concurrent writers (%s)", (mode) => {
  let hs: Homeserver;
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    hs = await startHomeserver(mode);
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  const sync = (r: Reader, timeout: number) => r.client.sync({ ...(r.token ? { since: r.token } : {}), timeout, filter: FILTER }) as Promise<any>;
  const enc = encodeURIComponent;

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
      if (r.joinsInvites) joins.push(r.client.join(roomId));
    }
    return news;
  }

  async function messages(client: RawClient, roomId: string): Promise<string[]> {
    const ids: string[] = [];
    let from: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ dir: "b", limit: "500", ...(from ? { from } : {}) });
      const res = await client.request<{ chunk: { event_id: string }[]; end?: string }>("GET", `/rooms/${enc(roomId)}/messages?${q}`);
      ids.push(...res.chunk.map((e) => e.event_id));
      if (!res.end || res.chunk.length === 0) return ids.reverse();
      from = res.end;
    }
  }

  it("every reader sees every event once, in each room's order, and the last account data", { timeout: 60_000 }, async () => {
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => RawClient.register(hs.baseUrl, `sc${i}${tag}`)));
    const own = await Promise.all(users.map((u) => u.createRoom({ preset: "private_chat" })));
    const shared = await users[0]!.createRoom({ preset: "public_chat" });
    for (const u of users.slice(1)) await u.join(shared);

    const readers: Reader[] = [];
    const newReader = (client: RawClient, timeout: number, joinsInvites: boolean) =>
      readers.push({ client, timeout, joinsInvites, timelines: new Map(), startedLimited: new Set(), counter: [], invitedTo: new Set(), problems: [] });
    for (const u of users) newReader(u, 1000, true);
    for (let i = 0; i < 3; i++) {
      const login = await clientApiCall(hs.baseUrl, "POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user: `sc${i}${tag}` }, password: `pw-sc${i}${tag}-secret` });
      expect(login.status).toBe(200);
      newReader(new RawClient(hs.baseUrl, login.json.user_id as string, login.json.access_token as string), i === 0 ? 0 : 50, false);
    }
    const joins: Promise<unknown>[] = [];
    for (const r of readers) absorb(r, await sync(r, 0), joins);

    let writing = true;
    const reading = readers.map(async (r) => {
      while (writing) {
        absorb(r, await sync(r, r.timeout), joins);
        if (r.timeout === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    const lastCounter = new Map<string, number>();
    const sent: string[] = [];
    await Promise.all(
      users.map(async (u, i) => {
        let n = 0;
        for (let k = 0; k < MESSAGES; k++) {
          const roomId = k % 2 === 0 ? own[i]! : shared;
          sent.push(...(await Promise.all([u.send(roomId, `${i}-${k}a`), u.send(roomId, `${i}-${k}b`)])));
          if (k % 3 === 0) {
            await u.request("PUT", `/user/${enc(u.userId)}/account_data/${COUNTER}`, { n: ++n });
            lastCounter.set(u.userId, n);
          }
          if (k === 5) await u.request("PUT", `/rooms/${enc(own[i]!)}/state/m.room.topic/`, { topic: `topic ${k}` });
          if (k === MESSAGES / 2) await u.request("POST", `/rooms/${enc(own[i]!)}/invite`, { user_id: users[(i + 1) % USERS]!.userId });
        }
      }),
    );
    for (let i = 0; i < 400 && joins.length < USERS; i++) await new Promise((r) => setTimeout(r, 25));
    expect(joins.length, "invites seen by the long-polling readers").toBe(USERS);
    await Promise.all(joins);
    writing = false;
    await Promise.all(reading);

    // A long-poll behind a message already sent answers at once (no lost wake).
    const marker = await users[1]!.send(shared, "marker");
    for (const r of readers.filter((r) => r.timeout > 0)) {
      const before = Date.now();
      let got = false;
      while (!got && Date.now() - before < 10_000) {
        absorb(r, await sync(r, 10_000), joins);
        got = r.timelines.get(shared)?.includes(marker) ?? false;
      }
      if (!got) r.problems.push("a long-poll slept through a message already sent");
    }
    // Everything sent is served (the syncapi trails the writes), then polls without waiting until one brings nothing.
    for (let i = 0; i < 200; i++) {
      const served = new Set((await Promise.all([...users.map((u, j) => messages(u, own[j]!)), messages(users[0]!, shared)])).flat());
      if (sent.every((id) => served.has(id))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const r of readers) while (absorb(r, await sync(r, 0), joins));

    for (const r of readers) {
      const label = `${r.client.userId} (timeout ${r.timeout})`;
      expect(r.problems, label).toEqual([]);
      const i = users.findIndex((u) => u.userId === r.client.userId);
      const rooms = [own[i]!, shared, own[(i + USERS - 1) % USERS]!];
      expect(new Set(r.timelines.keys()), label).toEqual(new Set(rooms));
      for (const roomId of rooms) {
        const got = r.timelines.get(roomId)!;
        expect(new Set(got).size, `${label} ${roomId}: duplicates`).toBe(got.length);
        const want = await messages(r.client, roomId);
        if (r.startedLimited.has(roomId)) expect(want.slice(want.length - got.length), `${label} ${roomId}`).toEqual(got);
        else expect(got, `${label} ${roomId}`).toEqual(want);
      }
      expect(r.counter, label).toEqual([...r.counter].sort((a, b) => a - b));
      expect(r.counter.at(-1), label).toBe(lastCounter.get(r.client.userId));
    }
  });
});

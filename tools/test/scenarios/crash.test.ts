/**
 * kill -9 while a client sends: the monolith (process and its embedded PostgreSQL's owner
 * gone at once), and separately the polylith's roomserver process. After the restart every
 * message that got a 200 is in the room exactly once, the client's retries (same transaction
 * IDs) add no duplicates, and /sync from a token taken before the crash returns them all.
 */
import { afterEach, describe, expect, it } from "vitest";
import { testServices } from "@dendrite-ts/runtime/testing";
import { startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { RawClient } from "../../src/harness/raw-client";
import { findChildProcess } from "../../src/harness/spawn-server";

const MESSAGES = 1000;
const CRASH_AFTER = 300;

interface Outcome {
  acked: Map<number, string>; // message index → event ID from a 200
}

/** Sends MESSAGES messages with fixed transaction IDs, retrying each until it gets a 200. */
async function sendAll(alice: RawClient, roomId: string, onAcked: (n: number) => void): Promise<Outcome> {
  const acked = new Map<number, string>();
  for (let i = 0; i < MESSAGES; i++) {
    const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/crash-${i}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const { event_id } = await alice.request<{ event_id: string }>("PUT", path, { msgtype: "m.text", body: `crash ${i}` });
        acked.set(i, event_id);
        onAcked(acked.size);
        break;
      } catch {
        if (attempt > 600) throw new Error(`message ${i} never went through`);
        await new Promise((r) => setTimeout(r, 100)); // the server is down or restarting
      }
    }
  }
  return { acked };
}

async function history(alice: RawClient, roomId: string): Promise<Map<string, string[]>> {
  const byBody = new Map<string, string[]>();
  let from: string | undefined;
  for (;;) {
    const q = `dir=b&limit=500${from ? `&from=${encodeURIComponent(from)}` : ""}`;
    const page = await alice.request<{ chunk: { event_id: string; type: string; content: { body?: string } }[]; end?: string }>(
      "GET",
      `/rooms/${encodeURIComponent(roomId)}/messages?${q}`,
    );
    for (const ev of page.chunk) {
      if (ev.type === "m.room.message" && ev.content.body?.startsWith("crash ")) {
        byBody.set(ev.content.body, [...(byBody.get(ev.content.body) ?? []), ev.event_id]);
      }
    }
    if (!page.end) return byBody;
    from = page.end;
  }
}

/**
 * What a client catching up from `since` gets: the /sync timeline, and when that is `limited`,
 * the gap before it through /messages from `prev_batch` back to `since` (as clients do).
 */
async function syncedSince(alice: RawClient, roomId: string, since: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const res = await alice.sync({ since, timeout: 0, filter: JSON.stringify({ room: { timeline: { limit: 100 } } }) });
  const timeline = (res.rooms?.join?.[roomId]?.timeline ?? { events: [] }) as {
    events: { event_id: string; content: Record<string, unknown> }[];
    limited?: boolean;
    prev_batch?: string;
  };
  const take = (ev: { event_id: string; content: Record<string, unknown> }) => {
    if (String(ev.content.body ?? "").startsWith("crash ")) seen.add(ev.event_id);
  };
  timeline.events.forEach(take);
  let from = timeline.limited ? timeline.prev_batch : undefined;
  while (from) {
    const q = `dir=b&limit=500&from=${encodeURIComponent(from)}&to=${encodeURIComponent(since)}`;
    const page = await alice.request<{ chunk: { event_id: string; content: Record<string, unknown> }[]; end?: string }>(
      "GET",
      `/rooms/${encodeURIComponent(roomId)}/messages?${q}`,
    );
    page.chunk.forEach(take);
    from = page.chunk.length > 0 ? page.end : undefined;
  }
  return seen;
}

async function expectExactlyOnce(alice: RawClient, roomId: string, since: string, outcome: Outcome): Promise<void> {
  // History reaches syncapi through the output stream: wait until it has caught up.
  let byBody = await history(alice, roomId);
  for (let waited = 0; byBody.size < MESSAGES && waited < 60_000; waited += 250) {
    await new Promise((r) => setTimeout(r, 250));
    byBody = await history(alice, roomId);
  }
  for (const [i, eventId] of outcome.acked) expect(byBody.get(`crash ${i}`), `message ${i}`).toEqual([eventId]);
  expect(byBody.size).toBe(MESSAGES);
  const synced = await syncedSince(alice, roomId, since);
  expect(synced.size).toBe(MESSAGES);
}

const modes: { name: string; mode: "monolith" | "polylith"; crash: (hs: Homeserver) => Promise<void> }[] = [
  {
    name: "the monolith",
    mode: "monolith",
    crash: async (hs) => {
      await hs.crash();
      await hs.restart();
    },
  },
];
const services = testServices();
if (services.postgresUrl && services.natsUrl) {
  modes.push({
    name: "the polylith's roomserver process",
    mode: "polylith",
    // The supervisor restarts it; the client's retries ride out the gap.
    crash: async (hs) => {
      const pid = findChildProcess(hs.process.child.pid!, (cmd) => cmd.includes(" roomserver "));
      if (!pid) throw new Error("no roomserver process found");
      process.kill(pid, "SIGKILL");
    },
  });
}

describe.each(modes)("kill -9 of $name while a client sends 1,000 messages", ({ mode, crash }) => {
  let hs: Homeserver | undefined;
  afterEach(async () => {
    await hs?.stop();
  });

  it("every acknowledged message is there exactly once, and /sync from an old token has them all", async () => {
    hs = await startHomeserver(mode);
    const alice = await RawClient.register(hs.baseUrl, `crash${Date.now().toString(36)}`);
    const roomId = await alice.createRoom({ preset: "private_chat" });
    const since = (await alice.sync({ timeout: 0 })).next_batch;
    const server = hs;
    let crashed: Promise<void> | undefined;
    const outcome = await sendAll(alice, roomId, (n) => {
      if (n === CRASH_AFTER && !crashed) crashed = crash(server);
    });
    await crashed;
    await expectExactlyOnce(alice, roomId, since, outcome);
  }, 600_000);
});

/**
 * Presence through both client adapters (in-process and over HTTP), read back from the stream
 * as syncapi reads it: set and read back, a sync's set_presence, status messages, and the
 * timeouts (idle → unavailable, gone → offline, no longer currently active) on a clock we move.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  OUTPUT_PRESENCE_EVENT,
  outputPresenceEventSchema,
  PRESENCE_ACTIVE_MS,
  PRESENCE_GONE_MS,
  PRESENCE_IDLE_MS,
  type EduserverClient,
  type OutputPresenceEvent,
} from "../src/index";
import { PresenceTable } from "../src/internal/presence";
import { startEduserver, until, type EduserverUnderTest } from "./setup";

let t: EduserverUnderTest;
let clients: Record<string, EduserverClient>;
let told: OutputPresenceEvent[];
const clock = 5_000_000;

beforeAll(async () => {
  t = await startEduserver(() => clock);
  clients = t.clients;
  told = await t.collect(OUTPUT_PRESENCE_EVENT, outputPresenceEventSchema);
});
afterAll(() => t?.close());

describe.each(["local", "http"])("presence over %s", (transport) => {
  const alice = `@alice-${transport}:test.local`;
  const bob = `@bob-${transport}:test.local`;

  it("a user never seen is offline", async () => {
    const { body } = await clients[transport]!.queryPresence({ body: { userId: `@nobody-${transport}:test.local` } });
    expect(body).toEqual({ presence: "offline", statusMsg: null, lastActiveTs: null, currentlyActive: false });
  });

  it("set, read back and told once: online with a status is active now; the same again tells nobody", async () => {
    const c = clients[transport]!;
    told.length = 0;
    await c.performSetPresence({ body: { userId: alice, presence: "online", statusMsg: "in a meeting" } });
    await c.performSetPresence({ body: { userId: alice, presence: "online", statusMsg: "in a meeting" } });
    expect((await c.queryPresence({ body: { userId: alice } })).body).toEqual({ presence: "online", statusMsg: "in a meeting", lastActiveTs: clock, currentlyActive: true });
    await c.performSetPresence({ body: { userId: alice, presence: "unavailable" } });
    await until("two presence messages", () => told.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(told).toEqual([
      { userId: alice, presence: "online", statusMsg: "in a meeting", lastActiveTs: clock, currentlyActive: true },
      // No status message given: cleared, as Synapse does. The last active time stays.
      { userId: alice, presence: "unavailable", statusMsg: null, lastActiveTs: clock, currentlyActive: false },
    ]);
  });

  it("a sync's set_presence becomes the presence; offline there changes nothing", async () => {
    const c = clients[transport]!;
    told.length = 0;
    await c.performSyncPresence({ body: { userId: bob, setPresence: "offline" } });
    expect((await c.queryPresence({ body: { userId: bob } })).body.presence).toBe("offline");
    await c.performSyncPresence({ body: { userId: bob, setPresence: "online" } });
    await c.performSyncPresence({ body: { userId: bob, setPresence: "online" } });
    expect((await c.queryPresence({ body: { userId: bob } })).body).toMatchObject({ presence: "online", currentlyActive: true });
    await c.performSyncPresence({ body: { userId: bob, setPresence: "offline" } });
    expect((await c.queryPresence({ body: { userId: bob } })).body.presence).toBe("online");
    await until("one presence message", () => told.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(told).toEqual([{ userId: bob, presence: "online", statusMsg: null, lastActiveTs: clock, currentlyActive: true }]);
  });

  it("refuses a presence that is not one", async () => {
    await expect(clients[transport]!.performSetPresence({ body: { userId: alice, presence: "busy" as "online" } })).rejects.toThrow();
  });
});

describe("presence timeouts", () => {
  let now = 1_000_000;
  const published: OutputPresenceEvent[] = [];
  const table = new PresenceTable(async (ev) => void published.push(ev), () => now, (e) => { throw e; });
  afterAll(() => table.close());

  it("online and syncing: no longer currently active after a minute, idle (unavailable) after five, then online again on a sync", async () => {
    await table.synced("@c:test.local", "online");
    const start = now;
    // Keeps syncing every 30 s: never gone.
    for (now = start + 30_000; now < start + PRESENCE_ACTIVE_MS + 30_000; now += 30_000) {
      await table.synced("@c:test.local", "online");
      await table.sweep();
    }
    expect(table.get("@c:test.local")).toMatchObject({ presence: "online", currentlyActive: false });
    for (; now < start + PRESENCE_IDLE_MS + 30_000; now += 30_000) {
      await table.synced("@c:test.local", "online");
      await table.sweep();
    }
    expect(table.get("@c:test.local")).toMatchObject({ presence: "unavailable", lastActiveTs: start });
    await table.synced("@c:test.local", "online");
    expect(table.get("@c:test.local")).toMatchObject({ presence: "online", lastActiveTs: now, currentlyActive: true });
    expect(published.map((e) => [e.presence, e.currentlyActive])).toEqual([
      ["online", true],
      ["online", false],
      ["unavailable", false],
      ["online", true],
    ]);
  });

  it("gone (no sync, no set) for a minute: offline, the status message kept", async () => {
    published.length = 0;
    await table.set("@d:test.local", "unavailable", "lunch");
    now += PRESENCE_GONE_MS - 1;
    await table.sweep();
    expect(table.get("@d:test.local").presence).toBe("unavailable");
    now += 1;
    await table.sweep();
    expect(table.get("@d:test.local")).toMatchObject({ presence: "offline", statusMsg: "lunch" });
    expect(published.filter((e) => e.userId === "@d:test.local").map((e) => e.presence)).toEqual(["unavailable", "offline"]);
    // @c stopped syncing at the end of the test before: gone too.
    expect(table.get("@c:test.local").presence).toBe("offline");
  });
});

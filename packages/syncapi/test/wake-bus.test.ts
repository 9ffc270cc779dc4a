// Waking /sync requests held by another syncapi process on the same database (LISTEN/NOTIFY).
import type { Database } from "@dendrite-ts/runtime";
import { openTestDatabase } from "@dendrite-ts/runtime/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifier } from "../src/notifier";
import { createWakeBus, type WakeBus } from "../src/wake-bus";

describe("wake bus", () => {
  let db: Database;
  const errors: unknown[] = [];
  let buses: WakeBus[] = [];

  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await db.close();
  });

  it("a wake in one process reaches a waiter in another, only for the users named", async () => {
    const here = createNotifier();
    const there = createNotifier();
    buses = [await createWakeBus(db, here, (e) => errors.push(e)), await createWakeBus(db, there, (e) => errors.push(e))];
    const alice = there.waiter("@alice:x");
    const bob = there.waiter("@bob:x");
    buses[0]!.wake({ users: ["@alice:x"] });
    expect(await alice.wait(3000)).toBe(true);
    expect(await bob.wait(200)).toBe(false);
  });

  it("rooms travel too", async () => {
    const there = createNotifier();
    buses.push(await createWakeBus(db, there, (e) => errors.push(e)));
    const dave = there.waiter("@dave:x", ["!room:x"]);
    buses[0]!.wake({ rooms: ["!room:x"] });
    expect(await dave.wait(3000)).toBe(true);
  });

  it("a wake too large for one NOTIFY wakes everyone instead", async () => {
    const there = createNotifier();
    const bus = await createWakeBus(db, there, (e) => errors.push(e));
    buses.push(bus);
    const carol = there.waiter("@carol:x");
    buses[0]!.wake({ users: Array.from({ length: 1000 }, (_, i) => `@someone-${i}:example.org`) });
    expect(await carol.wait(3000)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("a lost listening connection is re-established; waiters are woken and caches dropped, for what it missed", async () => {
    const there = createNotifier();
    const remote: (readonly string[] | "all")[] = [];
    const bus = await createWakeBus(db, there, (e) => errors.push(e), (users) => remote.push(users));
    buses.push(bus);
    // Every wake-bus listener of this test's database loses its connection, as in a restart.
    await db.sql`
      SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'dendrite-ts-syncapi-wakes'`;
    const erin = there.waiter("@erin:x");
    expect(await erin.wait(3000)).toBe(true);
    expect(remote).toContainEqual("all");
    const frank = there.waiter("@frank:x");
    buses[0]!.wake({ users: ["@frank:x"] });
    expect(await frank.wait(3000)).toBe(true);
  });
});

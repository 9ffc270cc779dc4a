// A long-poll woken by one new message answers from the message (no database read) when it is
// all the news — and then says exactly what a read would; otherwise it reads as before.
import { observeQueries } from "@dendrite-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../src/storage";
import { liveAnswer } from "../src/sync/live-answer";
import { createRoom, join, send, setState, startHarness, sync, type Harness, type User } from "./harness";

const OVERVIEW = "WITH p AS MATERIALIZED";

/** The response without what may differ between two answers made at different times. */
function comparable(res: any): any {
  const copy = structuredClone(res);
  for (const room of Object.values<any>(copy.rooms.join)) {
    delete room.summary;
    for (const e of [...room.timeline.events, ...room.state.events]) delete e.unsigned?.age;
  }
  return copy;
}

describe("answering a woken /sync from the message that woke it", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let roomId: string;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    roomId = await createRoom(h, alice, { name: "Live" });
    await h.waitForEvents(await join(h, bob, roomId));
  });
  afterAll(() => h.close());

  /**
   * Parks `user`'s long-poll from `since`, runs `act` once it waits, and returns the answer,
   * the number of overview reads it made, and a fresh read's answer from the same token. A
   * poll from the last answer's token waits without a read (routing/last-answers.ts); one that
   * reads first is given time to get from its read to its wait.
   */
  async function wokenBy(user: User, since: string, act: () => Promise<string[]>, filter?: object) {
    let overviews = 0;
    observeQueries((q) => {
      if (q.includes(OVERVIEW)) overviews++;
    });
    try {
      const query = { since, timeout: 10_000, ...(filter ? { filter: JSON.stringify(filter) } : {}) };
      const pending = sync(h, user, query);
      await new Promise((r) => setTimeout(r, 150));
      const before = overviews;
      const ids = await act();
      await h.waitForEvents(...ids);
      const woken = await pending;
      const reads = overviews;
      const fresh = await sync(h, user, { since, ...(filter ? { filter: JSON.stringify(filter) } : {}) });
      return { woken, before, reads, fresh, ids };
    } finally {
      observeQueries(undefined);
    }
  }

  it("another member's message: no read, the same answer a read gives", async () => {
    const since = (await sync(h, bob)).next_batch;
    const { woken, reads, fresh, ids } = await wokenBy(bob, since, async () => [await send(h, alice, roomId, "hi bob")]);
    expect(reads).toBe(0); // parked from its last answer's token, answered from the message
    expect(woken.rooms.join[roomId].timeline.events.map((e: any) => e.event_id)).toEqual(ids);
    expect(woken.rooms.join[roomId].summary).toBeUndefined();
    expect(comparable(woken)).toEqual(comparable(fresh));
  });

  it("after a read: a poll from a token it did not hand out reads, then answers from the message", async () => {
    const since = (await sync(h, bob)).next_batch;
    await sync(h, bob, { since }); // the device's last answer is now another one (same token, remembered again)
    const laptop = await h.device(bob, "LAPTOP");
    const { woken, before, reads, fresh, ids } = await wokenBy(laptop, since, async () => [await send(h, alice, roomId, "to the laptop")]);
    expect([before, reads]).toEqual([1, 1]); // the read before it waited, none after
    expect(woken.rooms.join[roomId].timeline.events.map((e: any) => e.event_id)).toEqual(ids);
    expect(comparable(woken)).toEqual(comparable(fresh));
  });

  it("the sender's own device: the transaction ID is echoed as a read would", async () => {
    const since = (await sync(h, alice)).next_batch;
    const { woken, reads, fresh } = await wokenBy(alice, since, async () => [await send(h, alice, roomId, "mine", { txnId: "live-1" })]);
    expect(reads).toBe(0);
    expect(woken.rooms.join[roomId].timeline.events[0].unsigned.transaction_id).toBe("live-1");
    expect(comparable(woken)).toEqual(comparable(fresh));
  });

  it("event_fields and a timeline limit are applied as a read applies them", async () => {
    const filter = { event_fields: ["type", "content.body", "event_id"], room: { timeline: { limit: 3 } } };
    const since = (await sync(h, bob, { filter: JSON.stringify(filter) })).next_batch;
    const { woken, reads, fresh } = await wokenBy(bob, since, async () => [await send(h, alice, roomId, "fields")], filter);
    expect(reads).toBe(0);
    expect(woken.rooms.join[roomId].timeline.events[0]).toEqual({ type: "m.room.message", content: { body: "fields" }, event_id: expect.any(String) });
    expect(comparable(woken)).toEqual(comparable(fresh));
  });

  it("event_format federation is applied as a read applies it", async () => {
    const filter = { event_format: "federation", room: { timeline: { limit: 3 } } };
    const since = (await sync(h, bob, { filter: JSON.stringify(filter) })).next_batch;
    const { woken, reads, fresh } = await wokenBy(bob, since, async () => [await send(h, alice, roomId, "federated")], filter);
    expect(reads).toBe(0);
    expect(woken.rooms.join[roomId].timeline.events[0]).toHaveProperty("prev_events");
    expect(comparable(woken)).toEqual(comparable(fresh));
  });

  it("a filter on types, a state event, or news before the message: read as before", async () => {
    const typed = { room: { timeline: { types: ["m.room.message"] } } };
    let since = (await sync(h, bob, { filter: JSON.stringify(typed) })).next_batch;
    let r = await wokenBy(bob, since, async () => [await send(h, alice, roomId, "typed")], typed);
    expect([r.before, r.reads]).toEqual([0, 1]); // parked, then read once woken
    expect(comparable(r.woken)).toEqual(comparable(r.fresh));

    since = (await sync(h, bob)).next_batch;
    r = await wokenBy(bob, since, async () => [await setState(h, alice, roomId, "m.room.topic", { topic: "live" })]);
    expect([r.before, r.reads]).toEqual([0, 1]);
    expect(r.woken.rooms.join[roomId].summary).toBeDefined();
    expect(comparable(r.woken)).toEqual(comparable(r.fresh));

    // The room stream moved after bob's token (a room bob is not in): nothing for bob, so the
    // poll still parks without a read; the message is not all that happened since, so it is
    // read then — and the answer is still just what bob may see.
    since = (await sync(h, bob)).next_batch;
    const elsewhere = await createRoom(h, alice, { name: "Elsewhere" });
    await h.waitForEvents(await send(h, alice, elsewhere, "not for bob"));
    r = await wokenBy(bob, since, async () => [await send(h, alice, roomId, "after elsewhere")]);
    expect([r.before, r.reads]).toEqual([0, 1]);
    expect(Object.keys(r.woken.rooms.join)).toEqual([roomId]);
    expect(comparable(r.woken)).toEqual(comparable(r.fresh));
  });
});

describe("liveAnswer: when a message is all the news", () => {
  const viewer = { userId: "@bob:test.local", deviceId: "BOB" };
  const event: StoredEvent = {
    pos: 12,
    eventId: "$m",
    roomId: "!r:test.local",
    type: "m.room.message",
    sender: "@alice:test.local",
    stateKey: null,
    depth: 7,
    roomVersion: "11",
    eventJson: { type: "m.room.message", sender: "@alice:test.local", content: { body: "x" }, origin_server_ts: 1, room_id: "!r:test.local" },
    unsignedExtra: {},
    redactedBecause: null,
    txnId: null,
    txnDeviceId: null,
    containsUrl: false,
    originKind: "new",
    excluded: false,
    relatesTo: null,
    relType: null,
  };
  const base = { viewer, since: { room: 10, accountData: 3, receipt: 4, typing: 5 }, filter: {}, useStateAfter: false, joinedAtSince: new Set(["!r:test.local"]), live: { event, prevPos: 10 } };

  it("answers with the message alone, keeping the account data, receipt and typing positions", () => {
    const res = liveAnswer(base)!;
    expect(res.next_batch).toBe("s12_3_4_5");
    expect(Object.keys(res.rooms.join)).toEqual(["!r:test.local"]);
    expect(res.rooms.join["!r:test.local"]).toMatchObject({ state: { events: [] } });
    // use_state_after: the same message, with state_after (required, empty) and no state.
    const after = liveAnswer({ ...base, useStateAfter: true })!.rooms.join["!r:test.local"]!;
    expect(after.state_after).toEqual({ events: [] });
    expect(after.state).toBeUndefined();
  });

  it("reads instead when anything else may have happened or a filter it does not apply is set", () => {
    const no = (change: Partial<typeof base>) => expect(liveAnswer({ ...base, ...change })).toBeUndefined();
    no({ live: { event, prevPos: 11 } }); // another write between the token and the message
    no({ joinedAtSince: new Set() }); // not known to be joined at the token
    no({ live: { event: { ...event, stateKey: "" }, prevPos: 10 } });
    no({ live: { event: { ...event, type: "m.room.redaction" }, prevPos: 10 } });
    no({ filter: { room: { timeline: { types: ["m.room.message"] } } } });
    no({ filter: { room: { timeline: { limit: 0 } } } });
    no({ filter: { room: { state: { lazy_load_members: true } } } });
    no({ filter: { room: { not_rooms: ["!r:test.local"] } } });
  });
});

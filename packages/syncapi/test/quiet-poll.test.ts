// A long-poll from the token of the device's last answer, when nothing touched the user since,
// waits without a statement (routing/last-answers.ts). Anything the user could be shown that
// happened after that answer must still come back at once: each kind of news is made between
// two polls, and the second poll has to return it rather than park on the stale token.
import { observeQueries } from "@dendrite-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, startHarness, sync, timelineIds, type Harness, type User } from "./harness";

describe("a long-poll from the last answer's token", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let roomId: string;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    roomId = await createRoom(h, alice, { name: "Quiet" });
    await h.waitForEvents(await join(h, bob, roomId));
  });
  afterAll(() => h.close());

  /** Runs `fn` and returns what it returned with every statement on the syncapi's tables sent meanwhile (the embedded streams poll their own). */
  async function statementsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const statements: string[] = [];
    observeQueries((q) => void (q.includes("syncapi.") && statements.push(q)));
    try {
      return { result: await fn(), statements };
    } finally {
      observeQueries(undefined);
    }
  }

  it("waits without a statement while nothing happens, and times out with the same token", async () => {
    const since = (await sync(h, bob)).next_batch;
    const { result, statements } = await statementsDuring(() => sync(h, bob, { since, timeout: 300 }));
    expect(statements.map((q) => q.replace(/\s+/g, " ").slice(0, 100))).toEqual([]);
    expect(result.next_batch).toBe(since);
    expect(result.rooms.join).toEqual({});
    // ...and the poll after that parks again, then answers a message as a read would.
    const pending = statementsDuring(() => sync(h, bob, { since, timeout: 10_000 }));
    await new Promise((r) => setTimeout(r, 150));
    const eventId = await send(h, alice, roomId, "after the quiet");
    const { result: woken, statements: during } = await pending;
    expect(timelineIds(woken, roomId)).toEqual([eventId]);
    expect(during.filter((q) => q.includes("WITH p AS MATERIALIZED"))).toEqual([]);
  });

  /**
   * Bob's token, then `news` (stored by the syncapi), then a long-poll from the token. A poll
   * that wrongly parked would sit out its timeout and come back empty.
   */
  async function pollAfter(news: () => Promise<void>): Promise<any> {
    const since = (await sync(h, bob)).next_batch;
    await news();
    return sync(h, bob, { since, timeout: 5_000 });
  }

  it("a message in a joined room since the answer", async () => {
    let eventId = "";
    const res = await pollAfter(async () => {
      eventId = await send(h, alice, roomId, "between polls");
      await h.waitForEvents(eventId);
    });
    expect(timelineIds(res, roomId)).toEqual([eventId]);
  });

  it("account data since the answer", async () => {
    const res = await pollAfter(async () => {
      await h.userapi.setAccountData({ body: { userId: bob.userId, type: "org.example.quiet", content: { n: 1 } } });
      await h.waitForAccountData(bob.userId, "org.example.quiet");
    });
    expect(res.account_data.events).toEqual([{ type: "org.example.quiet", content: { n: 1 } }]);
  });

  it("an invite to a room the user is not in", async () => {
    const other = await createRoom(h, alice, { preset: "private_chat", name: "Invite" });
    const res = await pollAfter(async () => {
      const { body } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId: other, invitee: bob.userId } });
      await h.waitForInvite(body.eventId);
    });
    expect(res.rooms.invite[other]).toBeDefined();
  });

  it("the user's own join to another room, and someone joining the user's room", async () => {
    const other = await createRoom(h, alice, { name: "Joined later" });
    let res = await pollAfter(async () => h.waitForEvents(await join(h, bob, other)));
    expect(res.rooms.join[other]).toBeDefined();

    const carol = await h.user("carol");
    let carolJoin = "";
    res = await pollAfter(async () => {
      carolJoin = await join(h, carol, roomId);
      await h.waitForEvents(carolJoin);
    });
    expect(timelineIds(res, roomId)).toEqual([carolJoin]);
  });

  it("another filter than the last answer's reads first", async () => {
    const since = (await sync(h, bob)).next_batch;
    const filter = JSON.stringify({ room: { timeline: { limit: 5 } } });
    const { statements } = await statementsDuring(() => sync(h, bob, { since, timeout: 200, filter }));
    expect(statements.filter((q) => q.includes("WITH p AS MATERIALIZED")).length).toBeGreaterThan(0);
  });
});

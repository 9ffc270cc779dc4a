// GET /threads (threads_list.yaml): roots by newest reply with the bundled m.thread summary,
// include=participated, paging.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, startHarness, type Harness, type User } from "./harness";

describe("/threads", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  let rootA: string;
  let rootB: string;
  let lastInA: string;
  const path = () => `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/threads`;
  const reply = (u: User, root: string, body: string) => send(h, u, roomId, "", { content: { msgtype: "m.text", body, "m.relates_to": { rel_type: "m.thread", event_id: root } } });

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    carol = await h.user("carol");
    roomId = await createRoom(h, alice, { preset: "public_chat" });
    await join(h, bob, roomId);
    rootA = await send(h, alice, roomId, "thread A");
    rootB = await send(h, bob, roomId, "thread B");
    await reply(bob, rootA, "a1");
    await reply(alice, rootB, "b1");
    lastInA = await reply(bob, rootA, "a2");
    await h.waitForEvents(lastInA);
  });
  afterAll(() => h.close());

  it("roots newest activity first, each with its m.thread summary", async () => {
    const res = await h.get(alice, path());
    expect(res.status).toBe(200);
    expect(res.body.chunk.map((e: any) => e.event_id)).toEqual([rootA, rootB]);
    const summary = res.body.chunk[0].unsigned["m.relations"]["m.thread"];
    expect(summary).toMatchObject({ count: 2, current_user_participated: true, latest_event: { event_id: lastInA, content: { body: "a2" } } });
    expect(res.body.next_batch).toBeUndefined();
  });

  it("include=participated keeps the threads the user started or replied to", async () => {
    await join(h, carol, roomId);
    const rootC = await send(h, carol, roomId, "carol's own");
    const r = await reply(carol, rootC, "c1");
    await h.waitForEvents(r);
    const mine = await h.get(alice, path(), { include: "participated" });
    expect(mine.body.chunk.map((e: any) => e.event_id)).toEqual([rootA, rootB]);
    const all = await h.get(alice, path());
    expect(all.body.chunk.map((e: any) => e.event_id)).toEqual([rootC, rootA, rootB]);
    expect(all.body.chunk[0].unsigned["m.relations"]["m.thread"].current_user_participated).toBe(false);
  });

  it("pages with next_batch; bad parameters are 400; outsiders 403", async () => {
    const first = await h.get(alice, path(), { limit: 1 });
    expect(first.body.chunk).toHaveLength(1);
    const rest = await h.get(alice, path(), { limit: 5, from: first.body.next_batch });
    expect(rest.body.chunk.map((e: any) => e.event_id)).not.toContain(first.body.chunk[0].event_id);
    expect(rest.body.chunk.length).toBe(2);
    expect(rest.body.next_batch).toBeUndefined();
    const bad: Record<string, string>[] = [{ include: "some" }, { limit: "0" }, { from: "nope" }];
    for (const q of bad) expect((await h.get(alice, path(), q)).body.errcode).toBe("M_INVALID_PARAM");
    const stranger = await h.user("dave");
    const priv = await createRoom(h, alice, { preset: "private_chat" });
    expect((await h.get(stranger, `/_matrix/client/v1/rooms/${encodeURIComponent(priv)}/threads`)).status).toBe(403);
  });
});

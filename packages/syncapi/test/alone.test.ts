// A syncapi told it is alone on its database (the monolith) wakes its long-polls in-process and
// sends no NOTIFY: a listener on the wake channel hears only the sentinel sent after the writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, setState, startHarness, sync, timelineIds, type Harness, type User } from "./harness";

describe("a syncapi alone on its database", () => {
  let h: Harness;
  let alice: User;
  let roomId: string;
  const heard: string[] = [];
  let unlisten: () => Promise<void>;

  beforeAll(async () => {
    h = await startHarness("local", { alone: true });
    alice = await h.user("alice");
    roomId = await createRoom(h, alice, { name: "Alone" });
    const l = await h.db.sql.listen("syncapi_wake", (payload) => void heard.push(payload));
    unlisten = () => l.unlisten();
  });
  afterAll(async () => {
    await unlisten();
    await h.close();
  });

  const longPoll = async (since: string) => {
    const res = await h.server.inject({ method: "GET", url: `/_matrix/client/v3/sync?since=${since}&timeout=10000&set_presence=offline`, headers: { authorization: `Bearer ${alice.token}` } });
    expect(res.statusCode).toBe(200);
    return JSON.parse(res.body);
  };

  it("wakes a parked long-poll for a message, a state change and account data, and notifies nobody", async () => {
    let since = (await sync(h, alice)).next_batch;
    let pending = longPoll(since);
    await new Promise((r) => setTimeout(r, 100));
    const message = await send(h, alice, roomId, "in-process");
    let res = await pending;
    expect(timelineIds(res, roomId)).toEqual([message]);

    since = res.next_batch;
    pending = longPoll(since);
    await new Promise((r) => setTimeout(r, 100));
    const topic = await setState(h, alice, roomId, "m.room.topic", { topic: "alone" });
    res = await pending;
    expect(timelineIds(res, roomId)).toEqual([topic]);

    since = res.next_batch;
    pending = longPoll(since);
    await new Promise((r) => setTimeout(r, 100));
    await h.userapi.setAccountData({ body: { userId: alice.userId, type: "org.example.alone", content: { x: 1 } } });
    res = await pending;
    expect(res.account_data.events).toEqual([{ type: "org.example.alone", content: { x: 1 } }]);

    // Notifications arrive in commit order: once the sentinel is heard, anything the writes
    // above had sent would have been heard before it.
    await h.db.sql.notify("syncapi_wake", "sentinel");
    for (let i = 0; i < 400 && !heard.includes("sentinel"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual(["sentinel"]);
  });
});

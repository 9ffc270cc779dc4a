// GET /notifications as a client calls it: Bob's messages notify Alice, newest first, with the
// actions of the rule that matched and `read`; a mention is highlighted (only=highlight keeps
// those); her read receipt marks them read; pages follow next_token; bad parameters are 400.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;
let room: string;
const sent: string[] = [];

const send = async (user: User, content: object) =>
  (await call(s, "PUT", `/rooms/${enc(room)}/send/m.room.message/${Math.random()}`, content, user.token)).body.event_id as string;
const list = (query = "") => call(s, "GET", `/notifications${query}`, undefined, alice.token);

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  s = await startServer({ notifications: true });
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
  await call(s, "POST", `/join/${enc(room)}`, {}, bob.token);
  sent.push(await send(bob, { msgtype: "m.text", body: "one" }));
  sent.push(await send(bob, { msgtype: "m.text", body: "two, alice", "m.mentions": { user_ids: [alice.userId] } }));
  sent.push(await send(bob, { msgtype: "m.text", body: "three" }));
  await until("three notifications", async () => (await list()).body.notifications?.length === 3);
});
afterAll(async () => {
  await s?.close();
});

describe("GET /notifications", () => {
  it("lists the notifying events newest first, with their actions, unread", async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(res.body.next_token).toBeUndefined();
    const n = res.body.notifications;
    expect(n.map((x: any) => x.event.event_id)).toEqual([...sent].reverse());
    for (const x of n) {
      expect(x).toMatchObject({ room_id: room, read: false, event: { room_id: room, sender: bob.userId, type: "m.room.message" } });
      expect(typeof x.ts).toBe("number");
      expect(x.actions).toContain("notify");
    }
    expect(n[1].actions).toContainEqual({ set_tweak: "highlight" });
    expect(n[0].actions).not.toContainEqual({ set_tweak: "highlight" });
    // Bob is notified of none of his own.
    expect((await call(s, "GET", "/notifications", undefined, bob.token)).body.notifications).toEqual([]);
  });

  it("only=highlight keeps the highlighted ones", async () => {
    const res = await list("?only=highlight");
    expect(res.body.notifications.map((x: any) => x.event.event_id)).toEqual([sent[1]]);
  });

  it("pages by limit and next_token", async () => {
    const first = await list("?limit=2");
    expect(first.body.notifications.map((x: any) => x.event.event_id)).toEqual([sent[2], sent[1]]);
    expect(typeof first.body.next_token).toBe("string");
    const second = await list(`?limit=2&from=${first.body.next_token}`);
    expect(second.body.notifications.map((x: any) => x.event.event_id)).toEqual([sent[0]]);
    expect(second.body.next_token).toBeUndefined();
  });

  it("a read receipt marks the notifications up to its event read", async () => {
    expect((await call(s, "POST", `/rooms/${enc(room)}/receipt/m.read/${enc(sent[1]!)}`, {}, alice.token)).status).toBe(200);
    await until("read", async () => (await list()).body.notifications[1].read === true);
    expect((await list()).body.notifications.map((x: any) => x.read)).toEqual([false, true, true]);
  });

  it("bad parameters are 400 M_INVALID_PARAM; no token is 401", async () => {
    expectError(await list("?from=abc"), 400, "M_INVALID_PARAM");
    expectError(await list("?limit=-1"), 400, "M_INVALID_PARAM");
    expectError(await list("?limit=ten"), 400, "M_INVALID_PARAM");
    expect((await list("?limit=0")).body).toEqual({ notifications: [] });
    expect((await call(s, "GET", "/notifications")).status).toBe(401);
  });
});

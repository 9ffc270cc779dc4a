// PUT /send with m.relates_to: the target must be in the same room (400 "Relations must be in
// the same room"), and a thread may not start from an event that is itself a relation
// (threading.md, "Validation of m.thread relationships"): 400 M_UNKNOWN.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("send: the event a relation targets", () => {
  let s: TestServer;
  let alice: User;
  let room1: string;
  let room2: string;
  let n = 0;
  const send = (roomId: string, content: Record<string, unknown>) => call(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/t${n++}`, content, alice.token);
  const message = (body: string, relatesTo?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    msgtype: "m.text",
    body,
    ...extra,
    ...(relatesTo ? { "m.relates_to": relatesTo } : {}),
  });
  const sent = async (roomId: string, content: Record<string, unknown>) => {
    const res = await send(roomId, content);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.event_id as string;
  };

  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    room1 = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;
    room2 = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;
  });
  afterAll(() => s.close());

  it("a thread reply, reference or edit targeting an event in another room is 400", async () => {
    const root = await sent(room1, message("root"));
    for (const rel_type of ["m.thread", "m.reference", "m.replace"]) {
      const res = await send(room2, message("elsewhere", { rel_type, event_id: root }, { "m.new_content": { msgtype: "m.text", body: "x" } }));
      expectError(res, 400, "M_UNKNOWN");
    }
    // In its own room the same relations are fine.
    await sent(room1, message("reply", { rel_type: "m.thread", event_id: root }));
    await sent(room1, message("ref", { rel_type: "m.reference", event_id: root }));
  });

  it("a thread cannot start from an edit or a thread reply; a rich reply or an unknown target is let through", async () => {
    const root = await sent(room1, message("root"));
    const edit = await sent(room1, message("* root!", { rel_type: "m.replace", event_id: root }, { "m.new_content": { msgtype: "m.text", body: "root!" } }));
    const reply = await sent(room1, message("in thread", { rel_type: "m.thread", event_id: root }));
    expectError(await send(room1, message("from an edit", { rel_type: "m.thread", event_id: edit })), 400, "M_UNKNOWN");
    expectError(await send(room1, message("from a reply", { rel_type: "m.thread", event_id: reply })), 400, "M_UNKNOWN");
    // A reference to a thread reply is not a thread: allowed.
    await sent(room1, message("ref", { rel_type: "m.reference", event_id: reply }));
    const richReply = await sent(room1, message("> root\n\nanswer", { "m.in_reply_to": { event_id: root } }));
    await sent(room1, message("thread from a rich reply", { rel_type: "m.thread", event_id: richReply }));
    await sent(room1, message("unknown target", { rel_type: "m.reference", event_id: "$unknown" }));
  });
});

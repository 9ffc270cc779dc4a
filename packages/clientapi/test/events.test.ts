// Sending (txnId idempotency), state get/put, redaction.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputRoomEvent } from "@dendrite-ts/roomserver";
import { call, enc, expectError, register, SERVER, startServer, type TestServer, type User } from "./harness";

describe("send, state, redact", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  let roomId: string;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
    roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
  });
  afterAll(() => s.close());

  const send = (txn: string, body: unknown = { msgtype: "m.text", body: "hi" }, token = alice.token, room = roomId) =>
    call(s, "PUT", `/rooms/${enc(room)}/send/m.room.message/${txn}`, body, token);

  it("a retried txnId returns the same event ID; another txnId or device sends anew", async () => {
    const a = await send("t1");
    expect(a.status).toBe(200);
    expect(a.body.event_id).toMatch(/^\$/);
    expect((await send("t1")).body.event_id).toBe(a.body.event_id);
    expect((await send("t2")).body.event_id).not.toBe(a.body.event_id);
    // Another device of the same user: a different scope.
    const other = (await call(s, "POST", "/login", { type: "m.login.password", user: "alice", password: alice.password })).body.access_token;
    expect((await send("t1", undefined, other)).body.event_id).not.toBe(a.body.event_id);
  });

  it("the transaction ID rides on the event's output, once, for the sender's /sync echo", async () => {
    const sent = (await send("echo-me")).body.event_id;
    await send("echo-me");
    await s.streams.ensureConsumer("OutputRoomEvent", "clientapi-test-echo");
    const seen: OutputRoomEvent[] = [];
    await new Promise<void>((resolve) => {
      void s.streams.consume("OutputRoomEvent", "clientapi-test-echo", (msg) => {
        seen.push(msg.json<OutputRoomEvent>());
        if (seen.some((o) => o.kind === "new_room_event" && o.eventId === sent)) resolve();
      });
    });
    const mine = seen.filter((o) => o.kind === "new_room_event" && o.eventId === sent);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ transactionId: { deviceId: alice.deviceId, transactionId: "echo-me" } });
  });

  it("concurrent retries of one txnId send one event", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => send("burst")));
    const ids = new Set(results.map((r) => r.body.event_id));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(ids.size).toBe(1);
  });

  it("the txnId survives a restart of clientapi (the roomserver records it with the event)", async () => {
    const first = await send("durable");
    await s.restartClientapi();
    expect((await send("durable")).body.event_id).toBe(first.body.event_id);
    // clientapi keeps no table of its own for it any more.
    const [row] = await s.db.sql`SELECT to_regclass('clientapi.transactions') AS t`;
    expect(row!.t).toBeNull();
  });

  it("concurrent retries of one txnId through two clientapis send one event", async () => {
    const other = await s.anotherClientapi();
    const via = (srv: TestServer) => call(srv, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/two-fronts`, { msgtype: "m.text", body: "once" }, alice.token);
    const results = await Promise.all([via(s), via(other), via(s), via(other)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.event_id)).size).toBe(1);
  });

  it("a retransmission is answered even after the sender left the room", async () => {
    const hal = await register(s, "hal");
    await call(s, "POST", `/join/${enc(roomId)}`, {}, hal.token);
    const sent = (await send("before-leaving", undefined, hal.token)).body.event_id;
    await call(s, "POST", `/rooms/${enc(roomId)}/leave`, {}, hal.token);
    expect((await send("before-leaving", undefined, hal.token)).body.event_id).toBe(sent);
    expectError(await send("after-leaving", undefined, hal.token), 403, "M_FORBIDDEN");
  });

  it("a txnId is scoped to the event type (the path), as the roomserver keys it", async () => {
    const message = (await send("typed")).body.event_id;
    const other = await call(s, "PUT", `/rooms/${enc(roomId)}/send/org.example.thing/typed`, { v: 1 }, alice.token);
    expect(other.status).toBe(200);
    expect(other.body.event_id).not.toBe(message);
    expect((await send("typed")).body.event_id).toBe(message);
  });

  it("a failed send is not remembered: the same txnId may succeed later", async () => {
    const carol = await register(s, "carol");
    expectError(await send("later", undefined, carol.token), 403, "M_FORBIDDEN");
    await call(s, "POST", `/join/${enc(roomId)}`, {}, carol.token);
    expect((await send("later", undefined, carol.token)).status).toBe(200);
  });

  it("send errors: not joined / unknown room 403, body not an object 400, a redaction without redacts 400", async () => {
    const dave = await register(s, "dave");
    expectError(await send("x", undefined, dave.token), 403, "M_FORBIDDEN");
    expectError(await send("x", undefined, alice.token, "!unknown:test.local"), 403, "M_FORBIDDEN");
    expectError(await send("y", [1, 2]), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.redaction/z`, {}, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.redaction/z`, { redacts: "nope" }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/rooms/not-a-room/send/m.room.message/z`, {}, alice.token), 400, "M_INVALID_PARAM");
  });

  it("content that is not canonical JSON (floats, huge integers) is 400 M_BAD_JSON; too large 413", async () => {
    const float = await send("float", { body: "x", n: 1.5 });
    expectError(float, 400, "M_BAD_JSON");
    expect(float.body.error).toContain("body.n");
    expectError(await send("big", { n: 2 ** 60 }), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/state/a.b`, { n: [0.1] }, alice.token), 400, "M_BAD_JSON");
    expectError(await send("huge", { body: "a".repeat(70_000) }), 413, "M_TOO_LARGE");
    // Room version 5 does not enforce it on receipt, but we sign canonical JSON in every version.
    const v5 = (await call(s, "POST", "/createRoom", { room_version: "5" }, alice.token)).body.room_id;
    expectError(await send("v5float", { n: 1.5 }, alice.token, v5), 400, "M_BAD_JSON");
  });

  it("PUT and GET state, with and without a state key; 404 for a missing one", async () => {
    const put = await call(s, "PUT", `/rooms/${enc(roomId)}/state/m.room.topic`, { topic: "hello" }, alice.token);
    expect(put.status).toBe(200);
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.topic`, undefined, bob.token)).body).toEqual({ topic: "hello" });
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.topic/`, undefined, bob.token)).body).toEqual({ topic: "hello" });
    await call(s, "PUT", `/rooms/${enc(roomId)}/state/org.example.thing/${enc("a/b key")}`, { v: 1 }, alice.token);
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/state/org.example.thing/${enc("a/b key")}`, undefined, alice.token)).body).toEqual({ v: 1 });
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.avatar`, undefined, alice.token), 404, "M_NOT_FOUND");
  });

  it("GET state refuses non-members with 403", async () => {
    const eve = await register(s, "eve");
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.topic`, undefined, eve.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/state`, undefined, eve.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc("!nope:test.local")}/state`, undefined, eve.token), 403, "M_FORBIDDEN");
  });

  it("a member who left reads the state as it was when leaving; world_readable rooms are open to all", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat", topic: "before" }, alice.token)).body.room_id;
    const fred = await register(s, "fred");
    await call(s, "POST", `/join/${enc(room)}`, {}, fred.token);
    await call(s, "POST", `/rooms/${enc(room)}/leave`, {}, fred.token);
    await call(s, "PUT", `/rooms/${enc(room)}/state/m.room.topic`, { topic: "after" }, alice.token);
    expect((await call(s, "GET", `/rooms/${enc(room)}/state/m.room.topic`, undefined, fred.token)).body).toMatchObject({ topic: "before" });
    const all = await call(s, "GET", `/rooms/${enc(room)}/state`, undefined, fred.token);
    const fredMember = all.body.find((e: { type: string; state_key: string }) => e.type === "m.room.member" && e.state_key === fred.userId);
    expect(fredMember.content.membership).toBe("leave");
    expectError(await call(s, "GET", `/rooms/${enc(room)}/joined_members`, undefined, fred.token), 403, "M_FORBIDDEN");

    const open = (
      await call(
        s,
        "POST",
        "/createRoom",
        { preset: "public_chat", initial_state: [{ type: "m.room.history_visibility", content: { history_visibility: "world_readable" } }] },
        alice.token,
      )
    ).body.room_id;
    const gil = await register(s, "gil");
    expect((await call(s, "GET", `/rooms/${enc(open)}/state/m.room.join_rules`, undefined, gil.token)).body).toEqual({ join_rule: "public" });
  });

  it("GET /state returns every current state event in client format", async () => {
    const res = await call(s, "GET", `/rooms/${enc(roomId)}/state`, undefined, bob.token);
    expect(res.status).toBe(200);
    const types = res.body.map((e: { type: string }) => e.type);
    for (const t of ["m.room.create", "m.room.power_levels", "m.room.join_rules", "m.room.member", "m.room.topic"]) expect(types).toContain(t);
    for (const e of res.body) {
      expect(e.room_id).toBe(roomId);
      expect(e.event_id).toMatch(/^\$/);
      expect(typeof e.state_key).toBe("string");
    }
    const topic = res.body.find((e: { type: string }) => e.type === "m.room.topic");
    const single = await call(s, "GET", `/rooms/${enc(roomId)}/state/m.room.topic?format=event`, undefined, bob.token);
    expect(single.body.event_id).toBe(topic.event_id);
  });

  it("redacts one's own event (idempotent per txnId); another's without power is 403", async () => {
    const msg = (await send("to-redact")).body.event_id;
    const r1 = await call(s, "PUT", `/rooms/${enc(roomId)}/redact/${enc(msg)}/r1`, { reason: "oops" }, alice.token);
    expect(r1.status).toBe(200);
    expect((await call(s, "PUT", `/rooms/${enc(roomId)}/redact/${enc(msg)}/r1`, { reason: "oops" }, alice.token)).body.event_id).toBe(r1.body.event_id);
    const bobs = (await send("bobs", undefined, bob.token)).body.event_id;
    expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/redact/${enc(msg)}/r2`, {}, bob.token), 403, "M_FORBIDDEN");
    // alice is the creator: she may redact bob's.
    expect((await call(s, "PUT", `/rooms/${enc(roomId)}/redact/${enc(bobs)}/r3`, {}, alice.token)).status).toBe(200);
    expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/redact/${enc("$" + "A".repeat(43))}/r4`, {}, alice.token), 404, "M_NOT_FOUND");
  });

  it("a redacted state event read through /state and /state/{type}/{key}?format=event carries unsigned.redacted_because", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat", topic: "secret plans" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(room)}`, {}, bob.token);
    const all = async () => (await call(s, "GET", `/rooms/${enc(room)}/state`, undefined, bob.token)).body as Record<string, unknown>[];
    const topicId = (await all()).find((e) => e.type === "m.room.topic")!.event_id as string;
    const red = await call(s, "PUT", `/rooms/${enc(room)}/redact/${enc(topicId)}/topic-gone`, { reason: "leaked" }, alice.token);
    expect(red.status).toBe(200);
    const because = { event_id: red.body.event_id, type: "m.room.redaction", sender: alice.userId, room_id: room, content: { redacts: topicId, reason: "leaked" } };

    const state = await all();
    const topic = state.find((e) => e.type === "m.room.topic")!;
    expect(topic).toMatchObject({ event_id: topicId, content: {}, unsigned: { redacted_because: because } });
    // Only the redacted event carries one.
    expect(state.filter((e) => (e.unsigned as { redacted_because?: unknown } | undefined)?.redacted_because !== undefined)).toHaveLength(1);

    const single = await call(s, "GET", `/rooms/${enc(room)}/state/m.room.topic/?format=event`, undefined, bob.token);
    expect(single.body).toMatchObject({ event_id: topicId, content: {}, unsigned: { redacted_because: because } });
    // The content form is the redacted content, nothing more.
    expect((await call(s, "GET", `/rooms/${enc(room)}/state/m.room.topic/`, undefined, bob.token)).body).toEqual({});
  });

  it("in a room version 10 room, a redacted state event's unsigned.redacted_because names the event in its content too", async () => {
    const room = (await call(s, "POST", "/createRoom", { room_version: "10", topic: "old plans" }, alice.token)).body.room_id;
    const topicId = (await call(s, "GET", `/rooms/${enc(room)}/state/m.room.topic/?format=event`, undefined, alice.token)).body.event_id;
    const red = await call(s, "PUT", `/rooms/${enc(room)}/redact/${enc(topicId)}/v10-topic-gone`, { reason: "stale" }, alice.token);
    expect(red.status).toBe(200);
    const single = await call(s, "GET", `/rooms/${enc(room)}/state/m.room.topic/?format=event`, undefined, alice.token);
    // v1–10 keep `redacts` at the top level; the spec asks for it in the content too over the client-server API.
    expect(single.body.unsigned.redacted_because).toMatchObject({ event_id: red.body.event_id, redacts: topicId, content: { reason: "stale", redacts: topicId } });
  });

  // Redacted state "behaves as though [its] properties were simply not specified" (client-server
  // API, "Redactions"), in the auth rules too: rooms v1–10 drop `invite` from power levels, v11 keeps it.
  it("after its power levels are redacted, a v10 room's members may invite again (invite back to 0); a v11 room's may not", async () => {
    const carol = await register(s, "carol-redacted-pl");
    for (const [version, inviteAfter] of [["10", 200], ["11", 403]] as const) {
      const room = (await call(s, "POST", "/createRoom", { room_version: version, preset: "public_chat" }, alice.token)).body.room_id;
      await call(s, "POST", `/join/${enc(room)}`, {}, bob.token);
      const pl = (await call(s, "GET", `/rooms/${enc(room)}/state/m.room.power_levels/`, undefined, alice.token)).body;
      const raised = await call(s, "PUT", `/rooms/${enc(room)}/state/m.room.power_levels/`, { ...pl, invite: 100 }, alice.token);
      expect(raised.status).toBe(200);
      expectError(await call(s, "POST", `/rooms/${enc(room)}/invite`, { user_id: carol.userId }, bob.token), 403, "M_FORBIDDEN");
      expect((await call(s, "PUT", `/rooms/${enc(room)}/redact/${enc(raised.body.event_id)}/pl-gone`, {}, alice.token)).status).toBe(200);
      const invited = await call(s, "POST", `/rooms/${enc(room)}/invite`, { user_id: carol.userId }, bob.token);
      expect(invited.status, `v${version}: ${JSON.stringify(invited.body)}`).toBe(inviteAfter);
    }
  });

  it("redaction in a room version 10 room names the event at the top level", async () => {
    const v10 = (await call(s, "POST", "/createRoom", { room_version: "10" }, alice.token)).body.room_id;
    const msg = (await send("v10msg", undefined, alice.token, v10)).body.event_id;
    const r = await call(s, "PUT", `/rooms/${enc(v10)}/redact/${enc(msg)}/v10r`, { reason: "r" }, alice.token);
    expect(r.status).toBe(200);
    const [ev] = (await s.roomserver.queryEventsById({ body: { eventIds: [r.body.event_id] } })).body.events;
    expect(ev).toMatchObject({ type: "m.room.redaction", redacts: msg, content: { reason: "r" } });
    expect((ev!.content as Record<string, unknown>).redacts).toBeUndefined();
    // Room version 11+: in the content.
    const v12msg = (await send("v12msg")).body.event_id;
    const r12 = await call(s, "PUT", `/rooms/${enc(roomId)}/redact/${enc(v12msg)}/v12r`, {}, alice.token);
    const [ev12] = (await s.roomserver.queryEventsById({ body: { eventIds: [r12.body.event_id] } })).body.events;
    expect(ev12).toMatchObject({ type: "m.room.redaction", content: { redacts: v12msg } });
    expect(ev12!.redacts).toBeUndefined();
  });

  it("m.room.redaction through PUT /send: idempotent, same permission checks, redacts moved to the top level before v11", async () => {
    const viaSend = (room: string, txn: string, content: unknown, token = alice.token) =>
      call(s, "PUT", `/rooms/${enc(room)}/send/m.room.redaction/${txn}`, content, token);
    const msg = (await send("send-redact-me")).body.event_id;
    const first = await viaSend(roomId, "sr1", { redacts: msg, reason: "gone" });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((await viaSend(roomId, "sr1", { redacts: msg, reason: "gone" })).body.event_id).toBe(first.body.event_id);
    const [ev] = (await s.roomserver.queryEventsById({ body: { eventIds: [first.body.event_id] } })).body.events;
    expect(ev).toMatchObject({ type: "m.room.redaction", content: { redacts: msg, reason: "gone" } });
    const [redacted] = (await s.roomserver.queryEventsById({ body: { eventIds: [msg] } })).body.events;
    expect(redacted!.content).toEqual({});
    // bob (power 0) may not redact alice's event, but may redact his own.
    const mine = (await send("sr-alice")).body.event_id;
    expectError(await viaSend(roomId, "sr2", { redacts: mine }, bob.token), 403, "M_FORBIDDEN");
    const bobs = (await send("sr-bob", undefined, bob.token)).body.event_id;
    expect((await viaSend(roomId, "sr3", { redacts: bobs }, bob.token)).status).toBe(200);
    expectError(await viaSend(roomId, "sr4", { redacts: "$" + "B".repeat(43) }), 404, "M_NOT_FOUND");
    const ivy = await register(s, "ivy");
    expectError(await viaSend(roomId, "sr5", { redacts: bobs }, ivy.token), 403, "M_FORBIDDEN");

    const v10 = (await call(s, "POST", "/createRoom", { room_version: "10" }, alice.token)).body.room_id;
    const old = (await send("v10-send-redact", undefined, alice.token, v10)).body.event_id;
    const r10 = await viaSend(v10, "sr10", { redacts: old, reason: "r" });
    expect(r10.status, JSON.stringify(r10.body)).toBe(200);
    const [ev10] = (await s.roomserver.queryEventsById({ body: { eventIds: [r10.body.event_id] } })).body.events;
    expect(ev10).toMatchObject({ type: "m.room.redaction", redacts: old, content: { reason: "r" } });
    expect((ev10!.content as Record<string, unknown>).redacts).toBeUndefined();
  });

  it("the room's create event cannot be redacted, through /redact or /send", async () => {
    const v10 = (await call(s, "POST", "/createRoom", { room_version: "10" }, alice.token)).body.room_id;
    const create = (await call(s, "GET", `/rooms/${enc(v10)}/state/m.room.create?format=event`, undefined, alice.token)).body.event_id;
    expectError(await call(s, "PUT", `/rooms/${enc(v10)}/redact/${enc(create)}/c1`, {}, alice.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "PUT", `/rooms/${enc(v10)}/send/m.room.redaction/c2`, { redacts: create }, alice.token), 403, "M_FORBIDDEN");
    expect((await call(s, "GET", `/rooms/${enc(v10)}/state/m.room.create`, undefined, alice.token)).body.room_version).toBe("10");
  });

  it("state is refused after /forget, and to a user banned before ever joining; forgetting a room never in is 200", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "private_chat", name: "secret" }, alice.token)).body.room_id;
    const kim = await register(s, "kim");
    const lou = await register(s, "lou");
    await call(s, "POST", `/rooms/${enc(room)}/invite`, { user_id: kim.userId }, alice.token);
    await call(s, "POST", `/join/${enc(room)}`, {}, kim.token);
    expect((await call(s, "POST", `/rooms/${enc(room)}/ban`, { user_id: lou.userId }, alice.token)).status).toBe(200);
    expectError(await call(s, "GET", `/rooms/${enc(room)}/state/m.room.name`, undefined, lou.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc(room)}/state`, undefined, lou.token), 403, "M_FORBIDDEN");

    await call(s, "POST", `/rooms/${enc(room)}/leave`, {}, kim.token);
    expect((await call(s, "GET", `/rooms/${enc(room)}/state/m.room.name`, undefined, kim.token)).body).toEqual({ name: "secret" });
    expect((await call(s, "POST", `/rooms/${enc(room)}/forget`, {}, kim.token)).status).toBe(200);
    expectError(await call(s, "GET", `/rooms/${enc(room)}/state/m.room.name`, undefined, kim.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc(room)}/state`, undefined, kim.token), 403, "M_FORBIDDEN");

    expect((await call(s, "POST", `/rooms/${enc(room)}/forget`, {}, lou.token)).status).toBe(200);
    const never = await call(s, "POST", `/rooms/${enc(roomId)}/forget`, {}, lou.token);
    expect({ status: never.status, body: never.body }).toEqual({ status: 200, body: {} });
    expect((await call(s, "POST", `/rooms/${enc("!nowhere:test.local")}/forget`, {}, lou.token)).status).toBe(200);
  });

  it("PUT m.room.canonical_alias: new aliases must be valid (M_INVALID_PARAM) and point to this room (M_BAD_ALIAS); ones already listed are not checked", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const other = (await call(s, "POST", "/createRoom", { preset: "public_chat", room_alias_name: "theirs" }, alice.token)).body.room_id;
    expect(other).toBeDefined();
    expect((await call(s, "PUT", `/directory/room/${enc("#mine:test.local")}`, { room_id: room }, alice.token)).status).toBe(200);
    const put = (content: unknown) => call(s, "PUT", `/rooms/${enc(room)}/state/m.room.canonical_alias`, content, alice.token);
    const cases: Array<[unknown, number, string]> = [
      [{ alias: "#doesnotexist:test.local" }, 400, "M_BAD_ALIAS"],
      [{ alias: "notanalias" }, 400, "M_INVALID_PARAM"],
      [{ alias: 5 }, 400, "M_INVALID_PARAM"],
      [{ alias: "#theirs:test.local" }, 400, "M_BAD_ALIAS"],
      [{ alias: "#elsewhere:other.example" }, 400, "M_BAD_ALIAS"],
      [{ alt_aliases: "x" }, 400, "M_INVALID_PARAM"],
      [{ alt_aliases: ["bad"] }, 400, "M_INVALID_PARAM"],
      [{ alt_aliases: ["#doesnotexist:test.local"] }, 400, "M_BAD_ALIAS"],
      [{ alias: "#mine:test.local", alt_aliases: ["#theirs:test.local"] }, 400, "M_BAD_ALIAS"],
    ];
    for (const [content, status, errcode] of cases) expectError(await put(content), status, errcode);
    expectError(await call(s, "GET", `/rooms/${enc(room)}/state/m.room.canonical_alias`, undefined, alice.token), 404, "M_NOT_FOUND");

    expect((await put({ alias: "#mine:test.local", alt_aliases: ["#mine:test.local"] })).status).toBe(200);
    // Once listed, an alias is not checked again: it may since have been removed from the directory
    // (here by its creator, who may not change the event, so it stays listed).
    await call(s, "POST", `/join/${enc(room)}`, {}, bob.token);
    expect((await call(s, "PUT", `/directory/room/${enc("#bobs-listed:test.local")}`, { room_id: room }, bob.token)).status).toBe(200);
    expect((await put({ alias: "#mine:test.local", alt_aliases: ["#bobs-listed:test.local"] })).status).toBe(200);
    expect((await call(s, "DELETE", `/directory/room/${enc("#bobs-listed:test.local")}`, undefined, bob.token)).status).toBe(200);
    expect((await put({ alt_aliases: ["#bobs-listed:test.local"] })).status).toBe(200);
    expect((await put({})).status).toBe(200);
    expectError(await put({ alias: "#bobs-listed:test.local" }), 400, "M_BAD_ALIAS");
  });

  it("PUT m.room.canonical_alias with alias \"\" is accepted as no canonical alias (the schema allows empty), alt_aliases still checked", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat", room_alias_name: "emptied" }, alice.token)).body.room_id;
    const put = (content: unknown) => call(s, "PUT", `/rooms/${enc(room)}/state/m.room.canonical_alias`, content, alice.token);
    expect((await put({ alias: "", alt_aliases: ["#emptied:test.local"] })).status).toBe(200);
    expect((await call(s, "GET", `/rooms/${enc(room)}/state/m.room.canonical_alias`, undefined, alice.token)).body).toEqual({ alias: "", alt_aliases: ["#emptied:test.local"] });
    expectError(await put({ alias: "", alt_aliases: ["#nowhere-empty:test.local"] }), 400, "M_BAD_ALIAS");
  });

  it("PUT m.room.power_levels that breaks the format rules is 400 M_BAD_JSON, and changes nothing", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat", creation_content: { additional_creators: [bob.userId] } }, alice.token)).body.room_id;
    const before = (await call(s, "GET", `/rooms/${enc(room)}/state/m.room.power_levels`, undefined, alice.token)).body;
    const put = (content: unknown) => call(s, "PUT", `/rooms/${enc(room)}/state/m.room.power_levels`, content, alice.token);
    const cases: Array<[unknown, string]> = [
      [{ ...before, ban: "50" }, "body.ban"],
      [{ ...before, events: [] }, "body.events"],
      [{ ...before, users: { "not-a-user": 50 } }, "body.users.not-a-user"],
      [{ ...before, users: { [alice.userId]: 100 } }, `body.users.${alice.userId}`],
      [{ ...before, users: { [bob.userId]: 100 } }, `body.users.${bob.userId}`],
    ];
    for (const [content, field] of cases) {
      const res = await put(content);
      expectError(res, 400, "M_BAD_JSON");
      expect(res.body.error).toContain(field);
    }
    expect((await call(s, "GET", `/rooms/${enc(room)}/state/m.room.power_levels`, undefined, alice.token)).body).toEqual(before);
    // Room version 10: a creator is listed as any user.
    const v10 = (await call(s, "POST", "/createRoom", { room_version: "10" }, alice.token)).body.room_id;
    const pl10 = (await call(s, "GET", `/rooms/${enc(v10)}/state/m.room.power_levels`, undefined, alice.token)).body;
    expectError(await call(s, "PUT", `/rooms/${enc(v10)}/state/m.room.power_levels`, { ...pl10, kick: "50" }, alice.token), 400, "M_BAD_JSON");
    expect((await call(s, "PUT", `/rooms/${enc(v10)}/state/m.room.power_levels`, { ...pl10, kick: 60 }, alice.token)).status).toBe(200);
  });

  it("PUT m.room.name / m.room.topic / m.room.tombstone without their string field is 400 M_BAD_JSON, and changes nothing", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat", name: "N", topic: "T" }, alice.token)).body.room_id;
    const put = (type: string, content: unknown) => call(s, "PUT", `/rooms/${enc(room)}/state/${type}`, content, alice.token);
    const get = async (type: string) => (await call(s, "GET", `/rooms/${enc(room)}/state/${type}`, undefined, alice.token)).body;
    const cases: Array<[string, unknown, string]> = [
      ["m.room.name", { name: 5 }, "body.name"],
      ["m.room.name", {}, "body.name"],
      ["m.room.name", { name: null }, "body.name"],
      ["m.room.topic", { topic: 5 }, "body.topic"],
      ["m.room.topic", { "m.topic": { "m.text": [{ body: "t" }] } }, "body.topic"],
      ["m.room.tombstone", { body: "moved" }, "body.replacement_room"],
      ["m.room.tombstone", { replacement_room: "!r:x", body: 5 }, "body.body"],
    ];
    for (const [type, content, field] of cases) {
      const res = await put(type, content);
      expectError(res, 400, "M_BAD_JSON");
      expect(res.body.error).toContain(field);
    }
    expect(await get("m.room.name")).toEqual({ name: "N" });
    expect(await get("m.room.topic")).toEqual({ topic: "T" });
    expectError(await call(s, "GET", `/rooms/${enc(room)}/state/m.room.tombstone`, undefined, alice.token), 404, "M_NOT_FOUND");
    // An empty name removes it; a state key other than "" is not the room's name.
    expect((await put("m.room.name", { name: "" })).status).toBe(200);
    expect(await get("m.room.name")).toEqual({ name: "" });
    expect((await call(s, "PUT", `/rooms/${enc(room)}/state/m.room.name/other`, { name: 5 }, alice.token)).status).toBe(200);
  });

  it("PUT m.room.server_acl that would deny this server is 400 M_BAD_JSON, and changes nothing", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const put = (content: unknown) => call(s, "PUT", `/rooms/${enc(room)}/state/m.room.server_acl`, content, alice.token);
    const acl = { allow: ["*"], deny: ["evil.example"], allow_ip_literals: false };
    expect((await put(acl)).status).toBe(200);
    const denying: unknown[] = [
      { allow: ["*"], deny: [SERVER] },
      { allow: ["*"], deny: ["TEST.*"] }, // case-insensitive glob
      { allow: ["*"], deny: ["test.loca?"] },
      { allow: [] },
      {}, // no allow list: everyone is denied
      { allow: "*" }, // not a list: as if absent
      { allow: ["other.example", 5] },
    ];
    for (const content of denying) {
      const res = await put(content);
      expectError(res, 400, "M_BAD_JSON");
      expect(res.body.error).toContain(SERVER);
    }
    expect((await call(s, "GET", `/rooms/${enc(room)}/state/m.room.server_acl`, undefined, alice.token)).body).toEqual(acl);
    // Patterns match the whole name, without its port; malformed entries are ignored.
    expect((await put({ allow: ["test.local*", 5], deny: ["test", "*.test.local", "test.local.evil"] })).status).toBe(200);
  });

  it("PUT m.room.create into an existing room (by /state or /send) is 400 M_INVALID_PARAM in every room version, and changes nothing", async () => {
    for (const version of ["10", "12"]) {
      const room = (await call(s, "POST", "/createRoom", { room_version: version }, alice.token)).body.room_id;
      const before = (await call(s, "GET", `/rooms/${enc(room)}/state/m.room.create`, undefined, alice.token)).body;
      for (const key of ["", "other"]) {
        const res = await call(s, "PUT", `/rooms/${enc(room)}/state/m.room.create/${key}`, { room_version: version }, alice.token);
        expectError(res, 400, "M_INVALID_PARAM");
        expect(res.body.error).toContain("m.room.create");
      }
      const viaSend = await call(s, "PUT", `/rooms/${enc(room)}/send/m.room.create/c1`, { room_version: version }, alice.token);
      expectError(viaSend, 400, "M_INVALID_PARAM");
      expect(viaSend.body.error).toContain("m.room.create");
      expect((await call(s, "GET", `/rooms/${enc(room)}/state/m.room.create`, undefined, alice.token)).body).toEqual(before);
    }
  });

  it("PUT state with a type or state key over 255 bytes is 413 M_TOO_LARGE, however many characters", async () => {
    const put = (type: string, key: string) => call(s, "PUT", `/rooms/${enc(roomId)}/state/${enc(type)}/${enc(key)}`, { a: 1 }, alice.token);
    const cases: Array<[string, string]> = [["t".repeat(256), ""], ["é".repeat(128), ""], ["org.example", "k".repeat(256)], ["org.example", "é".repeat(128)]];
    for (const [type, key] of cases) {
      const res = await put(type, key);
      expectError(res, 413, "M_TOO_LARGE");
      expectError(await call(s, "GET", `/rooms/${enc(roomId)}/state/${enc(type)}/${enc(key)}`, undefined, alice.token), 404, "M_NOT_FOUND");
    }
    expect((await put("t".repeat(255), "k".repeat(255))).status).toBe(200);
  });

  it("PUT send with a type over 255 bytes is 413 M_TOO_LARGE, however many characters", async () => {
    for (const type of ["t".repeat(256), "é".repeat(128)]) {
      expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/send/${enc(type)}/big-${type.length}`, { a: 1 }, alice.token), 413, "M_TOO_LARGE");
    }
    expect((await call(s, "PUT", `/rooms/${enc(roomId)}/send/${"t".repeat(255)}/big-ok`, { a: 1 }, alice.token)).status).toBe(200);
  });

  it("PUT send without a body is 400 M_NOT_JSON, with a JSON null 400 M_BAD_JSON, and sends nothing; {} is a content", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const put = async (txn: string, payload: string | undefined) => {
      const r = await s.server.inject({
        method: "PUT",
        url: `/_matrix/client/v3/rooms/${enc(room)}/send/org.example.nobody/${txn}`,
        headers: { authorization: `Bearer ${alice.token}`, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
        ...(payload !== undefined ? { payload } : {}),
      });
      return { status: r.statusCode, body: JSON.parse(r.body) };
    };
    expectError(await put("n1", undefined), 400, "M_NOT_JSON");
    expectError(await put("n2", ""), 400, "M_NOT_JSON");
    expectError(await put("n3", "null"), 400, "M_BAD_JSON");
    const latest = async () => (await s.roomserver.queryLatestEventsAndState({ body: { roomId: room, stateToFetch: [] } })).body.latestEventIds;
    const before = await latest();
    expectError(await put("n1", undefined), 400, "M_NOT_JSON");
    expect(await latest()).toEqual(before);
    const ok = await put("n4", "{}");
    expect(ok.status).toBe(200);
    expect(await latest()).toEqual([ok.body.event_id]);
  });

  it("PUT send nested thousands of levels deep is 400 M_BAD_JSON and sends nothing; 512 levels is a content", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    const put = async (txn: string, depth: number) => {
      const r = await s.server.inject({
        method: "PUT",
        url: `/_matrix/client/v3/rooms/${enc(room)}/send/m.room.message/${txn}`,
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        payload: '{"msgtype":"m.text","body":"x","n":' + "[".repeat(depth) + "]".repeat(depth) + "}",
      });
      return { status: r.statusCode, body: JSON.parse(r.body) };
    };
    const latest = async () => (await s.roomserver.queryLatestEventsAndState({ body: { roomId: room, stateToFetch: [] } })).body.latestEventIds;
    const before = await latest();
    expectError(await put("deep1", 5000), 400, "M_BAD_JSON");
    expect(await latest()).toEqual(before);
    const ok = await put("deep2", 511);
    expect(ok.status).toBe(200);
    expect(await latest()).toEqual([ok.body.event_id]);
  });

  it("PUT state without a body is 400 M_NOT_JSON, with a JSON null 400 M_BAD_JSON, and sends nothing; {} is a content", async () => {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/state/org.example.nobody/k`;
    const put = async (payload: string | undefined) => {
      const r = await s.server.inject({
        method: "PUT",
        url: path,
        headers: { authorization: `Bearer ${alice.token}`, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
        ...(payload !== undefined ? { payload } : {}),
      });
      return { status: r.statusCode, body: JSON.parse(r.body) };
    };
    expectError(await put(undefined), 400, "M_NOT_JSON");
    expectError(await put(""), 400, "M_NOT_JSON");
    expectError(await put("null"), 400, "M_BAD_JSON");
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/state/org.example.nobody/k`, undefined, alice.token), 404, "M_NOT_FOUND");
    expect((await put("{}")).status).toBe(200);
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/state/org.example.nobody/k`, undefined, alice.token)).body).toEqual({});
  });
});

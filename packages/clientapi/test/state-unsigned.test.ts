// GET /state and /state/{type}/{key}?format=event serve state events with the unsigned data
// every other endpoint gives them (ClientEvent, "UnsignedData"; Synapse 1.163 alike): age; and
// for an event that replaced an earlier one at its key, replaces_state, prev_content and
// prev_sender. A redaction in unsigned.redacted_because has its own age.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, register, startServer, type TestServer, type User } from "./harness";

describe("unsigned data of state events from GET /state", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
  });
  afterAll(() => s.close());

  const ok = async (method: "GET" | "PUT" | "POST", path: string, body: unknown, token: string) => {
    const res = await call(s, method, path, body, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const eventOf = (roomId: string, type: string, key: string, token: string) => ok("GET", `/rooms/${enc(roomId)}/state/${type}/${enc(key)}?format=event`, undefined, token);

  it("an event that replaced another names it (replaces_state) with its content and sender; a first one only has an age", async () => {
    const roomId = (await ok("POST", "/createRoom", { preset: "public_chat", name: "N0", power_level_content_override: { events: { "m.room.name": 0 } } }, alice.token)).room_id;
    const n1 = (await ok("PUT", `/rooms/${enc(roomId)}/state/m.room.name/`, { name: "N1" }, alice.token)).event_id;
    await ok("POST", `/join/${enc(roomId)}`, {}, bob.token);
    const n2 = (await ok("PUT", `/rooms/${enc(roomId)}/state/m.room.name/`, { name: "N2" }, bob.token)).event_id;
    await ok("POST", `/rooms/${enc(roomId)}/leave`, {}, bob.token);
    const left = (await eventOf(roomId, "m.room.member", bob.userId, alice.token)).event_id;
    await ok("POST", `/join/${enc(roomId)}`, {}, bob.token);

    const name = { replaces_state: n1, prev_content: { name: "N1" }, prev_sender: alice.userId };
    const all: any[] = await ok("GET", `/rooms/${enc(roomId)}/state`, undefined, bob.token);
    const byType = (type: string, key = "") => all.find((e) => e.type === type && e.state_key === key);
    expect(byType("m.room.name")).toMatchObject({ event_id: n2, unsigned: name });
    expect(byType("m.room.member", bob.userId).unsigned).toMatchObject({ replaces_state: left, prev_content: { membership: "leave" }, prev_sender: bob.userId });
    for (const ev of all) expect(typeof ev.unsigned?.age, JSON.stringify(ev)).toBe("number");
    // The create event replaced nothing.
    expect(byType("m.room.create").unsigned).not.toHaveProperty("replaces_state");
    expect(byType("m.room.create").unsigned).not.toHaveProperty("prev_content");

    const single = await eventOf(roomId, "m.room.name", "", bob.token);
    expect(single).toMatchObject({ event_id: n2, unsigned: name });
    expect(single.unsigned.age).toBeGreaterThanOrEqual(0);
  });

  it("a redaction in unsigned.redacted_because has its own age", async () => {
    const roomId = (await ok("POST", "/createRoom", { preset: "private_chat", topic: "secret" }, alice.token)).room_id;
    const topicId = (await eventOf(roomId, "m.room.topic", "", alice.token)).event_id;
    await ok("PUT", `/rooms/${enc(roomId)}/redact/${enc(topicId)}/gone`, {}, alice.token);
    const because = (await eventOf(roomId, "m.room.topic", "", alice.token)).unsigned.redacted_because;
    expect(typeof because.unsigned?.age).toBe("number");
    const all: any[] = await ok("GET", `/rooms/${enc(roomId)}/state`, undefined, alice.token);
    expect(typeof all.find((e) => e.type === "m.room.topic").unsigned.redacted_because.unsigned?.age).toBe("number");
  });
});

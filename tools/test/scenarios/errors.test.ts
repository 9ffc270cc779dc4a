/**
 * Every client mistake gets a Matrix error with the right status and changes nothing: raw HTTP,
 * as a misbehaving client would send it, against each mode this machine can start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { registerUser, type TestUser } from "../../src/harness/matrix-client";
import { clientApiCall } from "../../src/harness/raw-client";

describe.each(availableModes())("client errors over raw HTTP (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let roomId = "";
  const tag = Math.random().toString(36).slice(2, 8);

  const call = (user: TestUser | null, method: string, path: string, body?: string | object, token?: string) =>
    clientApiCall(hs.baseUrl, method, path, body, token ?? user?.accessToken);

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    alice = await registerUser(hs.baseUrl, `alice${tag}`);
    bob = await registerUser(hs.baseUrl, `bob${tag}`);
    const created = await call(alice, "POST", "/createRoom", { preset: "public_chat" });
    roomId = created.json.room_id as string;
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  it("a body that is not JSON is 400 M_NOT_JSON", async () => {
    const r = await call(alice, "POST", "/createRoom", "{not json");
    expect(r).toMatchObject({ status: 400, json: { errcode: "M_NOT_JSON" } });
  });

  it("a field of the wrong type is 400 M_BAD_JSON", async () => {
    const r = await call(alice, "POST", "/createRoom", { name: 5 });
    expect(r).toMatchObject({ status: 400, json: { errcode: "M_BAD_JSON" } });
  });

  it("no token is 401 M_MISSING_TOKEN; a wrong one is 401 M_UNKNOWN_TOKEN", async () => {
    expect(await call(null, "GET", "/account/whoami")).toMatchObject({ status: 401, json: { errcode: "M_MISSING_TOKEN" } });
    expect(await call(null, "GET", "/account/whoami", undefined, "not-a-token")).toMatchObject({
      status: 401,
      json: { errcode: "M_UNKNOWN_TOKEN" },
    });
  });

  it("sending to a room that does not exist is refused", async () => {
    const r = await call(alice, "PUT", `/rooms/${encodeURIComponent(`!nope:${hs.serverName}`)}/send/m.room.message/t1`, {
      msgtype: "m.text",
      body: "x",
    });
    expect([403, 404]).toContain(r.status);
    expect(["M_FORBIDDEN", "M_NOT_FOUND"]).toContain(r.json.errcode);
  });

  it("sending to a room one has not joined is 403 M_FORBIDDEN", async () => {
    const r = await call(bob, "PUT", `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, { msgtype: "m.text", body: "x" });
    expect(r).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN", error: `User ${bob.userId} is not in room ${roomId}` } });
  });

  it("changing power levels without the power to is 403 M_FORBIDDEN and changes nothing", async () => {
    expect((await call(bob, "POST", `/join/${encodeURIComponent(roomId)}`, {})).status).toBe(200);
    const path = `/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels/`;
    const before = await call(alice, "GET", path);
    const r = await call(bob, "PUT", path, { users: { [bob.userId]: 100 } });
    expect(r).toMatchObject({ status: 403, json: { errcode: "M_FORBIDDEN" } });
    expect((await call(alice, "GET", path)).json).toEqual(before.json);
  });

  it("a repeated transaction ID returns the same event and stores one", async () => {
    const path = `/rooms/${encodeURIComponent(roomId)}/send/m.room.message/dup-1`;
    const first = await call(alice, "PUT", path, { msgtype: "m.text", body: "once" });
    const again = await call(alice, "PUT", path, { msgtype: "m.text", body: "once" });
    expect(first.status).toBe(200);
    expect(again.json.event_id).toBe(first.json.event_id);
    // History reaches syncapi through the output stream: wait until it has the event.
    const onces = async () => {
      const page = await call(alice, "GET", `/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=50`);
      return (page.json.chunk as { content: { body?: string } }[]).filter((e) => e.content.body === "once");
    };
    const deadline = Date.now() + 10_000;
    while ((await onces()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would land by now
    expect(await onces()).toHaveLength(1);
  });

  it("an unknown endpoint is 404 M_UNRECOGNIZED", async () => {
    expect(await call(alice, "GET", "/no/such/thing")).toMatchObject({ status: 404, json: { errcode: "M_UNRECOGNIZED" } });
  });
});

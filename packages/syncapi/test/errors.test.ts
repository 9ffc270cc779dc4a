// A client's mistake is a Matrix error with a 4xx status on every route, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, startHarness, type Harness, type User } from "./harness";

describe("bad input", () => {
  let h: Harness;
  let alice: User;
  let roomId: string;
  let eventId: string;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    roomId = await createRoom(h, alice);
    eventId = await send(h, alice, roomId, "x");
    await h.waitForEvents(eventId);
  });
  afterAll(() => h.close());

  it("an unknown access token is 401 M_UNKNOWN_TOKEN everywhere", async () => {
    const ghost: User = { userId: alice.userId, deviceId: "X", token: "not-a-token" };
    const r = encodeURIComponent(roomId);
    for (const path of ["/_matrix/client/v3/sync", `/_matrix/client/v3/rooms/${r}/messages?dir=b`, `/_matrix/client/v3/rooms/${r}/members`, `/_matrix/client/v3/rooms/${r}/event/${encodeURIComponent(eventId)}`]) {
      const res = await h.get(ghost, path);
      expect(res.status, path).toBe(401);
      expect(res.body.errcode).toBe("M_UNKNOWN_TOKEN");
    }
  });

  const r = () => encodeURIComponent(roomId);
  const cases: [string, () => string, Record<string, string>][] = [
    ["sync: since from the future", () => "/_matrix/client/v3/sync", { since: "s999999999_999999999" }],
    ["sync: huge numbers", () => "/_matrix/client/v3/sync", { since: "s9999999999999999_1" }],
    ["sync: filter array", () => "/_matrix/client/v3/sync", { filter: "[]" }],
    ["sync: filter with wrong types", () => "/_matrix/client/v3/sync", { filter: JSON.stringify({ room: { rooms: "!x" } }) }],
    ["sync: huge filter ID", () => "/_matrix/client/v3/sync", { filter: "99999999999999999999" }],
    ["messages: huge depth token", () => `/_matrix/client/v3/rooms/${r()}/messages`, { dir: "b", from: "t9999999999999999_9999999999999999" }],
    ["messages: negative depth", () => `/_matrix/client/v3/rooms/${r()}/messages`, { dir: "f", from: "t-5_0" }],
    ["messages: limit 0", () => `/_matrix/client/v3/rooms/${r()}/messages`, { dir: "b", limit: "0" }],
    ["messages: huge limit", () => `/_matrix/client/v3/rooms/${r()}/messages`, { dir: "b", limit: "99999999999" }],
    ["messages: unknown room", () => "/_matrix/client/v3/rooms/!nope:test.local/messages", { dir: "b" }],
    ["messages: not a room ID", () => "/_matrix/client/v3/rooms/hello/messages", { dir: "b" }],
    ["messages: filter with % and _", () => `/_matrix/client/v3/rooms/${r()}/messages`, { dir: "b", filter: JSON.stringify({ types: ["%_*"], not_senders: ["@%_"] }) }],
    ["context: limit text", () => `/_matrix/client/v3/rooms/${r()}/context/${encodeURIComponent(eventId)}`, { limit: "many" }],
    ["context: unknown room", () => `/_matrix/client/v3/rooms/!nope:x/context/${encodeURIComponent(eventId)}`, {}],
    ["members: both filters", () => `/_matrix/client/v3/rooms/${r()}/members`, { membership: "join", not_membership: "join" }],
    ["members: topo at", () => `/_matrix/client/v3/rooms/${r()}/members`, { at: "t1_1" }],
    ["filter: GET a non-numeric ID", () => `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/filter/%00`, {}],
    ["context: NUL event ID", () => `/_matrix/client/v3/rooms/${r()}/context/%00`, {}],
    ["event: NUL event ID", () => `/_matrix/client/v3/rooms/${r()}/event/%24a%00b`, {}],
    ["members: NUL room ID", () => "/_matrix/client/v3/rooms/%00/members", {}],
    ["messages: NUL in from", () => `/_matrix/client/v3/rooms/${r()}/messages`, { dir: "b", from: "t1\u0000" }],
    ["messages: lone surrogate in filter", () => `/_matrix/client/v3/rooms/${r()}/messages`, { dir: "b", filter: '{"types":["\\ud800"]}' }],
  ];
  it.each(cases)("%s: not a 500", async (_name, path, query) => {
    const res = await h.get(alice, path(), query);
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expect(res.body.errcode).toMatch(/^M_/);
  });

  it("a limit above the server's cap, however many digits, is brought down to the cap, not refused as 'not a non-negative integer'", async () => {
    const e = encodeURIComponent(eventId);
    for (const path of [`/_matrix/client/v3/rooms/${r()}/messages`, `/_matrix/client/v3/rooms/${r()}/context/${e}`, `/_matrix/client/v1/rooms/${r()}/relations/${e}`, `/_matrix/client/v1/rooms/${r()}/threads`]) {
      for (const limit of ["2147483648", "99999999999", "9".repeat(400)]) {
        const res = await h.get(alice, path, { dir: "b", limit });
        expect(res.status, `${path} limit=${limit.slice(0, 20)}: ${JSON.stringify(res.body)}`).toBe(200);
      }
      for (const limit of ["-1", "1.5", "1e3", "ten"]) {
        const res = await h.get(alice, path, { dir: "b", limit });
        expect(res.status, `${path} limit=${limit}`).toBe(400);
        expect(res.body.errcode).toBe("M_INVALID_PARAM");
      }
    }
  });

  it("a filter upload that is not an object is 400", async () => {
    const path = `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/filter`;
    for (const body of [[1, 2], "text", 5]) {
      const res = await h.server.inject({ method: "POST", url: path, payload: JSON.stringify(body), headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" } });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(res.body).errcode).toMatch(/^M_(NOT_JSON|BAD_JSON)$/);
    }
    // Text PostgreSQL cannot store (a NUL, an unpaired surrogate) is the client's mistake, refused with nothing stored.
    for (const payload of ['{"a":"\\ud800"}', '{"a":"x\\u0000"}', '{"\\udc00":1}']) {
      const res = await h.server.inject({ method: "POST", url: path, payload, headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" } });
      expect(res.statusCode, payload).toBe(400);
      expect(JSON.parse(res.body).errcode).toBe("M_BAD_JSON");
    }
    const notJson = await h.server.inject({ method: "POST", url: path, payload: "{oops", headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" } });
    expect(notJson.statusCode).toBe(400);
  });
});

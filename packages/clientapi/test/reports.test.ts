// Reporting content as clients do it (an event in a joined room, a room, a user) and as an admin
// reads the reports back through Synapse's admin API shape; the 404s that hide what a reporter
// may not know, the 400s for bad bodies, admins only for the listing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let admin: User;
let alice: User;
let bob: User;
let carol: User;
let roomId: string;
let eventId: string;
beforeAll(async () => {
  s = await startServer();
  const { body } = await s.userapi.createAccount({ body: { localpart: "root", password: "pw-root", isAdmin: true, login: { deviceId: "ADMIN" } } });
  const b = body as { userId: string; deviceId: string; accessToken: string };
  admin = { userId: b.userId, deviceId: b.deviceId, token: b.accessToken, password: "pw-root" };
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  carol = await register(s, "carol");
  roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat", name: "Reported room" }, alice.token)).body.room_id;
  await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
  eventId = (await call(s, "PUT", `/rooms/${enc(roomId)}/send/m.room.message/r1`, { msgtype: "m.text", body: "spam spam" }, alice.token)).body.event_id;
});
afterAll(() => s.close());

const admin_ = (path: string, user = admin) => call(s, "GET", `/_synapse/admin/v1/${path}`, undefined, user.token);

describe("reporting content", () => {
  it("an event: stored with who sent it, listed for admins with the room's name", async () => {
    expect(await call(s, "POST", `/rooms/${enc(roomId)}/report/${enc(eventId)}`, { reason: "spam", score: -100 }, bob.token)).toMatchObject({ status: 200, body: {} });
    // No reason is fine for an event.
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/report/${enc(eventId)}`, {}, bob.token)).status).toBe(200);
    const list = await admin_("event_reports");
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.event_reports[1]).toMatchObject({ room_id: roomId, event_id: eventId, user_id: bob.userId, sender: alice.userId, reason: "spam", name: "Reported room" });
    expect(list.body.event_reports[0].reason).toBeNull();
    expect(list.body.event_reports[0].id).toBeGreaterThan(list.body.event_reports[1].id);
  });

  it("an event one may not see, or in a room one is not in, is the 404 of an unknown one", async () => {
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/report/${enc(eventId)}`, { reason: "x" }, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/report/${enc("$nope")}`, { reason: "x" }, bob.token), 404, "M_NOT_FOUND");
    const other = (await call(s, "POST", "/createRoom", {}, bob.token)).body.room_id;
    expectError(await call(s, "POST", `/rooms/${enc(other)}/report/${enc(eventId)}`, { reason: "x" }, bob.token), 404, "M_NOT_FOUND");
    expect((await admin_("event_reports")).body.total).toBe(2);
  });

  it("a room (one need not be in it) and a user (known or not: 200 either way)", async () => {
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/report`, { reason: "a spam room" }, carol.token)).status).toBe(200);
    expectError(await call(s, "POST", `/rooms/${enc("!unknown:test.local")}/report`, { reason: "x" }, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/report`, {}, carol.token), 400, "M_BAD_JSON");
    expect((await call(s, "POST", `/users/${enc(alice.userId)}/report`, { reason: "spammer" }, carol.token)).status).toBe(200);
    expect((await call(s, "POST", `/users/${enc("@nobody:test.local")}/report`, { reason: "" }, carol.token)).status).toBe(200);
    expectError(await call(s, "POST", `/users/not-a-user/report`, { reason: "x" }, carol.token), 400, "M_INVALID_PARAM");
    expect((await admin_("room_reports")).body.room_reports).toEqual([expect.objectContaining({ room_id: roomId, user_id: carol.userId, reason: "a spam room" })]);
    const users = (await admin_("user_reports?dir=f")).body;
    expect(users.user_reports.map((r: any) => [r.target_user_id, r.reason])).toEqual([[alice.userId, "spammer"], ["@nobody:test.local", ""]]);
  });

  it("the listing: admins only, paged by next_token, filtered by reporter or room", async () => {
    expectError(await admin_("event_reports", bob), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", "/_synapse/admin/v1/event_reports"), 401, "M_MISSING_TOKEN");
    const first = (await admin_("event_reports?limit=1")).body;
    expect(first.event_reports).toHaveLength(1);
    expect(first.next_token).toBe(1);
    const second = (await admin_(`event_reports?limit=1&from=${first.next_token}`)).body;
    expect(second.next_token).toBeUndefined();
    expect(second.event_reports[0].id).not.toBe(first.event_reports[0].id);
    expect((await admin_(`event_reports?user_id=${enc(carol.userId)}`)).body).toEqual({ event_reports: [], total: 0 });
    expect((await admin_(`event_reports?room_id=${enc(roomId)}`)).body.total).toBe(2);
    expectError(await admin_("event_reports?limit=0"), 400, "M_INVALID_PARAM");
    expectError(await admin_("event_reports?dir=x"), 400, "M_INVALID_PARAM");
  });
});

// GET /pushers and POST /pushers/set as a mobile client drives them after login.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectError, register, startServer, type TestServer, type User } from "./harness";

const URL_OK = "https://push.example.org/_matrix/push/v1/notify";
const pusher = (pushkey: string, extra: Record<string, unknown> = {}) => ({
  kind: "http",
  app_id: "io.element.android",
  pushkey,
  app_display_name: "Element",
  device_display_name: "Pixel",
  lang: "en-GB",
  data: { url: URL_OK, format: "event_id_only", brand: "Element" },
  ...extra,
});

describe("pushers", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
  });
  afterAll(() => s.close());

  const list = async (u: User) => {
    const r = await call(s, "GET", "/pushers", undefined, u.token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.pushers as Array<Record<string, unknown>>;
  };
  const set = (u: User, body: unknown) => call(s, "POST", "/pushers/set", body, u.token);

  it("set, list, replace, delete (kind null); another user's pushers are invisible", async () => {
    expect(await list(alice)).toEqual([]);
    expect((await set(alice, pusher("a1"))).body).toEqual({});
    expect((await set(alice, pusher("a2", { profile_tag: "xyz" }))).status).toBe(200);
    expect(await list(alice)).toEqual([
      { ...pusher("a1") },
      { ...pusher("a2"), profile_tag: "xyz" },
    ]);
    expect(await list(bob)).toEqual([]);
    // Same app_id + pushkey: replaced, not added.
    expect((await set(alice, pusher("a1", { lang: "fr", device_display_name: "Pixel 9" }))).status).toBe(200);
    expect((await list(alice)).filter((p) => p["pushkey"] === "a1")).toEqual([{ ...pusher("a1"), lang: "fr", device_display_name: "Pixel 9" }]);
    // Deleting needs only kind, app_id and pushkey; deleting what is not there succeeds.
    expect((await set(alice, { kind: null, app_id: "io.element.android", pushkey: "a1" })).status).toBe(200);
    expect((await set(alice, { kind: null, app_id: "io.element.android", pushkey: "never" })).status).toBe(200);
    // Bob deleting alice's app_id + pushkey touches only his own (none).
    expect((await set(bob, { kind: null, app_id: "io.element.android", pushkey: "a2" })).status).toBe(200);
    expect((await list(alice)).map((p) => p["pushkey"])).toEqual(["a2"]);
    expect((await set(alice, { kind: null, app_id: "io.element.android", pushkey: "a2" })).status).toBe(200);
    expect(await list(alice)).toEqual([]);
  });

  it("append: true keeps other users' pusher with the same app_id + pushkey; append false (the default) removes it", async () => {
    const carol = await register(s, "carol");
    const dave = await register(s, "dave");
    expect((await set(carol, pusher("shared"))).status).toBe(200);
    expect((await set(dave, pusher("shared", { append: true }))).status).toBe(200);
    expect(await list(carol)).toHaveLength(1);
    expect(await list(dave)).toHaveLength(1);
    expect((await set(dave, pusher("shared", { append: false }))).status).toBe(200);
    expect(await list(carol)).toEqual([]);
    expect(await list(dave)).toHaveLength(1);
    expect((await set(carol, pusher("shared"))).status).toBe(200);
    expect(await list(dave)).toEqual([]);
    expect(await list(carol)).toHaveLength(1);
  });

  it("bad requests are 400 with the spec's errcode and change nothing", async () => {
    const erin = await register(s, "erin");
    expect((await set(erin, pusher("keep"))).status).toBe(200);
    const before = await list(erin);
    const { lang: _lang, data: _data, ...noLangNoData } = pusher("keep");
    const { kind: _kind, ...noKind } = pusher("keep");
    const cases: Array<[unknown, string]> = [
      [noLangNoData, "M_MISSING_PARAM"],
      [noKind, "M_MISSING_PARAM"],
      [{ kind: null, app_id: "io.element.android" }, "M_MISSING_PARAM"],
      [pusher("keep", { data: { format: "event_id_only" } }), "M_MISSING_PARAM"],
      [pusher("keep", { kind: 5 }), "M_BAD_JSON"],
      [pusher("keep", { lang: 5 }), "M_BAD_JSON"],
      [pusher("keep", { data: "x" }), "M_BAD_JSON"],
      [pusher("keep", { append: "yes" }), "M_BAD_JSON"],
      [pusher("keep", { profile_tag: 1 }), "M_BAD_JSON"],
      [pusher("keep", { app_display_name: null }), "M_BAD_JSON"],
      [pusher("keep", { kind: "sms" }), "M_INVALID_PARAM"],
      [pusher("keep", { data: { url: "http://push.example.org/_matrix/push/v1/notify" } }), "M_INVALID_PARAM"],
      [pusher("keep", { data: { url: "https://push.example.org/notify" } }), "M_INVALID_PARAM"],
      [pusher("keep", { data: { url: URL_OK, format: "full" } }), "M_INVALID_PARAM"],
      [pusher("x".repeat(513)), "M_INVALID_PARAM"],
      [pusher("keep", { app_id: "a".repeat(65) }), "M_INVALID_PARAM"],
      [pusher("erin@example.org", { kind: "email", app_id: "m.email" }), "M_THREEPID_NOT_FOUND"],
      [[1], "M_BAD_JSON"],
    ];
    for (const [body, errcode] of cases) expectError(await set(erin, body), 400, errcode);
    // A replacement that fails validation leaves the old pusher as it was.
    expect(await list(erin)).toEqual(before);
    expectError(await call(s, "POST", "/pushers/set", pusher("k")), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "GET", "/pushers"), 401, "M_MISSING_TOKEN");
  });

  it("logging out the device that set a pusher removes it; the user's other devices keep theirs", async () => {
    const frank = await register(s, "frank");
    const login = await call(s, "POST", "/login", { type: "m.login.password", identifier: { type: "m.id.user", user: "frank" }, password: frank.password });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const phone: User = { ...frank, token: login.body.access_token, deviceId: login.body.device_id };
    expect((await set(frank, pusher("laptop-key"))).status).toBe(200);
    expect((await set(phone, pusher("phone-key"))).status).toBe(200);
    expect((await list(frank)).map((p) => p["pushkey"])).toEqual(["laptop-key", "phone-key"]);
    expect((await call(s, "POST", "/logout", {}, phone.token)).status).toBe(200);
    expect((await list(frank)).map((p) => p["pushkey"])).toEqual(["laptop-key"]);
  });
});

// Push rules over HTTP (client-server API, "Push Rules: API"), against real userapi and
// roomserver: predefined rules in spec order, user rules with before/after, enabled flags,
// actions, deletion, the stored m.push_rules account data, and the error cases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

const OVERRIDE_IDS = [
  ".m.rule.master",
  ".m.rule.suppress_notices",
  ".m.rule.invite_for_me",
  ".m.rule.member_event",
  ".m.rule.is_user_mention",
  ".m.rule.is_room_mention",
  ".m.rule.tombstone",
  ".m.rule.reaction",
  ".m.rule.room.server_acl",
  ".m.rule.suppress_edits",
];
const UNDERRIDE_IDS = [".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one", ".m.rule.message", ".m.rule.encrypted"];

const ids = (rules: Array<{ rule_id: string }>) => rules.map((r) => r.rule_id);

describe("push rules", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  let carol: User;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
    carol = await register(s, "carol");
  });
  afterAll(() => s.close());

  const get = (u: User, path: string) => call(s, "GET", `/pushrules/global/${path}`, undefined, u.token);
  const put = (u: User, path: string, body: unknown) => call(s, "PUT", `/pushrules/global/${path}`, body, u.token);
  const del = (u: User, path: string) => call(s, "DELETE", `/pushrules/global/${path}`, undefined, u.token);
  const ruleset = async (u: User) => {
    const res = await call(s, "GET", "/pushrules/", undefined, u.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.global;
  };
  const storedRules = async (u: User) =>
    (await s.userapi.queryAccountData({ body: { userId: u.userId, roomId: null, type: "m.push_rules" } })).body as { content: { global: any } };

  it("GET /pushrules/ serves the predefined rules in spec order, the user's ID in the mention rules", async () => {
    const g = await ruleset(alice);
    expect(Object.keys(g).sort()).toEqual(["content", "override", "room", "sender", "underride"]);
    expect(ids(g.override)).toEqual(OVERRIDE_IDS);
    expect(ids(g.underride)).toEqual(UNDERRIDE_IDS);
    expect([g.content, g.room, g.sender]).toEqual([[], [], []]);
    for (const r of [...g.override, ...g.underride]) expect(r.default, r.rule_id).toBe(true);

    expect(g.override[0]).toEqual({ rule_id: ".m.rule.master", default: true, enabled: false, conditions: [], actions: [] });
    const byId = (id: string) => g.override.find((r: { rule_id: string }) => r.rule_id === id);
    expect(byId(".m.rule.is_user_mention")).toEqual({
      rule_id: ".m.rule.is_user_mention",
      default: true,
      enabled: true,
      conditions: [{ kind: "event_property_contains", key: "content.m\\.mentions.user_ids", value: alice.userId }],
      actions: ["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "highlight" }],
    });
    expect(byId(".m.rule.invite_for_me").conditions).toContainEqual({ kind: "event_match", key: "state_key", pattern: alice.userId });
    expect(byId(".m.rule.is_room_mention").conditions).toEqual([
      { kind: "event_property_is", key: "content.m\\.mentions.room", value: true },
      { kind: "sender_notification_permission", key: "room" },
    ]);
    expect(g.underride[0]).toEqual({
      rule_id: ".m.rule.call",
      default: true,
      enabled: true,
      conditions: [{ kind: "event_match", key: "type", pattern: "m.call.invite" }],
      actions: ["notify", { set_tweak: "sound", value: "ring" }],
    });
    // Each user gets their own ID.
    const b = await ruleset(bob);
    expect(b.override.find((r: { rule_id: string }) => r.rule_id === ".m.rule.is_user_mention").conditions[0].value).toBe(bob.userId);
    // /pushrules/global/ is the same ruleset; r0 works too.
    expect((await get(alice, "")).body).toEqual(g);
    expect((await call(s, "GET", "/_matrix/client/r0/pushrules/", undefined, alice.token)).body).toEqual({ global: g });
  });

  it("the first read stores the ruleset as m.push_rules account data (what /sync shows)", async () => {
    const g = await ruleset(carol);
    expect((await storedRules(carol)).content).toEqual({ global: g });
  });

  it("GET one rule, its enabled flag and actions; unknown rule 404", async () => {
    const r = await get(alice, "override/.m.rule.suppress_notices");
    expect(r.body).toEqual({
      rule_id: ".m.rule.suppress_notices",
      default: true,
      enabled: true,
      conditions: [{ kind: "event_match", key: "content.msgtype", pattern: "m.notice" }],
      actions: [],
    });
    expect((await get(alice, "override/.m.rule.master/enabled")).body).toEqual({ enabled: false });
    expect((await get(alice, "underride/.m.rule.message/actions")).body).toEqual({ actions: ["notify"] });
    expectError(await get(alice, "override/nope"), 404, "M_NOT_FOUND");
    expectError(await get(alice, "underride/.m.rule.master"), 404, "M_NOT_FOUND");
    expectError(await get(alice, "override/nope/enabled"), 404, "M_NOT_FOUND");
    expectError(await get(alice, "override/nope/actions"), 404, "M_NOT_FOUND");
  });

  it("adds user rules: newest first by default, then before/after; master stays first", async () => {
    const cond = (p: string) => ({ conditions: [{ kind: "event_match", key: "content.body", pattern: p }], actions: ["notify"] });
    expect((await put(alice, "override/a", cond("a"))).status).toBe(200);
    expect((await put(alice, "override/b", cond("b"))).status).toBe(200); // most important user rule
    expect((await put(alice, "override/c?after=b", cond("c"))).status).toBe(200);
    expect((await put(alice, "override/d?before=a", cond("d"))).status).toBe(200);
    // before wins when both are given.
    expect((await put(alice, "override/e?before=b&after=a", cond("e"))).status).toBe(200);
    const g = await ruleset(alice);
    expect(ids(g.override)).toEqual([".m.rule.master", "e", "b", "c", "d", "a", ...OVERRIDE_IDS.slice(1)]);
    expect(g.override[1]).toEqual({ rule_id: "e", default: false, enabled: true, ...cond("e") });
    // Stored too, in the same order.
    expect(ids((await storedRules(alice)).content.global.override)).toEqual(ids(g.override));

    // Moving an existing rule; updating in place keeps the place and the enabled flag.
    expect((await put(alice, "override/e?after=a", cond("e"))).status).toBe(200);
    expect((await call(s, "PUT", "/pushrules/global/override/c/enabled", { enabled: false }, alice.token)).status).toBe(200);
    expect((await put(alice, "override/c", { ...cond("c2"), actions: [] })).status).toBe(200);
    const g2 = await ruleset(alice);
    expect(ids(g2.override).slice(0, 6)).toEqual([".m.rule.master", "b", "c", "d", "a", "e"]);
    expect(g2.override[2]).toEqual({ rule_id: "c", default: false, enabled: false, ...cond("c2"), actions: [] });
  });

  it("room, sender and content rules keep only their own fields; historical actions are dropped", async () => {
    const room = "!abc:test.local";
    expect((await put(alice, `room/${enc(room)}`, { actions: ["dont_notify"], conditions: [{ kind: "x" }] })).status).toBe(200);
    expect((await get(alice, `room/${enc(room)}`)).body).toEqual({ rule_id: room, default: false, enabled: true, actions: [] });
    expect((await put(alice, `sender/${enc(bob.userId)}`, { actions: ["notify", "coalesce"] })).status).toBe(200);
    expect((await get(alice, `sender/${enc(bob.userId)}`)).body).toEqual({ rule_id: bob.userId, default: false, enabled: true, actions: ["notify"] });
    expect((await put(alice, "content/cake", { pattern: "cake*lie", actions: ["notify", { set_tweak: "sound", value: "cakealarm.wav" }] })).status).toBe(200);
    expect((await get(alice, "content/cake")).body).toEqual({
      rule_id: "cake",
      default: false,
      enabled: true,
      pattern: "cake*lie",
      actions: ["notify", { set_tweak: "sound", value: "cakealarm.wav" }],
    });
    const g = await ruleset(alice);
    expect([ids(g.room), ids(g.sender), ids(g.content)]).toEqual([[room], [bob.userId], ["cake"]]);
  });

  it("disables a predefined rule and changes its actions; the rest of the ruleset is untouched", async () => {
    const before = await ruleset(bob);
    expect((await call(s, "PUT", "/pushrules/global/override/.m.rule.master/enabled", { enabled: true }, bob.token)).status).toBe(200);
    expect((await call(s, "PUT", "/pushrules/global/underride/.m.rule.message/enabled", { enabled: false }, bob.token)).status).toBe(200);
    const actions = ["notify", { set_tweak: "sound", value: "bing" }];
    expect((await call(s, "PUT", "/pushrules/global/override/.m.rule.tombstone/actions", { actions }, bob.token)).status).toBe(200);
    expect((await get(bob, "override/.m.rule.master/enabled")).body).toEqual({ enabled: true });
    expect((await get(bob, "underride/.m.rule.message/enabled")).body).toEqual({ enabled: false });
    expect((await get(bob, "override/.m.rule.tombstone/actions")).body).toEqual({ actions });
    const after = await ruleset(bob);
    expect(ids(after.override)).toEqual(OVERRIDE_IDS);
    expect(after.override[0].enabled).toBe(true);
    expect(after.underride.find((r: { rule_id: string }) => r.rule_id === ".m.rule.message")).toMatchObject({ default: true, enabled: false });
    expect(after.override.find((r: { rule_id: string }) => r.rule_id === ".m.rule.tombstone")).toMatchObject({ default: true, actions });
    const untouched = (g: any) => g.override.filter((r: { rule_id: string }) => ![".m.rule.master", ".m.rule.tombstone"].includes(r.rule_id));
    expect(untouched(after)).toEqual(untouched(before));
    // Alice's rules are her own.
    expect((await get(alice, "override/.m.rule.master/enabled")).body).toEqual({ enabled: false });
  });

  it("deletes a user rule; predefined rules cannot be deleted", async () => {
    expect((await put(bob, "override/gone", { actions: ["notify"] })).status).toBe(200);
    expect(ids((await ruleset(bob)).override)).toContain("gone");
    expect((await del(bob, "override/gone")).status).toBe(200);
    expect(ids((await ruleset(bob)).override)).toEqual(OVERRIDE_IDS);
    expectError(await get(bob, "override/gone"), 404, "M_NOT_FOUND");
    expectError(await del(bob, "override/gone"), 404, "M_NOT_FOUND");
    expectError(await del(bob, "override/.m.rule.master"), 404, "M_NOT_FOUND");
    expect(ids((await ruleset(bob)).override)).toEqual(OVERRIDE_IDS);
  });

  it("refuses bad kinds, reserved or malformed rule IDs, bad placement and bad bodies", async () => {
    expectError(await get(carol, "global/x"), 400, "M_INVALID_PARAM");
    expectError(await put(carol, "nonsense/x", { actions: [] }), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", "/pushrules/global/nonsense/x/enabled", { enabled: true }, carol.token), 400, "M_INVALID_PARAM");
    expectError(await put(carol, "override/.mine", { actions: [] }), 400, "M_INVALID_PARAM");
    expectError(await put(carol, "override/.m.rule.master", { actions: ["notify"] }), 400, "M_INVALID_PARAM");
    expectError(await put(carol, `override/${enc("a/b")}`, { actions: [] }), 400, "M_INVALID_PARAM");
    expectError(await put(carol, `override/${enc("a\\b")}`, { actions: [] }), 400, "M_INVALID_PARAM");
    expectError(await put(carol, "override/x", {}), 400, "M_BAD_JSON");
    expectError(await put(carol, "override/x", { actions: "notify" }), 400, "M_BAD_JSON");
    expectError(await put(carol, "override/x", { actions: ["shout"] }), 400, "M_BAD_JSON");
    expectError(await put(carol, "override/x", { actions: [], conditions: [{ key: "type" }] }), 400, "M_BAD_JSON");
    expectError(await put(carol, "content/x", { actions: ["notify"] }), 400, "M_BAD_JSON");
    expectError(await put(carol, "override/x", [1]), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", "/pushrules/global/override/.m.rule.master/enabled", { enabled: "yes" }, carol.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", "/pushrules/global/override/.m.rule.master/actions", { actions: {} }, carol.token), 400, "M_BAD_JSON");
    expectError(await call(s, "PUT", "/pushrules/global/override/nope/enabled", { enabled: true }, carol.token), 404, "M_NOT_FOUND");
    expectError(await call(s, "PUT", "/pushrules/global/override/nope/actions", { actions: [] }, carol.token), 404, "M_NOT_FOUND");
    // None of that changed anything.
    const g = await ruleset(carol);
    expect([ids(g.override), ids(g.content), ids(g.underride)]).toEqual([OVERRIDE_IDS, [], UNDERRIDE_IDS]);
    expect(g.override[0].enabled).toBe(false);
  });

  it("before/after naming no user rule of the kind is 400 M_UNKNOWN (the spec's error) and stores nothing", async () => {
    const erin = await register(s, "erin");
    expect((await put(erin, "override/a", { conditions: [], actions: ["notify"] })).status).toBe(200);
    expect((await put(erin, "underride/u", { conditions: [], actions: ["notify"] })).status).toBe(200);
    const stored = (await storedRules(erin)).content;
    for (const q of ["before=missing", "after=missing", "before=u", "after=.m.rule.master", "before=.m.rule.suppress_edits", "before=x"]) {
      const res = await put(erin, `override/x?${q}`, { conditions: [], actions: [] });
      expectError(res, 400, "M_UNKNOWN");
      expect(res.body.error, q).toMatch(/before\/after/);
    }
    expectError(await put(erin, "override/a?after=a", { conditions: [], actions: [] }), 400, "M_UNKNOWN");
    expect((await storedRules(erin)).content).toEqual(stored);
  });

  it("a stored ruleset from an older server is reconciled with today's predefined rules", async () => {
    const dave = await register(s, "dave");
    const legacy = {
      global: {
        override: [
          { rule_id: ".m.rule.master", default: true, enabled: true, conditions: [], actions: [] },
          { rule_id: "mine", default: false, enabled: true, conditions: [], actions: ["notify"] },
          { rule_id: ".m.rule.roomnotif", default: true, enabled: true, conditions: [], actions: ["notify"] },
        ],
        content: [{ rule_id: ".m.rule.contains_user_name", default: true, enabled: true, pattern: "dave", actions: ["notify"] }],
      },
    };
    await s.userapi.setAccountData({ body: { userId: dave.userId, roomId: null, type: "m.push_rules", content: legacy } });
    const g = await ruleset(dave);
    expect(ids(g.override)).toEqual([".m.rule.master", "mine", ...OVERRIDE_IDS.slice(1)]);
    expect(g.override[0].enabled).toBe(true);
    expect([ids(g.content), ids(g.underride)]).toEqual([[], UNDERRIDE_IDS]);
    // The next edit stores the reconciled form.
    expect((await put(dave, "override/mine", { actions: [] })).status).toBe(200);
    expect(ids((await storedRules(dave)).content.global.override)).toEqual(ids(g.override));
  });

  it("GET /pushrules/global/{kind}/ lists one kind (as Synapse does)", async () => {
    expect(ids((await get(bob, "underride/")).body)).toEqual(UNDERRIDE_IDS);
    expectError(await get(bob, "bogus/"), 400, "M_INVALID_PARAM");
  });

  it("needs an access token; m.push_rules cannot be written through the account data API", async () => {
    expectError(await call(s, "GET", "/pushrules/"), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "GET", "/pushrules/global/override/.m.rule.master"), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "PUT", "/pushrules/global/override/x", { actions: [] }), 401, "M_MISSING_TOKEN");
    expectError(await call(s, "DELETE", "/pushrules/global/override/x", undefined, "bogus"), 401, "M_UNKNOWN_TOKEN");
    expectError(await call(s, "PUT", `/user/${enc(alice.userId)}/account_data/m.push_rules`, { global: {} }, alice.token), 405, "M_BAD_JSON");
  });

  it("concurrent edits by one user are all kept", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => put(carol, `underride/r${i}`, { conditions: [], actions: ["notify"] })),
    );
    for (const r of results) expect(r.status).toBe(200);
    expect(ids((await ruleset(carol)).underride).filter((id) => id.startsWith("r")).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `r${i}`),
    );
  });
});

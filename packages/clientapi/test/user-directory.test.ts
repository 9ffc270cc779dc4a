// POST /user_directory/search as a client uses it: who can be found (users sharing a room with
// the searcher, members of public rooms — never someone only in a private room elsewhere, never a
// deactivated account), how (word prefixes of the user ID or display name, any case), limit and
// limited, and the 400s and 401 for bad requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientapiConfigFrom } from "../src/from-config";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;
let carol: User;
let dave: User;
let erin: User;
let pub: string;
beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  carol = await register(s, "carol");
  dave = await register(s, "dave");
  erin = await register(s, "erin");
  await setName(bob, "Bob Smith");
  await setName(carol, "Дмитрий Петров");
  await setName(dave, "Dave Hidden");
  const priv = await createRoom(alice, "private_chat");
  await call(s, "POST", `/rooms/${enc(priv)}/invite`, { user_id: bob.userId }, alice.token);
  await call(s, "POST", `/join/${enc(priv)}`, {}, bob.token);
  pub = await createRoom(carol, "public_chat");
  await call(s, "POST", `/join/${enc(pub)}`, {}, erin.token);
  await createRoom(dave, "private_chat");
});
afterAll(() => s.close());

async function createRoom(user: User, preset: string): Promise<string> {
  return (await call(s, "POST", "/createRoom", { preset }, user.token)).body.room_id as string;
}
function setName(user: User, displayname: string) {
  return call(s, "PUT", `/profile/${enc(user.userId)}/displayname`, { displayname }, user.token);
}
const search = (body: unknown, token: string | undefined = alice.token) => call(s, "POST", "/user_directory/search", body, token);
async function found(term: string, who: User = alice): Promise<string[]> {
  const r = await search({ search_term: term }, who.token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.results as { user_id: string }[]).map((u) => u.user_id);
}

describe("user directory search", () => {
  it("finds by localpart prefix and display name word prefix, any case, with the profile", async () => {
    const r = await search({ search_term: "SMI" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ results: [{ user_id: bob.userId, display_name: "Bob Smith" }], limited: false });
    expect(await found("bo")).toEqual([bob.userId]);
    expect(await found("@bob")).toEqual([bob.userId]);
    expect(await found(bob.userId)).toEqual([bob.userId]);
    expect(await found("bob smith")).toEqual([bob.userId]);
    expect(await found("mith")).toEqual([]);
    expect(await found("петр")).toEqual([carol.userId]);
    expect(await found("ДМИТ")).toEqual([carol.userId]);
  });

  it("finds users sharing a room and members of public rooms only", async () => {
    expect(await found("erin")).toEqual([erin.userId]); // public room Alice is not in
    expect(await found("dave")).toEqual([]); // only in his own private room
    expect(await found("hidden")).toEqual([]);
    expect(await found("bob", carol)).toEqual([]); // Bob is only in Alice's private room
    expect(await found("alice", bob)).toEqual([alice.userId]);
    // Oneself: only as a member of a public room (as Synapse).
    expect(await found("alice")).toEqual([]);
    expect(await found("carol", carol)).toEqual([carol.userId]);
  });

  it("follows display name changes", async () => {
    await setName(erin, "Erin Newname");
    expect(await found("newn")).toEqual([erin.userId]);
    await setName(erin, "Erin Other");
    expect(await found("newn")).toEqual([]);
    expect(await found("other")).toEqual([erin.userId]);
  });

  it("cuts at limit (default 10) and says limited", async () => {
    const many = await Promise.all(Array.from({ length: 11 }, (_, i) => register(s, `zed${i}`)));
    for (const u of many) await call(s, "POST", `/join/${enc(pub)}`, {}, u.token);
    const all = await search({ search_term: "zed" });
    expect(all.body.results).toHaveLength(10);
    expect(all.body.limited).toBe(true);
    const two = await search({ search_term: "zed1", limit: 2 });
    // The whole word first: zed1 before zed10.
    expect(two.body).toEqual({ results: [{ user_id: many[1]!.userId, display_name: "zed1" }, { user_id: many[10]!.userId, display_name: "zed10" }], limited: false });
    const one = await search({ search_term: "zed1", limit: 1 });
    expect(one.body).toEqual({ results: [{ user_id: many[1]!.userId, display_name: "zed1" }], limited: true });
  });

  it("never finds a deactivated account", async () => {
    const gone = await register(s, "gone");
    await call(s, "POST", `/join/${enc(pub)}`, {}, gone.token);
    expect(await found("gone")).toEqual([gone.userId]);
    const first = await call(s, "POST", "/account/deactivate", {}, gone.token);
    const auth = { type: "m.login.password", identifier: { type: "m.id.user", user: gone.userId }, password: gone.password, session: first.body.session };
    expect((await call(s, "POST", "/account/deactivate", { auth }, gone.token)).status).toBe(200);
    expect(await found("gone")).toEqual([]);

    // Deactivated without leaving its rooms (a leave that failed): still not shown.
    const stuck = await register(s, "stuck");
    await call(s, "POST", `/join/${enc(pub)}`, {}, stuck.token);
    await s.userapi.deactivateAccount({ body: { userId: stuck.userId } });
    expect(await found("stuck")).toEqual([]);
  });

  it("hides a locked account until it is unlocked", async () => {
    const held = await register(s, "heldback");
    await call(s, "POST", `/join/${enc(pub)}`, {}, held.token);
    expect(await found("heldback")).toEqual([held.userId]);
    await s.userapi.setAccountModeration({ body: { userId: held.userId, locked: true } });
    expect(await found("heldback")).toEqual([]);
    await s.userapi.setAccountModeration({ body: { userId: held.userId, locked: false } });
    expect(await found("heldback")).toEqual([held.userId]);
  });

  it("refuses bad bodies with 400 and a missing token with 401", async () => {
    expectError(await search({}), 400, "M_BAD_JSON");
    expectError(await search({ search_term: 5 }), 400, "M_BAD_JSON");
    expectError(await search({ search_term: null }), 400, "M_BAD_JSON");
    expectError(await search({ search_term: "bob", limit: -1 }), 400, "M_BAD_JSON");
    expectError(await search({ search_term: "bob", limit: "5" }), 400, "M_BAD_JSON");
    expectError(await search({ search_term: "bob", limit: 1.5 }), 400, "M_BAD_JSON");
    expectError(await search([]), 400, "M_BAD_JSON");
    expectError(await call(s, "POST", "/user_directory/search", { search_term: "bob" }), 401, "M_MISSING_TOKEN");
    expect((await search({ search_term: "" })).body).toEqual({ results: [], limited: false });
  });
});

describe("user directory search with clientapi.user_directory.search_all_users", () => {
  it("finds members of every room, but not the searcher", async () => {
    const sections = { global: { default_room_version: "12", well_known: {} }, clientapi: { rate_limiting: { enabled: false, threshold: 1, cooloff: 1 } } };
    expect(clientapiConfigFrom(sections).userDirectory).toEqual({ searchAllUsers: false });
    const config = clientapiConfigFrom({ ...sections, clientapi: { ...sections.clientapi, user_directory: { search_all_users: true } } });
    const t = await startServer({ config });
    try {
      const ann = await register(t, "ann");
      const ben = await register(t, "ben");
      await call(t, "POST", "/createRoom", { preset: "private_chat" }, ben.token);
      await call(t, "POST", "/createRoom", { preset: "private_chat" }, ann.token);
      const r = await call(t, "POST", "/user_directory/search", { search_term: "test" }, ann.token);
      expect(r.body).toEqual({ results: [{ user_id: ben.userId, display_name: "ben" }], limited: false });
    } finally {
      await t.close();
    }
  });
});

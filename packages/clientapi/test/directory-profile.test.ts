// Room aliases (profiles: profile.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ok } from "../src/call";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

describe("room aliases", () => {
  let s: TestServer;
  let alice: User;
  let bob: User;
  let roomId: string;
  beforeAll(async () => {
    s = await startServer();
    alice = await register(s, "alice");
    bob = await register(s, "bob");
    roomId = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
  });
  afterAll(() => s.close());

  const alias = (a: string) => `/directory/room/${enc(a)}`;

  it("creates, resolves, lists and deletes a local alias", async () => {
    expect((await call(s, "PUT", alias("#den:test.local"), { room_id: roomId }, alice.token)).status).toBe(200);
    expect((await call(s, "GET", alias("#den:test.local"))).body).toEqual({ room_id: roomId, servers: ["test.local"] });
    expect((await call(s, "GET", `/rooms/${enc(roomId)}/aliases`, undefined, alice.token)).body).toEqual({ aliases: ["#den:test.local"] });
    expect((await call(s, "DELETE", alias("#den:test.local"), undefined, alice.token)).status).toBe(200);
    expectError(await call(s, "GET", alias("#den:test.local")), 404, "M_NOT_FOUND");
  });

  it("a taken alias is 409; a foreign one 400; a malformed one 400; a missing one 404 on delete", async () => {
    await call(s, "PUT", alias("#taken:test.local"), { room_id: roomId }, alice.token);
    const again = await call(s, "PUT", alias("#taken:test.local"), { room_id: roomId }, alice.token);
    expectError(again, 409, "M_UNKNOWN");
    expectError(await call(s, "PUT", alias("#x:elsewhere.org"), { room_id: roomId }, alice.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", alias("nohash"), { room_id: roomId }, alice.token), 400, "M_INVALID_PARAM");
    expectError(await call(s, "PUT", alias("#ok:test.local"), { room_id: 7 }, alice.token), 400, "M_BAD_JSON");
    expectError(await call(s, "DELETE", alias("#never:test.local"), undefined, alice.token), 404, "M_NOT_FOUND");
  });

  it("the same alias deleted several times at once: one 200, the others 404 (gone), never 403", async () => {
    for (let round = 0; round < 3; round++) {
      const a = `#race${round}:test.local`;
      expect((await call(s, "PUT", alias(a), { room_id: roomId }, alice.token)).status).toBe(200);
      const answers = await Promise.all(Array.from({ length: 8 }, () => call(s, "DELETE", alias(a), undefined, alice.token)));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 404, 404, 404, 404, 404, 404, 404]);
      for (const r of answers.filter((x) => x.status !== 200)) expectError(r, 404, "M_NOT_FOUND");
    }
  });

  it("only members may add aliases; only the creator (or a powerful user) may delete", async () => {
    expectError(await call(s, "PUT", alias("#bobs:test.local"), { room_id: roomId }, bob.token), 403, "M_FORBIDDEN");
    await call(s, "POST", `/join/${enc(roomId)}`, {}, bob.token);
    await call(s, "PUT", alias("#alices:test.local"), { room_id: roomId }, alice.token);
    expectError(await call(s, "DELETE", alias("#alices:test.local"), undefined, bob.token), 403, "M_FORBIDDEN");
    expectError(await call(s, "GET", `/rooms/${enc(roomId)}/aliases`, undefined, (await register(s, "outsider")).token), 403, "M_FORBIDDEN");
  });

  it("a server admin outside the room may delete any alias", async () => {
    const made = await ok(s.userapi.createAccount({ body: { localpart: "aliasadmin", password: "pw-admin", isAdmin: true, login: {} } }));
    await call(s, "PUT", alias("#adminable:test.local"), { room_id: roomId }, alice.token);
    expect((await call(s, "DELETE", alias("#adminable:test.local"), undefined, made.accessToken!)).status).toBe(200);
    expectError(await call(s, "GET", alias("#adminable:test.local")), 404, "M_NOT_FOUND");
  });

  it("deleting an alias takes it out of m.room.canonical_alias, when the deleter may change that event", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat", room_alias_name: "canon-main" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(room)}`, {}, bob.token);
    await call(s, "PUT", alias("#canon-alt:test.local"), { room_id: room }, alice.token);
    await call(s, "PUT", alias("#canon-bobs:test.local"), { room_id: room }, bob.token);
    const canonical = async () => (await call(s, "GET", `/rooms/${enc(room)}/state/m.room.canonical_alias`, undefined, alice.token)).body;
    const all = { alias: "#canon-main:test.local", alt_aliases: ["#canon-alt:test.local", "#canon-bobs:test.local"] };
    expect((await call(s, "PUT", `/rooms/${enc(room)}/state/m.room.canonical_alias`, all, alice.token)).status).toBe(200);

    expect((await call(s, "DELETE", alias("#canon-alt:test.local"), undefined, alice.token)).status).toBe(200);
    expect(await canonical()).toEqual({ alias: "#canon-main:test.local", alt_aliases: ["#canon-bobs:test.local"] });
    // Bob may delete his own alias but not change the event: the alias goes, the event stays.
    expect((await call(s, "DELETE", alias("#canon-bobs:test.local"), undefined, bob.token)).status).toBe(200);
    expectError(await call(s, "GET", alias("#canon-bobs:test.local")), 404, "M_NOT_FOUND");
    expect(await canonical()).toEqual({ alias: "#canon-main:test.local", alt_aliases: ["#canon-bobs:test.local"] });
    expect((await call(s, "DELETE", alias("#canon-main:test.local"), undefined, alice.token)).status).toBe(200);
    expect(await canonical()).toEqual({ alt_aliases: ["#canon-bobs:test.local"] });
  });

  it("a user who left the room loses the power to delete others' aliases, not their own", async () => {
    const room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, alice.token)).body.room_id;
    await call(s, "POST", `/join/${enc(room)}`, {}, bob.token);
    await call(s, "PUT", alias("#bobs-left:test.local"), { room_id: room }, bob.token);
    await call(s, "PUT", alias("#alices-left:test.local"), { room_id: room }, alice.token);
    await call(s, "POST", `/rooms/${enc(room)}/leave`, {}, alice.token);
    // Alice's power level of 100 stays in the room's state, but outside the room she can send nothing.
    expectError(await call(s, "DELETE", alias("#bobs-left:test.local"), undefined, alice.token), 403, "M_FORBIDDEN");
    expect((await call(s, "GET", alias("#bobs-left:test.local"))).status).toBe(200);
    expect((await call(s, "DELETE", alias("#alices-left:test.local"), undefined, alice.token)).status).toBe(200);
  });
});

// The user directory search's roomserver half: who a searcher finds (rooms shared, public rooms),
// how names are matched and ranked, and that the index follows member events, join rules,
// history visibility and redactions as they change.
import { applyMigrations } from "@dendrite-ts/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOMSERVER_SCHEMA, roomserverMigrations } from "../src/storage";
import { ALICE, BOB, CAROL, SERVER, startRoomserver, type Harness } from "./helpers/roomserver";

const DAVE = `@dave:${SERVER}`;
const ERIN = `@erin_smithers:${SERVER}`;
const FRANK = `@frank:${SERVER}`;
const GINA = `@gina:${SERVER}`;

let h: Harness;
let priv: string;
let pub: string;
let readable: string;
beforeAll(async () => {
  h = await startRoomserver("local");
  const create = async (creator: string, body: Record<string, unknown>) => (await h.client.performCreateRoom({ body: { creator, ...body } })).body.roomId;
  const join = (userId: string, roomId: string, displayname?: string) =>
    h.client.performJoin({ body: { userId, roomIdOrAlias: roomId, ...(displayname ? { content: { displayname } } : {}) } });
  priv = await create(ALICE, { preset: "private_chat", memberContent: { [ALICE]: { displayname: "Alice" } } });
  await h.client.performInvite({ body: { sender: ALICE, roomId: priv, invitee: BOB } });
  await join(BOB, priv, "Bob Smith");
  await h.client.performInvite({ body: { sender: ALICE, roomId: priv, invitee: GINA } }); // invited only: not a member
  pub = await create(CAROL, { preset: "public_chat", memberContent: { [CAROL]: { displayname: "Дмитрий Петров", avatar_url: "mxc://x/c" } } });
  await join(ERIN, pub, "Erin");
  readable = await create(FRANK, { preset: "private_chat", initialState: [{ type: "m.room.history_visibility", content: { history_visibility: "world_readable" } }] });
  await create(DAVE, { preset: "private_chat", memberContent: { [DAVE]: { displayname: "Dave Hidden" } } });
});
afterAll(() => h.close());

async function search(searchTerm: string, opts: { limit?: number; userId?: string; searchAllUsers?: boolean } = {}) {
  const { body } = await h.client.querySearchUserDirectory({ body: { userId: opts.userId ?? ALICE, searchTerm, limit: opts.limit ?? 10, searchAllUsers: opts.searchAllUsers ?? false } });
  return body;
}
const ids = async (term: string, opts?: Parameters<typeof search>[1]) => (await search(term, opts)).users.map((u) => u.userId);

describe("querySearchUserDirectory", () => {
  it("finds by a word prefix of the display name or of the user ID, case-insensitively", async () => {
    expect((await search("bob smi")).users).toEqual([{ userId: BOB, displayName: "Bob Smith" }]);
    expect(await ids("smi")).toEqual([BOB, ERIN]);
    expect(await ids("SMITH")).toEqual([BOB, ERIN]);
    expect(await ids("@bob")).toEqual([BOB]);
    expect(await ids(BOB)).toEqual([BOB]);
    expect(await ids("mith")).toEqual([]); // a word's middle is no match
    expect(await ids("ДМИТ")).toEqual([CAROL]);
    expect((await search("петр")).users).toEqual([{ userId: CAROL, displayName: "Дмитрий Петров", avatarUrl: "mxc://x/c" }]);
    expect(await ids("erin_smi")).toEqual([ERIN]);
  });

  it("finds members of rooms the searcher shares and of public or world-readable rooms only", async () => {
    expect(await ids("frank")).toEqual([FRANK]); // world_readable history
    expect(await ids("dave")).toEqual([]); // only in a private room Alice is not in
    expect(await ids("hidden")).toEqual([]);
    expect(await ids("gina")).toEqual([]); // invited, not joined
    expect(await ids("alice")).toEqual([]); // herself: only as a member of a public room
    expect(await ids("carol", { userId: CAROL })).toEqual([CAROL]);
    expect(await ids("bob", { userId: CAROL })).toEqual([]); // Bob is only in Alice's private room
    expect(await ids("dave", { searchAllUsers: true })).toEqual([DAVE]);
    expect(await ids("alice", { searchAllUsers: true })).toEqual([]); // not the searcher then
  });

  it("ranks whole-word matches first, then users with a display name and avatar", async () => {
    expect(await ids("smith")).toEqual([BOB, ERIN]); // "Smith" whole beats "smithers"
    expect(await ids(SERVER.split(".")[0]!)).toEqual([CAROL, BOB, ERIN, FRANK]);
  });

  it("cuts at limit and says so", async () => {
    expect(await search("smi", { limit: 1 })).toEqual({ users: [{ userId: BOB, displayName: "Bob Smith" }], limited: true });
    expect(await search("smi", { limit: 2 })).toMatchObject({ limited: false });
    expect(await search("smi", { limit: 0 })).toEqual({ users: [], limited: true });
    expect(await search("  @:  ")).toEqual({ users: [], limited: false });
  });

  it("follows display name changes, redactions, leaves and join rule changes", async () => {
    await h.client.performSendEvent({ body: { sender: BOB, roomId: priv, type: "m.room.member", stateKey: BOB, content: { membership: "join", displayname: "Robert Jones" } } });
    expect(await ids("smith")).toEqual([ERIN]);
    expect(await ids("jon")).toEqual([BOB]);

    const { eventId } = (await h.client.performSendEvent({ body: { sender: ERIN, roomId: pub, type: "m.room.member", stateKey: ERIN, content: { membership: "join", displayname: "Zed" } } })).body;
    expect(await ids("zed")).toEqual([ERIN]);
    await h.client.performSendEvent({ body: { sender: CAROL, roomId: pub, type: "m.room.redaction", content: { redacts: eventId }, redacts: eventId } });
    expect(await ids("zed")).toEqual([]);
    expect((await search("erin")).users).toEqual([{ userId: ERIN }]);

    await h.client.performSendEvent({ body: { sender: CAROL, roomId: pub, type: "m.room.join_rules", stateKey: "", content: { join_rule: "invite" } } });
    expect(await ids("erin")).toEqual([]);
    await h.client.performSendEvent({ body: { sender: CAROL, roomId: pub, type: "m.room.join_rules", stateKey: "", content: { join_rule: "public" } } });
    expect(await ids("erin")).toEqual([ERIN]);
    await h.client.performLeave({ body: { userId: ERIN, roomId: pub } });
    expect(await ids("erin")).toEqual([]);
  });

  it("finds the same after the migration that added the index fills it from existing rooms", async () => {
    const probes = () => Promise.all([search("robert"), search("дмитрий"), search("frank"), search("alice", { userId: BOB })]);
    const before = await probes();
    await h.db.sql.unsafe(`
      ALTER TABLE roomserver.memberships DROP COLUMN display_name, DROP COLUMN avatar_url, DROP COLUMN search_key;
      DROP TABLE roomserver.room_visibility;
      DELETE FROM roomserver.schema_migrations WHERE id IN ('0004_user_directory', '0005_user_directory_search_key');`);
    await applyMigrations(h.db, ROOMSERVER_SCHEMA, roomserverMigrations);
    expect(await probes()).toEqual(before);
    expect(before.map((b) => b.users.length)).toEqual([1, 1, 1, 1]);
  });
});

// GET /relations (relations.yaml): children of an event, by relation and event type, paged,
// recursing on request; redacted children drop out; an invisible parent is 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, startHarness, type Harness, type User } from "./harness";

describe("/relations", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let roomId: string;
  let parent: string;
  let reactions: string[];
  let edit: string;
  let threadReply: string;
  let reactionToReply: string;
  const path = (rest = "") => `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(parent)}${rest}`;
  const ids = (res: { body: { chunk: { event_id: string }[] } }) => res.body.chunk.map((e) => e.event_id);

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    roomId = await createRoom(h, alice, { preset: "private_chat" });
    parent = await send(h, alice, roomId, "parent");
    const react = (target: string, key: string) =>
      send(h, alice, roomId, "", { type: "m.reaction", content: { "m.relates_to": { rel_type: "m.annotation", event_id: target, key } } });
    reactions = [await react(parent, "👍"), await react(parent, "🎉"), await react(parent, "🚀")];
    edit = await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: "* parent!", "m.new_content": { msgtype: "m.text", body: "parent!" }, "m.relates_to": { rel_type: "m.replace", event_id: parent } } });
    threadReply = await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: parent } } });
    reactionToReply = await react(threadReply, "👀");
    await h.waitForEvents(...reactions, edit, threadReply, reactionToReply);
  });
  afterAll(() => h.close());

  it("every direct child, newest first; by relation type; by relation and event type", async () => {
    const all = await h.get(alice, path());
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual([threadReply, edit, ...[...reactions].reverse()]);
    expect(all.body.next_batch).toBeUndefined();
    expect(ids(await h.get(alice, path("/m.annotation")))).toEqual([...reactions].reverse());
    expect(ids(await h.get(alice, path("/m.annotation/m.room.message")))).toEqual([]);
    expect(ids(await h.get(alice, path("/m.replace/m.room.message")))).toEqual([edit]);
  });

  it("pages with next_batch, both directions", async () => {
    const first = await h.get(alice, path("/m.annotation"), { limit: 2 });
    expect(ids(first)).toEqual([reactions[2], reactions[1]]);
    const second = await h.get(alice, path("/m.annotation"), { limit: 2, from: first.body.next_batch });
    expect(ids(second)).toEqual([reactions[0]]);
    expect(second.body.next_batch).toBeUndefined();
    const forwards = await h.get(alice, path("/m.annotation"), { dir: "f", limit: 2 });
    expect(ids(forwards)).toEqual([reactions[0], reactions[1]]);
  });

  it("recurse follows relations of relations and says how deep", async () => {
    const flat = await h.get(alice, path(), { recurse: "false" });
    expect(ids(flat)).not.toContain(reactionToReply);
    expect(flat.body.recursion_depth).toBe(1);
    const deep = await h.get(alice, path(), { recurse: "true" });
    expect(ids(deep)).toContain(reactionToReply);
    expect(deep.body.recursion_depth).toBe(3);
    expect((await h.get(alice, path())).body.recursion_depth).toBeUndefined();
  });

  it("a redacted child is no longer a relation", async () => {
    const target = reactions[1]!;
    const redaction = await send(h, alice, roomId, "", { type: "m.room.redaction", content: { redacts: target } });
    await h.waitForEvents(redaction);
    for (let i = 0; i < 200; i++) {
      if (!ids(await h.get(alice, path("/m.annotation"))).includes(target)) break;
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(ids(await h.get(alice, path("/m.annotation")))).toEqual([reactions[2], reactions[0]]);
  });

  it("bundled aggregations: the thread summary, the newest valid edit, references", async () => {
    // Bob may not edit Alice's message: his "edit" is ignored.
    await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    const { body: j } = await h.roomserver.performJoin({ body: { userId: bob.userId, roomIdOrAlias: roomId } });
    const forged = await send(h, bob, roomId, "", { content: { msgtype: "m.text", body: "* hacked", "m.new_content": { msgtype: "m.text", body: "hacked" }, "m.relates_to": { rel_type: "m.replace", event_id: parent } } });
    const ref = await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: "see above", "m.relates_to": { rel_type: "m.reference", event_id: parent } } });
    await h.waitForEvents(j.eventId, forged, ref);
    const ev = (await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(parent)}`)).body;
    const rel = ev.unsigned["m.relations"];
    expect(rel["m.thread"]).toMatchObject({ count: 1, current_user_participated: true, latest_event: { event_id: threadReply } });
    expect(rel["m.replace"].event_id).toBe(edit);
    expect(rel["m.reference"]).toEqual({ chunk: [{ event_id: ref }] });
    // The same in /messages and /context.
    const msgs = (await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 50 })).body.chunk;
    expect(msgs.find((e: any) => e.event_id === parent).unsigned["m.relations"]["m.replace"].event_id).toBe(edit);
    const ctx = (await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/context/${encodeURIComponent(parent)}`, { limit: 2 })).body;
    expect(ctx.event.unsigned["m.relations"]["m.thread"].count).toBe(1);
    // A limited /sync timeline carries them too.
    const m2 = await send(h, alice, roomId, "typo");
    const e2 = await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: "* fixed", "m.new_content": { msgtype: "m.text", body: "fixed" }, "m.relates_to": { rel_type: "m.replace", event_id: m2 } } });
    await h.waitForEvents(m2, e2);
    const synced = (await h.get(alice, "/_matrix/client/v3/sync", { filter: JSON.stringify({ room: { timeline: { limit: 2 } } }) })).body;
    expect(synced.rooms.join[roomId].timeline.limited).toBe(true);
    const inSync = synced.rooms.join[roomId].timeline.events.find((e: any) => e.event_id === m2);
    expect(inSync.unsigned["m.relations"]["m.replace"].event_id).toBe(e2);
    // Bob sees Alice's thread as one he did not take part in.
    const asBob = (await h.get(bob, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(parent)}`)).body;
    expect(asBob.unsigned["m.relations"]["m.thread"].current_user_participated).toBe(false);
  });

  it("404 for a parent one may not see or that does not exist; 400 for bad parameters", async () => {
    const carol = await h.user("carol");
    expect((await h.get(carol, path())).status).toBe(404);
    expect((await h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/$nope`)).body.errcode).toBe("M_NOT_FOUND");
    expect((await h.get(alice, path(), { dir: "sideways" })).body.errcode).toBe("M_INVALID_PARAM");
    expect((await h.get(alice, path(), { recurse: "yes" })).body.errcode).toBe("M_INVALID_PARAM");
    expect((await h.get(alice, path(), { from: "bogus" })).body.errcode).toBe("M_INVALID_PARAM");
  });
});

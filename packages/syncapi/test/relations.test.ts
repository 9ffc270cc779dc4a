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

  it("404 for a parent one may not see or that does not exist; 400 for bad parameters", async () => {
    expect((await h.get(bob, path())).status).toBe(404);
    expect((await h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/$nope`)).body.errcode).toBe("M_NOT_FOUND");
    expect((await h.get(alice, path(), { dir: "sideways" })).body.errcode).toBe("M_INVALID_PARAM");
    expect((await h.get(alice, path(), { recurse: "yes" })).body.errcode).toBe("M_INVALID_PARAM");
    expect((await h.get(alice, path(), { from: "bogus" })).body.errcode).toBe("M_INVALID_PARAM");
  });
});

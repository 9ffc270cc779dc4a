// Bundled aggregations (client-server API, "Aggregations of child events"): relations from
// another room are ignored; encrypted edits are bundled; a redacted original keeps its thread
// and references (only m.replace goes); a thread's latest_event carries its own aggregations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, startHarness, type Harness, type User } from "./harness";

describe("bundled aggregations", () => {
  let h: Harness;
  let alice: User;
  const room = (roomId: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  const relations = async (roomId: string, eventId: string) => {
    const res = await h.get(alice, `${room(roomId)}/event/${encodeURIComponent(eventId)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.unsigned?.["m.relations"] as Record<string, any> | undefined;
  };
  const text = (body: string, relatesTo?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    content: { msgtype: "m.text", body, ...extra, ...(relatesTo ? { "m.relates_to": relatesTo } : {}) },
  });
  const redact = async (roomId: string, target: string) => {
    const redaction = await send(h, alice, roomId, "", { type: "m.room.redaction", content: { redacts: target } });
    await h.waitForEvents(redaction);
    for (let i = 0; i < 200; i++) {
      const ev = (await h.get(alice, `${room(roomId)}/event/${encodeURIComponent(target)}`)).body;
      if (ev.unsigned?.redacted_because) return;
      await new Promise((r) => setTimeout(r, 15));
    }
    throw new Error("redaction not applied");
  };

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
  });
  afterAll(() => h.close());

  it("a thread reply or reference sent in another room is not counted in the parent's room", async () => {
    const room1 = await createRoom(h, alice, { preset: "private_chat" });
    const room2 = await createRoom(h, alice, { preset: "private_chat" });
    const root = await send(h, alice, room1, "root");
    const inThread = await send(h, alice, room1, "", text("reply", { rel_type: "m.thread", event_id: root }));
    const ref = await send(h, alice, room1, "", text("ref", { rel_type: "m.reference", event_id: root }));
    const foreignThread = await send(h, alice, room2, "", text("elsewhere", { rel_type: "m.thread", event_id: root }));
    const foreignRef = await send(h, alice, room2, "", text("elsewhere ref", { rel_type: "m.reference", event_id: root }));
    const foreignEdit = await send(h, alice, room2, "", text("* x", { rel_type: "m.replace", event_id: root }, { "m.new_content": { msgtype: "m.text", body: "x" } }));
    await h.waitForEvents(inThread, ref, foreignThread, foreignRef, foreignEdit);

    const rel = await relations(room1, root);
    expect(rel?.["m.thread"]).toMatchObject({ count: 1, latest_event: { event_id: inThread } });
    expect(rel?.["m.reference"]).toEqual({ chunk: [{ event_id: ref }] });
    expect(rel?.["m.replace"]).toBeUndefined();
    const msgs = (await h.get(alice, `${room(room1)}/messages`, { dir: "b", limit: 50 })).body.chunk;
    expect(msgs.find((e: any) => e.event_id === root).unsigned["m.relations"]["m.thread"].count).toBe(1);
    const threads = (await h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(room1)}/threads`)).body.chunk;
    expect(threads.map((e: any) => e.event_id)).toEqual([root]);
    expect(threads[0].unsigned["m.relations"]["m.thread"]).toMatchObject({ count: 1, latest_event: { event_id: inThread } });
  });

  it("an encrypted edit of an encrypted message is bundled as m.replace", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    const encrypted = (extra: Record<string, unknown> = {}) => ({
      type: "m.room.encrypted",
      content: { algorithm: "m.megolm.v1.aes-sha2", ciphertext: "AwgAEn...", sender_key: "key", device_id: "DEV", session_id: "sess", ...extra },
    });
    const original = await send(h, alice, roomId, "", encrypted());
    const edit = await send(h, alice, roomId, "", encrypted({ "m.relates_to": { rel_type: "m.replace", event_id: original } }));
    await h.waitForEvents(original, edit);
    expect((await relations(roomId, original))?.["m.replace"]?.event_id).toBe(edit);
  });

  it("a redacted thread root or referenced event keeps its m.thread and m.reference; only m.replace goes", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    const root = await send(h, alice, roomId, "root");
    const reply = await send(h, alice, roomId, "", text("reply", { rel_type: "m.thread", event_id: root }));
    const ref = await send(h, alice, roomId, "", text("ref", { rel_type: "m.reference", event_id: root }));
    const edit = await send(h, alice, roomId, "", text("* root!", { rel_type: "m.replace", event_id: root }, { "m.new_content": { msgtype: "m.text", body: "root!" } }));
    await h.waitForEvents(reply, ref, edit);
    expect((await relations(roomId, root))?.["m.replace"]?.event_id).toBe(edit);
    await redact(roomId, root);

    const rel = await relations(roomId, root);
    expect(rel?.["m.thread"]).toMatchObject({ count: 1, latest_event: { event_id: reply } });
    expect(rel?.["m.reference"]).toEqual({ chunk: [{ event_id: ref }] });
    expect(rel?.["m.replace"]).toBeUndefined();
    const msgs = (await h.get(alice, `${room(roomId)}/messages`, { dir: "b", limit: 50 })).body.chunk;
    expect(msgs.find((e: any) => e.event_id === root).unsigned["m.relations"]["m.thread"].count).toBe(1);
    const ctx = (await h.get(alice, `${room(roomId)}/context/${encodeURIComponent(root)}`, { limit: 2 })).body;
    expect(ctx.event.unsigned["m.relations"]["m.reference"]).toEqual({ chunk: [{ event_id: ref }] });
  });

  it("a thread's latest_event carries its own edit, in /event, /messages, /context, /threads and /sync", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    const root = await send(h, alice, roomId, "root");
    const reply = await send(h, alice, roomId, "", text("tpyo", { rel_type: "m.thread", event_id: root }));
    const edit = await send(h, alice, roomId, "", text("* typo", { rel_type: "m.replace", event_id: reply }, { "m.new_content": { msgtype: "m.text", body: "typo" } }));
    const after = await send(h, alice, roomId, "after");
    await h.waitForEvents(reply, edit, after);

    const latestEdit = (rel: Record<string, any> | undefined) => rel?.["m.thread"]?.latest_event?.unsigned?.["m.relations"]?.["m.replace"]?.event_id;
    expect(latestEdit(await relations(roomId, root))).toBe(edit);
    const msgs = (await h.get(alice, `${room(roomId)}/messages`, { dir: "b", limit: 50 })).body.chunk;
    expect(latestEdit(msgs.find((e: any) => e.event_id === root).unsigned["m.relations"])).toBe(edit);
    const ctx = (await h.get(alice, `${room(roomId)}/context/${encodeURIComponent(root)}`, { limit: 2 })).body;
    expect(latestEdit(ctx.event.unsigned["m.relations"])).toBe(edit);
    const threads = (await h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/threads`)).body.chunk;
    expect(latestEdit(threads[0].unsigned["m.relations"])).toBe(edit);
    const synced = (await h.get(alice, "/_matrix/client/v3/sync", { filter: JSON.stringify({ room: { timeline: { limit: 5 } } }) })).body;
    const timeline = synced.rooms.join[roomId].timeline;
    expect(timeline.limited).toBe(true);
    expect(latestEdit(timeline.events.find((e: any) => e.event_id === root).unsigned["m.relations"])).toBe(edit);
  });
});

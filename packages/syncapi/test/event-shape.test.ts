// The shape of events as clients read them: /sync's are ClientEventWithoutRoomID (the room's
// section names the room), down to the events carried inside one (unsigned.redacted_because,
// bundled m.replace and m.thread latest_event); the other endpoints' are ClientEvent, with
// room_id. A redaction in unsigned.redacted_because has its own unsigned.age, as any event.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, setState, startHarness, stateOf, sync, type Harness, type User } from "./harness";

describe("event shape per endpoint", () => {
  let h: Harness;
  let alice: User;
  const room = (roomId: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}`;
  const getEvent = async (roomId: string, eventId: string) => (await h.get(alice, `${room(roomId)}/event/${encodeURIComponent(eventId)}`)).body;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
  });
  afterAll(() => h.close());

  it("/sync's events, and the events inside them, have no room_id; /event, /messages and /context keep it", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    const named = await setState(h, alice, roomId, "m.room.name", { name: "shape" });
    const original = await send(h, alice, roomId, "typo");
    const edit = await send(h, alice, roomId, "", {
      content: { msgtype: "m.text", body: "* fixed", "m.new_content": { msgtype: "m.text", body: "fixed" }, "m.relates_to": { rel_type: "m.replace", event_id: original } },
    });
    const root = await send(h, alice, roomId, "root");
    const reply = await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: "in thread", "m.relates_to": { rel_type: "m.thread", event_id: root } } });
    const doomed = await send(h, alice, roomId, "doomed");
    const redaction = await send(h, alice, roomId, "", { type: "m.room.redaction", content: { redacts: doomed, reason: "no" } });
    const last = await send(h, alice, roomId, "last");
    await h.waitForEvents(named, edit, reply, redaction, last);
    for (let i = 0; i < 200 && !(await getEvent(roomId, doomed)).unsigned?.redacted_because; i++) await new Promise((r) => setTimeout(r, 15));

    // A limited timeline (bundled aggregations) that starts at the edited original, with state.
    const filter = JSON.stringify({ room: { timeline: { limit: 7 } } });
    const res = await sync(h, alice, { filter });
    const section = res.rooms.join[roomId];
    expect(section.timeline.limited).toBe(true);
    const timeline: any[] = section.timeline.events;
    expect(timeline.map((e) => e.event_id)).toContain(original);
    for (const ev of [...timeline, ...stateOf(res, roomId)]) expect(ev, JSON.stringify(ev)).not.toHaveProperty("room_id");
    const byId = (id: string) => timeline.find((e) => e.event_id === id);
    const bundled = byId(original).unsigned["m.relations"]["m.replace"];
    expect(bundled.event_id).toBe(edit);
    expect(bundled).not.toHaveProperty("room_id");
    const latest = byId(root).unsigned["m.relations"]["m.thread"].latest_event;
    expect(latest.event_id).toBe(reply);
    expect(latest).not.toHaveProperty("room_id");
    const because = byId(doomed).unsigned.redacted_because;
    expect(because.event_id).toBe(redaction);
    expect(because).not.toHaveProperty("room_id");

    // Outside /sync: ClientEvent, room_id everywhere.
    const fromEvent = await getEvent(roomId, original);
    expect(fromEvent.room_id).toBe(roomId);
    expect(fromEvent.unsigned["m.relations"]["m.replace"].room_id).toBe(roomId);
    expect((await getEvent(roomId, doomed)).unsigned.redacted_because.room_id).toBe(roomId);
    const chunk: any[] = (await h.get(alice, `${room(roomId)}/messages`, { dir: "b", limit: 50 })).body.chunk;
    for (const ev of chunk) expect(ev.room_id).toBe(roomId);
    const context = (await h.get(alice, `${room(roomId)}/context/${encodeURIComponent(root)}`, { limit: 2 })).body;
    for (const ev of [context.event, ...context.events_before, ...context.events_after, ...context.state]) expect(ev.room_id).toBe(roomId);
  });

  it("the redaction in unsigned.redacted_because has its own unsigned.age, in /sync and /event", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    const doomed = await send(h, alice, roomId, "doomed");
    const redaction = await send(h, alice, roomId, "", { type: "m.room.redaction", content: { redacts: doomed } });
    await h.waitForEvents(redaction);
    for (let i = 0; i < 200 && !(await getEvent(roomId, doomed)).unsigned?.redacted_because; i++) await new Promise((r) => setTimeout(r, 15));

    const fromEvent = (await getEvent(roomId, doomed)).unsigned.redacted_because;
    expect(fromEvent.event_id).toBe(redaction);
    expect(typeof fromEvent.unsigned?.age).toBe("number");
    expect(fromEvent.unsigned.age).toBeGreaterThanOrEqual(0);
    const res = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 50 } } }) });
    const inSync = res.rooms.join[roomId].timeline.events.find((e: any) => e.event_id === doomed).unsigned.redacted_because;
    expect(typeof inSync.unsigned?.age).toBe("number");
  });
});

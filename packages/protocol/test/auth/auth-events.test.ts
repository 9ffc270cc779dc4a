import { describe, it } from "vitest";
import { checkEventAuthWithRules } from "../../src/auth";
import { ALICE, ALL_VERSIONS, BOB, expectAllowed, expectNotAllowed, roomFactory, versionsWhere } from "../helpers/auth-room";

const message = (room: ReturnType<typeof roomFactory>, sender = ALICE) =>
  room.event({ type: "m.room.message", sender, content: { msgtype: "m.text", body: "hi" } });

describe("considering the event's auth_events", () => {
  it.each(ALL_VERSIONS)("v%s: a message from a joined member is allowed", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(message(room)));
  });

  it.each(ALL_VERSIONS)("v%s: auth_events.duplicate", (version) => {
    const room = roomFactory({ version });
    const ev = message(room);
    const auth = room.authFor(ev);
    const pl = auth.find((e) => e.type === "m.room.power_levels");
    expectNotAllowed(checkEventAuthWithRules(ev, [...auth, { ...pl }], room.rules), "auth_events.duplicate");
  });

  it.each(ALL_VERSIONS)("v%s: auth_events.unexpected", (version) => {
    const room = roomFactory({ version });
    const ev = message(room);
    const joinRules = [...room.state.values()].find((e) => e.type === "m.room.join_rules");
    // A message's auth events never include the join rules.
    expectNotAllowed(checkEventAuthWithRules(ev, [...room.authFor(ev), joinRules!], room.rules), "auth_events.unexpected");
    const topic = room.event({ type: "m.room.topic", state_key: "", sender: ALICE, content: { topic: "x" } });
    expectNotAllowed(checkEventAuthWithRules(ev, [...room.authFor(ev), topic], room.rules), "auth_events.unexpected");
  });

  it.each(ALL_VERSIONS)("v%s: auth_events.no_create", (version) => {
    const room = roomFactory({ version });
    const ev = message(room);
    const auth = room.authFor(ev).filter((e) => e.type !== "m.room.create");
    expectNotAllowed(checkEventAuthWithRules(ev, auth, room.rules), "auth_events.no_create");
  });

  it.each(ALL_VERSIONS)("v%s: auth_events.wrong_room", (version) => {
    const room = roomFactory({ version });
    const ev = message(room);
    const auth = room.authFor(ev).map((e) => (e.type === "m.room.power_levels" ? { ...e, room_id: "!other:a.example" } : e));
    expectNotAllowed(checkEventAuthWithRules(ev, auth, room.rules), "auth_events.wrong_room");
  });

  it("v12: auth_events.create_selected", () => {
    const room = roomFactory({ version: "12" });
    const createId = `$${room.roomId.slice(1)}`;
    expectNotAllowed(room.check({ ...message(room), auth_events: [createId, "$pl"] }), "auth_events.create_selected");
    expectAllowed(room.check({ ...message(room), auth_events: ["$pl", "$member"] }));
  });

  it.each(versionsWhere((r) => r.eventFormat.createEventInAuthEvents))("v%s: the create event is listed in auth_events", (version) => {
    const room = roomFactory({ version });
    const createRef = room.rules.eventFormat.eventRefsWithHashes ? [["$create:a.example", {}]] : ["$create"];
    expectAllowed(room.check({ ...message(room), auth_events: createRef }));
  });
});

describe("v12 rule 2: the room ID is the create event's ID", () => {
  it("room_id.not_create_event: the room ID is not a reference hash", () => {
    const room = roomFactory({ version: "12" });
    expectNotAllowed(room.check({ ...message(room), room_id: "!room:a.example" }), "room_id.not_create_event");
  });

  it("room_id.not_create_event: the eventId hook disagrees with the room ID", () => {
    const room = roomFactory({ version: "12" });
    const right = `$${room.roomId.slice(1)}`;
    expectAllowed(room.check(message(room), { eventId: () => right }));
    expectNotAllowed(room.check(message(room), { eventId: () => "$" + "B".repeat(43) }), "room_id.not_create_event");
  });

  it("auth_events.no_create: the create event must be supplied", () => {
    const room = roomFactory({ version: "12" });
    const ev = message(room);
    expectNotAllowed(checkEventAuthWithRules(ev, room.authFor(ev).filter((e) => e.type !== "m.room.create"), room.rules), "auth_events.no_create");
  });
});

describe("m.federate", () => {
  it.each(ALL_VERSIONS)("v%s: federate.sender_domain", (version) => {
    const room = roomFactory({ version });
    room.set({ ...room.create, content: { ...(room.create.content as object), "m.federate": false } });
    room.set(room.member(BOB, "join"));
    room.set(room.member("@dave:a.example", "join"));
    expectNotAllowed(room.check(message(room, BOB)), "federate.sender_domain");
    expectAllowed(room.check(message(room, "@dave:a.example")));
  });

  it.each(ALL_VERSIONS)("v%s: m.federate true lets other servers in", (version) => {
    const room = roomFactory({ version });
    room.set({ ...room.create, content: { ...(room.create.content as object), "m.federate": true } });
    room.set(room.member(BOB, "join"));
    expectAllowed(room.check(message(room, BOB)));
  });
});

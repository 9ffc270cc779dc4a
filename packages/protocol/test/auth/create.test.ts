import { describe, expect, it } from "vitest";
import { checkEventAuth } from "../../src/auth";
import { ALICE, ALL_VERSIONS, BOB, expectAllowed, expectNotAllowed, roomFactory, versionsWhere } from "../helpers/auth-room";

describe("m.room.create", () => {
  it.each(ALL_VERSIONS)("v%s: a well-formed create event is allowed", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(room.create));
  });

  it.each(ALL_VERSIONS)("v%s: create.has_prev_events", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check({ ...room.create, prev_events: room.event({}).prev_events }), "create.has_prev_events");
  });

  it.each(versionsWhere((r) => !r.eventFormat.roomIdFromCreateEvent))("v%s: create.room_id_domain_mismatch", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check({ ...room.create, sender: BOB }), "create.room_id_domain_mismatch");
    expectNotAllowed(room.check({ ...room.create, room_id: "!nodomain" }), "create.room_id_domain_mismatch");
  });

  it("v12: create.has_room_id", () => {
    const room = roomFactory({ version: "12" });
    expectNotAllowed(room.check({ ...room.create, room_id: "!room:a.example" }), "create.has_room_id");
  });

  it("v12: any sender may create (no server part in the room ID)", () => {
    const room = roomFactory({ version: "12" });
    expectAllowed(room.check({ ...room.create, sender: BOB }));
  });

  it.each(ALL_VERSIONS)("v%s: create.unknown_room_version", (version) => {
    const room = roomFactory({ version });
    const content = room.create.content as Record<string, unknown>;
    expectNotAllowed(room.check({ ...room.create, content: { ...content, room_version: "999" } }), "create.unknown_room_version");
    expectNotAllowed(room.check({ ...room.create, content: { ...content, room_version: 3 } }), "create.unknown_room_version");
    const { room_version: _, ...withoutVersion } = content;
    expectAllowed(room.check({ ...room.create, content: withoutVersion }));
  });

  it.each(versionsWhere((r) => r.authorization.creatorFromContent))("v%s: create.no_creator", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check({ ...room.create, content: { room_version: version } }), "create.no_creator");
  });

  it.each(["11", "12"])("v%s: the creator is the sender, content.creator is not required", (version) => {
    const room = roomFactory({ version });
    expect((room.create.content as Record<string, unknown>).creator).toBeUndefined();
    expectAllowed(room.check(room.create));
  });

  it("v12: create.invalid_additional_creators", () => {
    const room = roomFactory({ version: "12" });
    const withCreators = (additional_creators: unknown) => ({ ...room.create, content: { room_version: "12", additional_creators } });
    expectAllowed(room.check(withCreators([BOB, "@carol:c.example"])));
    expectAllowed(room.check(withCreators([])));
    expectNotAllowed(room.check(withCreators("not-an-array")), "create.invalid_additional_creators");
    expectNotAllowed(room.check(withCreators([BOB, 42])), "create.invalid_additional_creators");
    expectNotAllowed(room.check(withCreators(["not a user"])), "create.invalid_additional_creators");
  });

  it("v11: additional_creators is ignored before v12", () => {
    const room = roomFactory({ version: "11" });
    expectAllowed(room.check({ ...room.create, content: { room_version: "11", additional_creators: "junk" } }));
  });
});

describe("room versions", () => {
  it("room_version.unknown: an unknown room version is not allowed and named", () => {
    const result = checkEventAuth({ type: "m.room.create", sender: ALICE, content: {} }, [], "13");
    expectNotAllowed(result, "room_version.unknown");
    expect(result.allowed ? "" : result.reason).toContain('"13"');
  });

  it("checkEventAuth accepts the version as a string", () => {
    const room = roomFactory({ version: "10" });
    expectAllowed(checkEventAuth(room.create, [], "10"));
  });
});

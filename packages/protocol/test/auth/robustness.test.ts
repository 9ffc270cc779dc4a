import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkEventAuth } from "../../src/auth";
import { computeEventId, computeRoomIdFromCreateEvent } from "../../src/event-id";
import { ALICE, ALL_VERSIONS, expectAllowed, expectNotAllowed, roomFactory } from "../helpers/auth-room";

describe("v12 with real reference hashes", () => {
  it("the room ID derived from the create event passes rule 2 with computeEventId as the hook", () => {
    const template = roomFactory({ version: "12" });
    const create = template.create;
    const roomId = computeRoomIdFromCreateEvent(create);
    const eventId = (ev: object) => computeEventId(ev, "12");
    const join = { ...template.member(ALICE, "join"), room_id: roomId, prev_events: [`$${roomId.slice(1)}`] };
    expectAllowed(checkEventAuth(join, [create], "12", { eventId }));
    const tampered = { ...create, origin_server_ts: 1 };
    expectNotAllowed(checkEventAuth(join, [tampered], "12", { eventId }), "room_id.not_create_event");
  });
});

describe("malformed input never throws", () => {
  const jsonValue = fc.jsonValue({ maxDepth: 3 });
  const eventLike = fc.record(
    {
      type: fc.oneof(fc.constantFrom("m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules", "m.room.message", "m.room.aliases", "m.room.redaction", "m.room.third_party_invite"), jsonValue),
      sender: fc.oneof(fc.constantFrom(ALICE, "@bob:b.example"), jsonValue),
      state_key: fc.oneof(fc.constantFrom("", ALICE, "@bob:b.example"), jsonValue),
      room_id: fc.oneof(fc.constant("!room:a.example"), jsonValue),
      content: fc.oneof(
        fc.record({ membership: fc.oneof(fc.constantFrom("join", "invite", "leave", "ban", "knock"), jsonValue), users: jsonValue, third_party_invite: jsonValue, join_authorised_via_users_server: jsonValue, join_rule: jsonValue }, { requiredKeys: [] }),
        jsonValue,
      ),
      prev_events: jsonValue,
      auth_events: jsonValue,
      redacts: jsonValue,
      signatures: jsonValue,
    },
    { requiredKeys: [] },
  );

  it.each(ALL_VERSIONS)("v%s: arbitrary events and auth events give a verdict", (version) => {
    fc.assert(
      fc.property(eventLike, fc.array(eventLike, { maxLength: 4 }), (ev, auth) => {
        const r = checkEventAuth(ev, auth, version);
        expect(typeof r.allowed).toBe("boolean");
      }),
      { numRuns: 150 },
    );
  });

  it.each(ALL_VERSIONS)("v%s: real room state with mutated events gives a verdict", (version) => {
    const room = roomFactory({ version });
    const auth = [...room.state.values()];
    fc.assert(
      fc.property(eventLike, (ev) => {
        const r = checkEventAuth({ ...room.member(ALICE, "join"), ...ev }, auth.slice(0, 3), version);
        expect(typeof r.allowed).toBe("boolean");
      }),
      { numRuns: 150 },
    );
  });
});

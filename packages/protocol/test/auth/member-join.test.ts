import { describe, it } from "vitest";
import { ALICE, ALL_VERSIONS, BOB, CAROL, expectAllowed, expectNotAllowed, roomFactory, versionsWhere, type Json } from "../helpers/auth-room";

const KNOCKING = versionsWhere((r) => r.authorization.knocking);
const NO_KNOCKING = versionsWhere((r) => !r.authorization.knocking);
const RESTRICTED = versionsWhere((r) => r.authorization.restrictedJoins);
const KNOCK_RESTRICTED = versionsWhere((r) => r.authorization.knockRestricted);

describe("m.room.member: no state_key / membership", () => {
  it.each(ALL_VERSIONS)("v%s: member.no_state_key", (version) => {
    const room = roomFactory({ version });
    const { state_key: _, ...ev } = room.member(BOB, "join");
    expectNotAllowed(room.check(ev), "member.no_state_key");
  });

  it.each(ALL_VERSIONS)("v%s: member.no_membership", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check({ ...room.member(BOB, "join"), content: {} }), "member.no_membership");
  });

  it.each(ALL_VERSIONS)("v%s: member.unknown_membership", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.member(BOB, "wave")), "member.unknown_membership");
  });
});

describe("membership join: the creator's first join", () => {
  function freshRoom(version: string) {
    const room = roomFactory({ version });
    // Only the create event in the state, as right after creation.
    for (const k of [...room.state.keys()]) if (!k.startsWith("m.room.create")) room.state.delete(k);
    return room;
  }

  it.each(["1", "2"])("v%s: prev_events [[create event_id, hashes]] → allowed", (version) => {
    const room = freshRoom(version);
    const join = { ...room.member(ALICE, "join"), prev_events: [["$create:a.example", { sha256: "x" }]] };
    expectAllowed(room.check(join));
    expectNotAllowed(room.check({ ...join, prev_events: [["$other:a.example", { sha256: "x" }]] }), "member.join.not_allowed");
  });

  it("v3: event IDs are hashes; the eventId hook names the create event", () => {
    const room = freshRoom("3");
    const eventId = (ev: object) => ((ev as Json).type === "m.room.create" ? "$CreateHash+/" : "$x");
    expectAllowed(room.check({ ...room.member(ALICE, "join"), prev_events: ["$CreateHash+/"] }, { eventId }));
    expectNotAllowed(room.check({ ...room.member(ALICE, "join"), prev_events: ["$Other"] }, { eventId }), "member.join.not_allowed");
  });

  it.each(versionsWhere((r) => r.eventFormat.eventIdFormat !== "v1" && !r.eventFormat.roomIdFromCreateEvent))(
    "v%s: without a hook, a single prev event with only the create in state is the create",
    (version) => {
      const room = freshRoom(version);
      expectAllowed(room.check({ ...room.member(ALICE, "join"), prev_events: ["$whatever"] }));
      expectNotAllowed(room.check({ ...room.member(ALICE, "join"), prev_events: ["$a", "$b"] }), "member.join.not_allowed");
    },
  );

  it("v12: the create event's ID comes from the room ID", () => {
    const room = freshRoom("12");
    expectAllowed(room.check({ ...room.member(ALICE, "join"), prev_events: [`$${room.roomId.slice(1)}`] }));
    expectNotAllowed(room.check({ ...room.member(ALICE, "join"), prev_events: ["$other"] }), "member.join.not_allowed");
  });

  it.each(["10", "11"])("v%s: the creator is content.creator (v10) or the create sender (v11)", (version) => {
    const room = freshRoom(version);
    // In v10, content.creator decides; in v11 content.creator means nothing.
    room.set({ ...room.create, content: { room_version: version, creator: BOB } });
    const bobJoin = { ...room.member(BOB, "join"), prev_events: ["$c"] };
    const aliceJoin = { ...room.member(ALICE, "join"), prev_events: ["$c"] };
    if (version === "10") {
      expectAllowed(room.check(bobJoin));
      expectNotAllowed(room.check(aliceJoin), "member.join.not_allowed");
    } else {
      expectAllowed(room.check(aliceJoin));
      expectNotAllowed(room.check(bobJoin), "member.join.not_allowed");
    }
  });
});

describe("membership join", () => {
  it.each(ALL_VERSIONS)("v%s: joining a public room is allowed", (version) => {
    const room = roomFactory({ version, preset: "public_chat" });
    expectAllowed(room.check(room.member(BOB, "join")));
  });

  it.each(ALL_VERSIONS)("v%s: member.join.sender_not_target", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.member(BOB, "join", { sender: ALICE })), "member.join.sender_not_target");
  });

  it.each(ALL_VERSIONS)("v%s: member.join.banned", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "ban", { sender: ALICE }));
    expectNotAllowed(room.check(room.member(BOB, "join")), "member.join.banned");
  });

  it.each(ALL_VERSIONS)("v%s: invite rule: invited or joined may join", (version) => {
    const room = roomFactory({ version, preset: "private_chat" });
    room.set(room.member(BOB, "invite", { sender: ALICE }));
    expectAllowed(room.check(room.member(BOB, "join")));
    expectAllowed(room.check(room.member(ALICE, "join", { content: { displayname: "A" } })));
  });

  it.each(ALL_VERSIONS)("v%s: member.join.not_invited", (version) => {
    const room = roomFactory({ version, preset: "private_chat" });
    expectNotAllowed(room.check(room.member(BOB, "join")), "member.join.not_invited");
  });

  it.each(ALL_VERSIONS)("v%s: member.join.not_allowed (private, or no join rules)", (version) => {
    const room = roomFactory({ version });
    room.set(room.event({ type: "m.room.join_rules", state_key: "", sender: ALICE, content: { join_rule: "private" } }));
    expectNotAllowed(room.check(room.member(BOB, "join")), "member.join.not_allowed");
    room.state.delete("m.room.join_rules|");
    expectNotAllowed(room.check(room.member(BOB, "join")), "member.join.not_allowed");
  });

  it.each(KNOCKING)("v%s: knock rule: an invited user may join", (version) => {
    const room = roomFactory({ version, preset: "knock" });
    expectNotAllowed(room.check(room.member(BOB, "join")), "member.join.not_invited");
    room.set(room.member(BOB, "invite", { sender: ALICE }));
    expectAllowed(room.check(room.member(BOB, "join")));
  });

  it.each(NO_KNOCKING)("v%s: knock is no join rule before v7", (version) => {
    const room = roomFactory({ version, preset: "knock" });
    room.set(room.member(BOB, "invite", { sender: ALICE }));
    expectNotAllowed(room.check(room.member(BOB, "join")), "member.join.not_allowed");
  });
});

describe("membership join: restricted rooms (v8+) and knock_restricted (v10+)", () => {
  const restrictedCases = [
    ...RESTRICTED.map((version) => ({ version, preset: "restricted" as const })),
    ...KNOCK_RESTRICTED.map((version) => ({ version, preset: "knock_restricted" as const })),
  ];
  const viaAlice = (room: ReturnType<typeof roomFactory>, via = ALICE): Json => ({
    ...room.member(BOB, "join", { content: { join_authorised_via_users_server: via } }),
    signatures: { [via.split(":")[1] ?? ""]: { "ed25519:1": "sig" }, "b.example": { "ed25519:1": "sig" } },
  });

  it.each(restrictedCases)("v$version $preset: authorised by a joined member who may invite", ({ version, preset }) => {
    const room = roomFactory({ version, preset });
    expectAllowed(room.check(viaAlice(room)));
  });

  it.each(restrictedCases)("v$version $preset: invited or joined users need no authoriser", ({ version, preset }) => {
    const room = roomFactory({ version, preset });
    room.set(room.member(BOB, "invite", { sender: ALICE }));
    expectAllowed(room.check(room.member(BOB, "join")));
  });

  it.each(restrictedCases)("v$version $preset: member.join.authoriser_not_joined", ({ version, preset }) => {
    const room = roomFactory({ version, preset });
    expectNotAllowed(room.check(room.member(BOB, "join")), "member.join.authoriser_not_joined");
    expectNotAllowed(room.check(viaAlice(room, CAROL)), "member.join.authoriser_not_joined");
  });

  it.each(restrictedCases)("v$version $preset: member.join.authoriser_cannot_invite", ({ version, preset }) => {
    const room = roomFactory({ version, preset });
    room.set(room.member(CAROL, "join"));
    room.setPowerLevels({ invite: 50 });
    expectNotAllowed(room.check(viaAlice(room, CAROL)), "member.join.authoriser_cannot_invite");
  });

  it.each(RESTRICTED)("v%s: member.join_authorised_via.unsigned", (version) => {
    const room = roomFactory({ version, preset: "restricted" });
    const ev = viaAlice(room);
    expectNotAllowed(room.check({ ...ev, signatures: { "b.example": { "ed25519:1": "sig" } } }), "member.join_authorised_via.unsigned");
    expectNotAllowed(room.check(ev, { isSignedBy: (_e, server) => server !== "a.example" }), "member.join_authorised_via.unsigned");
    expectNotAllowed(room.check({ ...ev, content: { membership: "join", join_authorised_via_users_server: 7 } }), "member.join_authorised_via.unsigned");
  });

  it.each(versionsWhere((r) => !r.authorization.restrictedJoins))("v%s: restricted is no join rule before v8", (version) => {
    const room = roomFactory({ version, preset: "restricted" });
    expectNotAllowed(room.check(viaAlice(room)), "member.join.not_allowed");
  });

  it.each(["8", "9"])("v%s: knock_restricted is no join rule before v10", (version) => {
    const room = roomFactory({ version, preset: "knock_restricted" });
    expectNotAllowed(room.check(viaAlice(room)), "member.join.not_allowed");
  });
});

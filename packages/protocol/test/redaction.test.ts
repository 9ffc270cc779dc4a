import { describe, expect, it } from "vitest";
import { redactEvent } from "../src/redaction";

const ALL = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];
const range = (from: number, to: number) => ALL.filter((v) => Number(v) >= from && Number(v) <= to);

function base(type: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    type,
    content,
    room_id: "!r:x",
    sender: "@a:x",
    state_key: "",
    depth: 5,
    origin_server_ts: 1,
    prev_events: ["$p"],
    auth_events: ["$a"],
    hashes: { sha256: "h" },
    signatures: { x: { "ed25519:1": "s" } },
    unsigned: { age: 1 },
    ...extra,
  };
}

/** One case per key whose fate differs between room versions. */
const cases: { rule: string; event: object; path: (r: Record<string, unknown>) => unknown; kept: string[] }[] = [
  { rule: "top-level origin kept until v10", event: base("m.room.message", {}, { origin: "x" }), path: (r) => r.origin, kept: range(1, 10) },
  { rule: "top-level membership kept until v10", event: base("m.room.member", {}, { membership: "join" }), path: (r) => r.membership, kept: range(1, 10) },
  { rule: "top-level prev_state kept until v10", event: base("m.room.message", {}, { prev_state: [] }), path: (r) => r.prev_state, kept: range(1, 10) },
  { rule: "m.room.aliases keeps aliases until v5", event: base("m.room.aliases", { aliases: ["#a:x"] }), path: (r) => (r.content as any).aliases, kept: range(1, 5) },
  { rule: "m.room.join_rules keeps allow from v8", event: base("m.room.join_rules", { join_rule: "restricted", allow: [] }), path: (r) => (r.content as any).allow, kept: range(8, 12) },
  { rule: "m.room.member keeps join_authorised_via_users_server from v9", event: base("m.room.member", { membership: "join", join_authorised_via_users_server: "@b:y" }), path: (r) => (r.content as any).join_authorised_via_users_server, kept: range(9, 12) },
  { rule: "m.room.create keeps creator in every version", event: base("m.room.create", { creator: "@a:x" }), path: (r) => (r.content as any).creator, kept: ALL },
  { rule: "m.room.create keeps all other content from v11", event: base("m.room.create", { room_version: "11", "m.federate": false }), path: (r) => (r.content as any).room_version, kept: range(11, 12) },
  { rule: "m.room.power_levels keeps invite from v11", event: base("m.room.power_levels", { invite: 50, ban: 50 }), path: (r) => (r.content as any).invite, kept: range(11, 12) },
  { rule: "m.room.redaction keeps content.redacts from v11", event: base("m.room.redaction", { redacts: "$e" }), path: (r) => (r.content as any).redacts, kept: range(11, 12) },
  { rule: "m.room.member keeps third_party_invite.signed from v11", event: base("m.room.member", { membership: "invite", third_party_invite: { display_name: "d", signed: { token: "t" } } }), path: (r) => (r.content as any).third_party_invite?.signed, kept: range(11, 12) },
];

describe("Redaction rules per room version", () => {
  for (const c of cases) {
    it.each(ALL)(`${c.rule}: v%s`, (version) => {
      const value = c.path(redactEvent(c.event, version));
      if (c.kept.includes(version)) expect(value).toBeDefined();
      else expect(value).toBeUndefined();
    });
  }
});

describe("Redaction rules common to every version", () => {
  it.each(ALL)("keeps the essential keys and strips the rest: v%s", (version) => {
    const ev = base("m.room.message", { body: "hi" }, { event_id: "$e:x", redacts: "$z", extra: 1 });
    const r = redactEvent(ev, version);
    expect(r).toMatchObject({ type: "m.room.message", room_id: "!r:x", sender: "@a:x", state_key: "", depth: 5, event_id: "$e:x" });
    expect(r.content).toEqual({});
    for (const gone of ["unsigned", "redacts", "extra"]) expect(r).not.toHaveProperty(gone);
    expect(r.hashes).toEqual({ sha256: "h" });
    expect(r.signatures).toEqual({ x: { "ed25519:1": "s" } });
  });

  it("v11 third_party_invite keeps only signed", () => {
    const r = redactEvent(base("m.room.member", { membership: "invite", third_party_invite: { display_name: "d", signed: { a: 1 } } }), "11");
    expect(r.content).toEqual({ membership: "invite", third_party_invite: { signed: { a: 1 } } });
  });

  // "third_party_invite is no longer redacted, but will only contain the signed key" (rooms v11):
  // an object stays an object even without `signed`, or the redacted form — and with it the
  // reference hash and the signatures — would differ from other servers'.
  it("v11 third_party_invite without signed stays as an empty object; one that is not an object goes", () => {
    const redactedContent = (tpi: unknown, version: string) => redactEvent(base("m.room.member", { membership: "join", third_party_invite: tpi }), version).content;
    expect(redactedContent({ display_name: "d" }, "11")).toEqual({ membership: "join", third_party_invite: {} });
    expect(redactedContent({ display_name: "d", signed: "s" }, "12")).toEqual({ membership: "join", third_party_invite: { signed: "s" } });
    expect(redactedContent("not an object", "11")).toEqual({ membership: "join" });
    expect(redactedContent(["signed"], "11")).toEqual({ membership: "join" });
    expect(redactedContent(null, "11")).toEqual({ membership: "join" });
    expect(redactedContent({ display_name: "d" }, "10")).toEqual({ membership: "join" });
  });

  it("power levels keep exactly their listed keys", () => {
    const content = { ban: 1, events: {}, events_default: 0, kick: 1, redact: 1, state_default: 1, users: {}, users_default: 0, notifications: { room: 50 }, invite: 0 };
    expect(Object.keys(redactEvent(base("m.room.power_levels", content), "10").content as object).sort()).toEqual(
      ["ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"],
    );
  });

  it("history_visibility is kept in every version", () => {
    for (const v of ALL) expect(redactEvent(base("m.room.history_visibility", { history_visibility: "shared", x: 1 }), v).content).toEqual({ history_visibility: "shared" });
  });

  it("does not modify its input and throws for unknown versions", () => {
    const ev = base("m.room.message", { body: "x" });
    const copy = structuredClone(ev);
    redactEvent(ev, "11");
    expect(ev).toEqual(copy);
    expect(() => redactEvent(ev, "99")).toThrow(/Unsupported room version/);
  });
});

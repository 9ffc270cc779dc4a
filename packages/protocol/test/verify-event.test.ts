import { describe, expect, it } from "vitest";
import { signEvent, addEventSignature } from "../src/sign-event";
import { generateSigningKey } from "../src/signing-key";
import { requiredSignatureServers, verifyEvent, type KeyLookup } from "../src/verify-event";

const alice = generateSigningKey("ed25519:a1");
const bob = generateSigningKey("ed25519:b1");
const keys: KeyLookup = (server, keyId) =>
  server === "a.example" && keyId === "ed25519:a1" ? { key: alice.publicKey }
  : server === "b.example" && keyId === "ed25519:b1" ? { key: bob.publicKey }
  : undefined;

const message = {
  type: "m.room.message",
  room_id: "!r:a.example",
  sender: "@alice:a.example",
  content: { body: "hello" },
  depth: 3,
  origin_server_ts: 1_000,
  prev_events: ["$p"],
  auth_events: ["$a"],
};

describe("Signing events then validating hashes and signatures", () => {
  it.each(["3", "6", "10", "11", "12"])("a signed event verifies as valid: v%s", (v) => {
    expect(verifyEvent(signEvent(message, v, "a.example", alice), v, keys).outcome).toBe("valid");
  });

  it("a tampered essential field fails the signature check: the event is rejected", () => {
    const signed = signEvent(message, "11", "a.example", alice);
    const result = verifyEvent({ ...signed, depth: 4 }, "11", keys);
    expect(result).toMatchObject({ outcome: "rejected", serverName: "a.example" });
  });

  it("tampered content keeps the signature but fails the hash: processed redacted", () => {
    const signed = signEvent(message, "11", "a.example", alice);
    const result = verifyEvent({ ...signed, content: { body: "evil" } }, "11", keys);
    expect(result.outcome).toBe("redacted");
    if (result.outcome === "redacted") expect(result.event.content).toEqual({});
  });

  it("an already-redacted copy still verifies its signature, then redacts", () => {
    const signed = signEvent(message, "11", "a.example", alice);
    expect(verifyEvent({ ...signed, content: {} }, "11", keys).outcome).toBe("redacted");
  });

  it("unsigned changes nothing", () => {
    const signed = signEvent(message, "11", "a.example", alice);
    expect(verifyEvent({ ...signed, unsigned: { age: 5 } }, "11", keys).outcome).toBe("valid");
  });

  it("a signature from an unknown key only is not enough", () => {
    const signed = signEvent(message, "11", "a.example", generateSigningKey("ed25519:other"));
    expect(verifyEvent(signed, "11", keys).outcome).toBe("rejected");
  });

  it("signed by the wrong server: the sender's server must sign", () => {
    expect(verifyEvent(signEvent(message, "11", "b.example", bob), "11", keys).outcome).toBe("rejected");
  });
});

describe("Which servers must sign", () => {
  it("v1/v2: also the event ID's server", () => {
    const ev = { ...message, event_id: "$1:b.example", prev_events: [], auth_events: [] };
    expect(requiredSignatureServers(ev, "1").sort()).toEqual(["a.example", "b.example"]);
    const onlyA = signEvent(ev, "1", "a.example", alice);
    expect(verifyEvent(onlyA, "1", keys).outcome).toBe("rejected");
    expect(verifyEvent(addEventSignature(onlyA, "1", "b.example", bob), "1", keys).outcome).toBe("valid");
  });

  it("restricted joins (v8+): the join_authorised_via_users_server's server too", () => {
    const join = { ...message, type: "m.room.member", state_key: "@alice:a.example", content: { membership: "join", join_authorised_via_users_server: "@bob:b.example" } };
    expect(requiredSignatureServers(join, "7")).toEqual(["a.example"]);
    expect(requiredSignatureServers(join, "9").sort()).toEqual(["a.example", "b.example"]);
    const signed = signEvent(join, "9", "a.example", alice);
    expect(verifyEvent(signed, "9", keys).outcome).toBe("rejected");
    expect(verifyEvent(addEventSignature(signed, "9", "b.example", bob), "9", keys).outcome).toBe("valid");
  });

  it("an invite from a third-party invite need not be signed by the sender's server", () => {
    const invite = { ...message, type: "m.room.member", state_key: "@c:c.example", content: { membership: "invite", third_party_invite: { signed: {} } } };
    expect(requiredSignatureServers(invite, "11")).toEqual([]);
  });
});

describe("Signing key validity period (v5+)", () => {
  const signed = signEvent(message, "5", "a.example", alice);
  const expiring: KeyLookup = (s, k) => (keys(s, k) ? { ...keys(s, k)!, validUntilTs: 999 } : undefined);
  it("v5+: a key valid only until before origin_server_ts does not count", () => {
    expect(verifyEvent(signed, "5", expiring).outcome).toBe("rejected");
  });
  it("v4: valid_until_ts is not enforced", () => {
    expect(verifyEvent(signEvent(message, "4", "a.example", alice), "4", expiring).outcome).toBe("valid");
  });
  it("an old key that expired before the event is ignored", () => {
    const expired: KeyLookup = (s, k) => (keys(s, k) ? { ...keys(s, k)!, expiredTs: 500 } : undefined);
    expect(verifyEvent(signed, "5", expired).outcome).toBe("rejected");
  });
});

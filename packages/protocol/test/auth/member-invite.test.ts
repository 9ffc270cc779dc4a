import { describe, it } from "vitest";
import { encodeBase64 } from "../../src/base64";
import { generateSigningKey } from "../../src/signing-key";
import { signJson } from "../../src/signing";
import { ALICE, ALL_VERSIONS, BOB, CAROL, expectAllowed, expectNotAllowed, roomFactory, type Json } from "../helpers/auth-room";

describe("membership invite", () => {
  it.each(ALL_VERSIONS)("v%s: a joined member at the invite level may invite", (version) => {
    const room = roomFactory({ version });
    expectAllowed(room.check(room.member(BOB, "invite", { sender: ALICE })));
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.sender_not_joined", (version) => {
    const room = roomFactory({ version });
    expectNotAllowed(room.check(room.member(BOB, "invite", { sender: CAROL })), "member.invite.sender_not_joined");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.target_joined", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "join"));
    expectNotAllowed(room.check(room.member(BOB, "invite", { sender: ALICE })), "member.invite.target_joined");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.target_banned", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "ban", { sender: ALICE }));
    expectNotAllowed(room.check(room.member(BOB, "invite", { sender: ALICE })), "member.invite.target_banned");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.insufficient_power", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(CAROL, "join"));
    room.setPowerLevels({ invite: 50 });
    expectNotAllowed(room.check(room.member(BOB, "invite", { sender: CAROL })), "member.invite.insufficient_power");
  });

  it.each(ALL_VERSIONS)("v%s: re-inviting an invited user is allowed", (version) => {
    const room = roomFactory({ version });
    room.set(room.member(BOB, "invite", { sender: ALICE }));
    expectAllowed(room.check(room.member(BOB, "invite", { sender: ALICE })));
  });
});

describe("membership invite with third_party_invite", () => {
  const identityKey = generateSigningKey("ed25519:0");
  const otherKey = generateSigningKey("ed25519:0");
  const TOKEN = "tok123";

  function setup(version: string, keyContent?: Json) {
    const room = roomFactory({ version });
    room.set(
      room.event({
        type: "m.room.third_party_invite",
        state_key: TOKEN,
        sender: ALICE,
        content: keyContent ?? { display_name: "b***", key_validity_url: "https://id.example/v", public_key: encodeBase64(identityKey.publicKey) },
      }),
    );
    const signed = signJson({ mxid: BOB, token: TOKEN, sender: ALICE }, "id.example", identityKey);
    const invite = (tpi: unknown, fields: { sender?: string; target?: string } = {}): Json =>
      room.member(fields.target ?? BOB, "invite", { sender: fields.sender ?? ALICE, content: { third_party_invite: tpi } });
    return { room, signed, invite };
  }

  it.each(ALL_VERSIONS)("v%s: a signature by the invite's public_key is allowed", (version) => {
    const { room, signed, invite } = setup(version);
    expectAllowed(room.check(invite({ display_name: "b***", signed })));
  });

  it.each(ALL_VERSIONS)("v%s: a key from public_keys also counts", (version) => {
    const { room, signed, invite } = setup(version, {
      public_key: encodeBase64(otherKey.publicKey),
      public_keys: [{ public_key: encodeBase64(otherKey.publicKey) }, { public_key: encodeBase64(identityKey.publicKey, { urlSafe: true }) }],
    });
    expectAllowed(room.check(invite({ signed })));
  });

  it.each(ALL_VERSIONS)("v%s: the third-party path skips the invite level and target-joined rules", (version) => {
    const { room, signed, invite } = setup(version);
    room.setPowerLevels({ invite: 100 });
    room.set(room.member(BOB, "join"));
    // Target joined and sender's power are not consulted on the third-party path.
    expectAllowed(room.check(invite({ signed })));
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.third_party.target_banned", (version) => {
    const { room, signed, invite } = setup(version);
    room.set(room.member(BOB, "ban", { sender: ALICE }));
    expectNotAllowed(room.check(invite({ signed })), "member.invite.third_party.target_banned");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.third_party.no_signed", (version) => {
    const { room, invite } = setup(version);
    expectNotAllowed(room.check(invite({ display_name: "b" })), "member.invite.third_party.no_signed");
    expectNotAllowed(room.check(invite("junk")), "member.invite.third_party.no_signed");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.third_party.no_mxid_or_token", (version) => {
    const { room, signed, invite } = setup(version);
    const { token: _, ...noToken } = signed;
    const { mxid: __, ...noMxid } = signed;
    expectNotAllowed(room.check(invite({ signed: noToken })), "member.invite.third_party.no_mxid_or_token");
    expectNotAllowed(room.check(invite({ signed: noMxid })), "member.invite.third_party.no_mxid_or_token");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.third_party.mxid_mismatch", (version) => {
    const { room, signed, invite } = setup(version);
    expectNotAllowed(room.check(invite({ signed }, { target: CAROL })), "member.invite.third_party.mxid_mismatch");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.third_party.no_invite_event", (version) => {
    const { room, invite } = setup(version);
    const signed = signJson({ mxid: BOB, token: "other-token" }, "id.example", identityKey);
    expectNotAllowed(room.check(invite({ signed })), "member.invite.third_party.no_invite_event");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.third_party.sender_mismatch", (version) => {
    const { room, signed, invite } = setup(version);
    room.set(room.member(CAROL, "join"));
    expectNotAllowed(room.check(invite({ signed }, { sender: CAROL })), "member.invite.third_party.sender_mismatch");
  });

  it.each(ALL_VERSIONS)("v%s: member.invite.third_party.bad_signature", (version) => {
    const { room, signed, invite } = setup(version);
    const forged = signJson({ mxid: BOB, token: TOKEN }, "id.example", otherKey);
    expectNotAllowed(room.check(invite({ signed: forged })), "member.invite.third_party.bad_signature");
    expectNotAllowed(room.check(invite({ signed: { ...signed, mxid: BOB, extra: 1 } })), "member.invite.third_party.bad_signature");
    expectNotAllowed(room.check(invite({ signed: { mxid: BOB, token: TOKEN } })), "member.invite.third_party.bad_signature");
  });

  it("the verifier can be injected", () => {
    const { room, invite } = setup("11");
    const unsigned = { mxid: BOB, token: TOKEN };
    expectAllowed(room.check(invite({ signed: unsigned }), { verifyThirdPartySigned: () => true }));
  });
});

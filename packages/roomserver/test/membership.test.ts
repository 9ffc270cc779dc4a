import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutputRoomEvent } from "../src";
import { ALICE, BOB, buildOn, CAROL, readOutputs, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

const membershipOf = async (roomId: string, userId: string) => (await h.client.queryMembership({ body: { roomId, userId } })).body;

describe("invite, join, leave, kick, ban, unban, forget", () => {
  it("invite → new_invite; join retires it (retire_invite); members and rooms follow", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    await expect(h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).rejects.toMatchObject({
      errcode: "M_FORBIDDEN",
      extras: { rule: "member.join.not_invited" },
    });
    const invite = (await h.client.performInvite({ body: { sender: ALICE, roomId, invitee: BOB } })).body;
    expect((await h.client.queryRoomsForUser({ body: { userId: BOB, membership: "invite" } })).body.roomIds).toEqual([roomId]);
    const joined = (await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).body;
    expect(await membershipOf(roomId, BOB)).toMatchObject({ membership: "join", isInRoom: true, eventId: joined.eventId });

    const outputs = await readOutputs(h, "invite-test", (m) => m.some((o) => o.kind === "retire_invite" && o.eventId === invite.eventId));
    expect(outputs.find((o) => o.kind === "new_invite" && o.eventId === invite.eventId)).toMatchObject({ targetUserId: BOB });
    expect(outputs.find((o): o is Extract<OutputRoomEvent, { kind: "retire_invite" }> => o.kind === "retire_invite")).toMatchObject({
      eventId: invite.eventId,
      retiredByEventId: joined.eventId,
      membership: "join",
    });
    const members = (await h.client.queryMembersOfRoom({ body: { roomId, joinedOnly: true } })).body.members;
    expect(members.map((m) => m.state_key).sort()).toEqual([ALICE, BOB].sort());
    // Members at the invite: Bob was only invited then.
    const atInvite = (await h.client.queryMembersOfRoom({ body: { roomId, joinedOnly: true, atEventId: invite.eventId } })).body.members;
    expect(atInvite.map((m) => m.state_key)).toEqual([ALICE]);
  });

  it("kick, ban, unban and leave; forget only after leaving", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    await h.client.performKick({ body: { sender: ALICE, roomId, target: BOB, reason: "out" } });
    expect(await membershipOf(roomId, BOB)).toMatchObject({ membership: "leave", isInRoom: false, hasBeenInRoom: true });
    await expect(h.client.performKick({ body: { sender: ALICE, roomId, target: BOB } })).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await h.client.performBan({ body: { sender: ALICE, roomId, target: BOB } });
    expect((await membershipOf(roomId, BOB)).membership).toBe("ban");
    await h.client.performUnban({ body: { sender: ALICE, roomId, target: BOB } });
    expect((await membershipOf(roomId, BOB)).membership).toBe("leave");
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    await expect(h.client.performForget({ body: { userId: BOB, roomId } })).rejects.toMatchObject({ errcode: "M_UNKNOWN" });
    const again = (await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).body;
    expect(again.eventId).toBe((await membershipOf(roomId, BOB)).eventId); // no second join event
    const left = await h.client.performLeave({ body: { userId: BOB, roomId } });
    expect((await h.client.performLeave({ body: { userId: BOB, roomId } })).body.eventId).toBe(left.body.eventId);
    expect((await h.client.queryRoomsForUser({ body: { userId: BOB, membership: "leave" } })).body.roomIds).toContain(roomId);
    await h.client.performForget({ body: { userId: BOB, roomId } });
    expect((await h.client.queryRoomsForUser({ body: { userId: BOB, membership: "leave" } })).body.roomIds).not.toContain(roomId);
  });

  it("hasBeenInRoom: only after a join, and no longer once the room is forgotten; forget of a room never in is a no-op", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "private_chat" } })).body;
    // Invited, then rejected: never in.
    await h.client.performInvite({ body: { sender: ALICE, roomId, invitee: BOB } });
    await h.client.performLeave({ body: { userId: BOB, roomId } });
    expect(await membershipOf(roomId, BOB)).toMatchObject({ membership: "leave", hasBeenInRoom: false });
    // Banned before ever joining: never in.
    await h.client.performBan({ body: { sender: ALICE, roomId, target: CAROL } });
    expect(await membershipOf(roomId, CAROL)).toMatchObject({ membership: "ban", hasBeenInRoom: false });
    // Joined, then kicked and banned: been in, however many member events since.
    await h.client.performInvite({ body: { sender: ALICE, roomId, invitee: BOB } });
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    await h.client.performKick({ body: { sender: ALICE, roomId, target: BOB } });
    await h.client.performBan({ body: { sender: ALICE, roomId, target: BOB } });
    expect(await membershipOf(roomId, BOB)).toMatchObject({ membership: "ban", hasBeenInRoom: true });
    await h.client.performForget({ body: { userId: BOB, roomId } });
    expect(await membershipOf(roomId, BOB)).toMatchObject({ membership: "ban", hasBeenInRoom: false });
    // Joining again un-forgets.
    await h.client.performUnban({ body: { sender: ALICE, roomId, target: BOB } });
    await h.client.performInvite({ body: { sender: ALICE, roomId, invitee: BOB } });
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    await h.client.performLeave({ body: { userId: BOB, roomId } });
    expect(await membershipOf(roomId, BOB)).toMatchObject({ membership: "leave", hasBeenInRoom: true });

    const { roomId: other } = (await h.client.performCreateRoom({ body: { creator: ALICE } })).body;
    await expect(h.client.performForget({ body: { userId: BOB, roomId: other } })).resolves.toMatchObject({ body: {} });
    await expect(h.client.performForget({ body: { userId: BOB, roomId: "!nowhere:test.local" } })).resolves.toMatchObject({ body: {} });
  });

  it("a member without power cannot kick: M_FORBIDDEN member.leave.insufficient_power", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    await h.client.performJoin({ body: { userId: CAROL, roomIdOrAlias: roomId } });
    await expect(h.client.performKick({ body: { sender: BOB, roomId, target: CAROL } })).rejects.toMatchObject({
      errcode: "M_FORBIDDEN",
      extras: { rule: "member.leave.insufficient_power" },
    });
  });

  it("restricted join: allowed through membership of a local room, authorised by a local admin", async () => {
    const { roomId: space } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const { roomId } = (
      await h.client.performCreateRoom({
        body: {
          creator: ALICE,
          preset: "private_chat",
          initialState: [{ type: "m.room.join_rules", stateKey: "", content: { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: space }] } }],
        },
      })
    ).body;
    await expect(h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: space } });
    const { eventId } = (await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } })).body;
    const [ev] = (await h.client.queryEventsById({ body: { eventIds: [eventId] } })).body.events;
    expect(ev?.content).toEqual({ membership: "join", join_authorised_via_users_server: ALICE });
  });

  it("knock on a knock room, then an invite lets the knocker in; a public room refuses knocks", async () => {
    const { roomId } = (
      await h.client.performCreateRoom({
        body: { creator: ALICE, preset: "private_chat", initialState: [{ type: "m.room.join_rules", stateKey: "", content: { join_rule: "knock" } }] },
      })
    ).body;
    await h.client.performKnock({ body: { userId: CAROL, roomIdOrAlias: roomId, reason: "please" } });
    expect((await membershipOf(roomId, CAROL)).membership).toBe("knock");
    await h.client.performInvite({ body: { sender: ALICE, roomId, invitee: CAROL } });
    await h.client.performJoin({ body: { userId: CAROL, roomIdOrAlias: roomId } });
    expect((await membershipOf(roomId, CAROL)).membership).toBe("join");
    const { roomId: open } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await expect(h.client.performKnock({ body: { userId: CAROL, roomIdOrAlias: open } })).rejects.toMatchObject({
      errcode: "M_FORBIDDEN",
      extras: { rule: "member.knock.join_rule" },
    });
  });

  it("inviting a user of another server is not supported yet", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE } })).body;
    await expect(h.client.performInvite({ body: { sender: ALICE, roomId, invitee: "@x:elsewhere" } })).rejects.toMatchObject({ errcode: "M_UNRECOGNIZED" });
    const before = (await h.client.queryRoomsForUser({ body: { userId: ALICE } })).body.roomIds.length;
    await expect(h.client.performCreateRoom({ body: { creator: ALICE, invite: ["@x:elsewhere"] } })).rejects.toMatchObject({ errcode: "M_UNRECOGNIZED" });
    expect((await h.client.queryRoomsForUser({ body: { userId: ALICE } })).body.roomIds).toHaveLength(before);
  });
});

describe("aliases", () => {
  it("set, list, resolve; only the creator or a user with power removes", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    expect((await h.client.setRoomAlias({ body: { alias: "#a:test.local", roomId, userId: BOB } })).body.aliasExists).toBe(false);
    expect((await h.client.setRoomAlias({ body: { alias: "#a:test.local", roomId, userId: CAROL } })).body.aliasExists).toBe(true);
    await expect(h.client.setRoomAlias({ body: { alias: "#a:elsewhere", roomId, userId: BOB } })).rejects.toMatchObject({ errcode: "M_INVALID_PARAM" });
    expect((await h.client.queryAliasesForRoom({ body: { roomId } })).body.aliases).toEqual(["#a:test.local"]);
    expect((await h.client.removeRoomAlias({ body: { alias: "#a:test.local", userId: CAROL } })).body).toEqual({ found: true, removed: false });
    expect((await h.client.removeRoomAlias({ body: { alias: "#a:test.local", userId: ALICE } })).body).toEqual({ found: true, removed: true });
    expect((await h.client.resolveRoomAlias({ body: { alias: "#a:test.local" } })).body.roomId).toBeUndefined();
    expect((await h.client.performJoin({ body: { userId: CAROL, roomIdOrAlias: roomId } })).body.roomId).toBe(roomId);
  });
});

describe("redaction bookkeeping", () => {
  it("a redaction by the sender is validated and published as redacted_event", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const msg = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "oops" } } })).body;
    const red = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.redaction", content: { redacts: msg.eventId } } })).body;
    expect((await h.client.queryRedactionsOf({ body: { eventId: msg.eventId } })).body.redactions).toEqual([{ redactionEventId: red.eventId, validated: true }]);
    const outputs = await readOutputs(h, "redaction-test", (m) => m.some((o) => o.kind === "redacted_event" && o.redactedEventId === msg.eventId));
    expect(outputs.find((o) => o.kind === "redacted_event")).toMatchObject({ redactedEventId: msg.eventId, redactedBecause: { type: "m.room.redaction" } });
    // Served in its redacted form from now on.
    const [served] = (await h.client.queryEventsById({ body: { eventIds: [msg.eventId] } })).body.events;
    expect(served?.content).toEqual({});
  });

  it("room version 10: the redaction names its target at the top level; another user without power cannot redact", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", roomVersion: "10" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const mine = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "alice's" } } })).body;
    // Bob has no redact power and is not the sender: we do not send it on his behalf.
    await expect(
      h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.redaction", content: {}, redacts: mine.eventId } }),
    ).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    const alices = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.redaction", content: {}, redacts: mine.eventId } })).body;
    const [red] = (await h.client.queryEventsById({ body: { eventIds: [alices.eventId] } })).body.events;
    expect(red?.redacts).toBe(mine.eventId);
    expect((await h.client.queryEventsById({ body: { eventIds: [mine.eventId] } })).body.events[0]?.content).toEqual({});
  });

  const contentOf = async (eventId: string) => (await h.client.queryEventsById({ body: { eventIds: [eventId] } })).body.events[0]?.content;

  it("room version 10: the top-level redacts is the target, whatever content.redacts says (checked and applied)", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", roomVersion: "10" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const bobs = (await h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { body: "bob's" } } })).body;
    const alices = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "alice's" } } })).body;
    // Bob may redact his own event; the content naming Alice's redacts nothing.
    const red = (
      await h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.redaction", content: { redacts: alices.eventId }, redacts: bobs.eventId } })
    ).body;
    expect(await contentOf(bobs.eventId)).toEqual({});
    expect(await contentOf(alices.eventId)).toEqual({ body: "alice's" });
    expect((await h.client.queryRedactionsOf({ body: { eventId: bobs.eventId } })).body.redactions).toEqual([{ redactionEventId: red.eventId, validated: true }]);
    expect((await h.client.queryRedactionsOf({ body: { eventId: alices.eventId } })).body.redactions).toEqual([]);
    // Named only in the content: names nothing in v10.
    await expect(
      h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.redaction", content: { redacts: alices.eventId } } }),
    ).rejects.toMatchObject({ errcode: "M_BAD_JSON" });
    expect(await contentOf(alices.eventId)).toEqual({ body: "alice's" });
  });

  it("room version 11: content.redacts is the target, whatever a top-level redacts says (checked and applied)", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", roomVersion: "11" } })).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const bobs = (await h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.message", content: { body: "bob's" } } })).body;
    const alices = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "alice's" } } })).body;
    // Bob's own event at the top level does not let him redact Alice's named in the content.
    await expect(
      h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.redaction", content: { redacts: alices.eventId }, redacts: bobs.eventId } }),
    ).rejects.toMatchObject({ errcode: "M_FORBIDDEN" });
    expect(await contentOf(alices.eventId)).toEqual({ body: "alice's" });
    const red = (
      await h.client.performSendEvent({ body: { sender: BOB, roomId, type: "m.room.redaction", content: { redacts: bobs.eventId }, redacts: alices.eventId } })
    ).body;
    expect(await contentOf(bobs.eventId)).toEqual({});
    expect(await contentOf(alices.eventId)).toEqual({ body: "alice's" });
    expect((await h.client.queryRedactionsOf({ body: { eventId: bobs.eventId } })).body.redactions).toEqual([{ redactionEventId: red.eventId, validated: true }]);
  });

  it("a redaction that arrives before its target applies when the target arrives", async () => {
    const { roomId } = (await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat" } })).body;
    const latest = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds;
    const target = await buildOn(h, roomId, latest, { sender: ALICE, type: "m.room.message", content: { body: "late" } });
    const redaction = await buildOn(h, roomId, latest, { sender: ALICE, type: "m.room.redaction", content: { redacts: target.eventId } });
    await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: redaction.pdu }] } });
    expect((await h.client.queryRedactionsOf({ body: { eventId: target.eventId } })).body.redactions).toEqual([
      { redactionEventId: redaction.eventId, validated: false },
    ]);
    await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: target.pdu }] } });
    expect((await h.client.queryRedactionsOf({ body: { eventId: target.eventId } })).body.redactions[0]?.validated).toBe(true);
    const outputs = await readOutputs(h, "late-redaction", (m) => m.some((o) => o.kind === "redacted_event" && o.redactedEventId === target.eventId));
    expect(outputs.some((o) => o.kind === "redacted_event" && o.redactedEventId === target.eventId)).toBe(true);
  });
});

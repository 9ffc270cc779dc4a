/**
 * Typing notifications, read receipts and the fully read marker through matrix-js-sdk, in every
 * mode this machine can start (in the polylith: clientapi → eduserver over HTTP, eduserver →
 * syncapi over JetStream). What one user does shows at the other through their sync loop; a
 * private receipt only at its owner; someone else's typing or a room not joined is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { eventually, registerUser, sdk, startSyncing, waitForTimelineEvent, type TestUser } from "../../src/harness/matrix-client";
import { clientApiCall } from "../../src/harness/raw-client";

describe.each(availableModes())("typing and receipts through matrix-js-sdk (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let roomId = "";
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    [alice, bob] = await Promise.all([registerUser(hs.baseUrl, `alice${tag}`), registerUser(hs.baseUrl, `bob${tag}`)]);
    await Promise.all([alice, bob].map(startSyncing));
    roomId = (await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, invite: [bob.userId] })).room_id;
    await eventually(() => bob.client.getRoom(roomId)?.getMyMembership() === "invite", "bob's invite");
    await bob.client.joinRoom(roomId);
    await eventually(() => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join", "bob joined, as alice sees it");
  }, 180_000);

  afterAll(async () => {
    for (const u of [alice, bob]) u?.client.stopClient();
    await hs?.stop();
  });

  it("bob sees alice start and stop typing", async () => {
    await alice.client.sendTyping(roomId, true, 30_000);
    await eventually(() => bob.client.getRoom(roomId)?.getMember(alice.userId)?.typing === true, "alice typing, at bob");
    await alice.client.sendTyping(roomId, false, 0);
    await eventually(() => bob.client.getRoom(roomId)?.getMember(alice.userId)?.typing === false, "alice stopped, at bob");
  });

  it("a read receipt reaches the sender; a private one stays with its owner", async () => {
    const { event_id } = await bob.client.sendTextMessage(roomId, "did you read this?");
    const ev = await waitForTimelineEvent(alice, roomId, (e) => e.getId() === event_id, 5_000);
    await alice.client.sendReadReceipt(ev);
    await eventually(() => bob.client.getRoom(roomId)?.getReadReceiptForUserId(alice.userId, true)?.eventId === event_id, "alice's receipt, at bob");

    const { event_id: second } = await alice.client.sendTextMessage(roomId, "quietly read");
    const mine = await waitForTimelineEvent(bob, roomId, (e) => e.getId() === second, 5_000);
    await bob.client.sendReadReceipt(mine, sdk.ReceiptType.ReadPrivate);
    await eventually(
      () => bob.client.getRoom(roomId)?.getReadReceiptForUserId(bob.userId, true, sdk.ReceiptType.ReadPrivate)?.eventId === second,
      "bob's private receipt, at bob",
    );
    // A later public receipt of alice's is the proof that alice's sync went past bob's private one.
    const { event_id: third } = await bob.client.sendTextMessage(roomId, "one more");
    const thirdEv = await waitForTimelineEvent(alice, roomId, (e) => e.getId() === third, 5_000);
    await alice.client.sendReadReceipt(thirdEv);
    await eventually(() => bob.client.getRoom(roomId)?.getReadReceiptForUserId(alice.userId, true)?.eventId === third, "alice's second receipt");
    expect(alice.client.getRoom(roomId)?.getReadReceiptForUserId(bob.userId, true, sdk.ReceiptType.ReadPrivate)).toBeNull();
  });

  it("the read marker lands in the room's m.fully_read account data", async () => {
    const { event_id } = await bob.client.sendTextMessage(roomId, "mark me");
    const ev = await waitForTimelineEvent(alice, roomId, (e) => e.getId() === event_id, 5_000);
    await alice.client.setRoomReadMarkers(roomId, event_id, ev);
    await eventually(() => alice.client.getRoom(roomId)?.getAccountData("m.fully_read")?.getContent().event_id === event_id, "m.fully_read at alice");
  });

  it("typing for someone else, or in a room one is not in, is 403", async () => {
    const path = (user: string) => `/rooms/${encodeURIComponent(roomId)}/typing/${encodeURIComponent(user)}`;
    const other = await clientApiCall(hs.baseUrl, "PUT", path(bob.userId), { typing: true, timeout: 1000 }, alice.accessToken);
    expect([other.status, other.json.errcode]).toEqual([403, "M_FORBIDDEN"]);
    const outsider = await registerUser(hs.baseUrl, `carol${tag}`);
    const notIn = await clientApiCall(hs.baseUrl, "PUT", path(outsider.userId), { typing: true, timeout: 1000 }, outsider.accessToken);
    expect([notIn.status, notIn.json.errcode]).toEqual([403, "M_FORBIDDEN"]);
    const bad = await clientApiCall(hs.baseUrl, "POST", `/rooms/${encodeURIComponent(roomId)}/receipt/m.unread/$x`, {}, alice.accessToken);
    expect([bad.status, bad.json.errcode]).toEqual([400, "M_INVALID_PARAM"]);
  });
});

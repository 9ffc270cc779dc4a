/**
 * Unread notification counts and GET /notifications through matrix-js-sdk, in every mode this
 * machine can start (in the polylith: roomserver → userapi over JetStream, userapi asking the
 * roomserver over HTTP, userapi → syncapi over JetStream). Bob's messages raise Alice's counts
 * as her client shows them; a mention highlights; her read receipt or her own message resets
 * them; /notifications lists them with actions and `read`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { eventually, registerUser, sdk, startSyncing, waitForTimelineEvent, type TestUser } from "../../src/harness/matrix-client";
import { clientApiCall } from "../../src/harness/raw-client";

describe.each(availableModes())("unread notifications through matrix-js-sdk (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let roomId = "";
  const tag = Math.random().toString(36).slice(2, 8);
  const counts = () => {
    const room = alice.client.getRoom(roomId);
    return {
      total: room?.getUnreadNotificationCount(sdk.NotificationCountType.Total) ?? 0,
      highlight: room?.getUnreadNotificationCount(sdk.NotificationCountType.Highlight) ?? 0,
    };
  };
  const countsAre = (total: number, highlight: number) => () => {
    const c = counts();
    return c.total === total && c.highlight === highlight;
  };

  beforeAll(async () => {
    hs = await startHomeserver(mode, { env: { DENDRITE_USERAPI__NOTIFICATIONS__ENABLED: "true" } });
    [alice, bob, carol] = (await Promise.all(["alice", "bob", "carol"].map((u) => registerUser(hs.baseUrl, `${u}${tag}`)))) as [TestUser, TestUser, TestUser];
    await Promise.all([alice, bob].map(startSyncing));
    // Three members: the group-chat rules (no 1:1 sound), as most rooms.
    roomId = (await alice.client.createRoom({ preset: sdk.Preset.PublicChat })).room_id;
    await bob.client.joinRoom(roomId);
    await carol.client.joinRoom(roomId);
    await eventually(() => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === "join", "bob joined, as alice sees it");
  }, 180_000);

  afterAll(async () => {
    for (const u of [alice, bob]) u?.client.stopClient();
    await hs?.stop();
  });

  it("bob's messages raise alice's counts; a mention highlights", async () => {
    await bob.client.sendTextMessage(roomId, "hello alice");
    await eventually(countsAre(1, 0), "alice 1 unread");
    await bob.client.sendMessage(roomId, { msgtype: "m.text", body: "alice, look", "m.mentions": { user_ids: [alice.userId] } } as never);
    await eventually(countsAre(2, 1), "alice 2 unread, 1 highlight");
    expect(bob.client.getRoom(roomId)?.getUnreadNotificationCount(sdk.NotificationCountType.Total) ?? 0).toBe(0);
  });

  it("GET /notifications lists them newest first with actions, unread", async () => {
    const res = await clientApiCall(hs.baseUrl, "GET", "/notifications", undefined, alice.accessToken);
    expect(res.status).toBe(200);
    const list = res.json.notifications as Array<{ actions: unknown[]; event: { content: { body: string } }; read: boolean; room_id: string }>;
    expect(list.map((n) => n.event.content.body)).toEqual(["alice, look", "hello alice"]);
    expect(list.every((n) => n.room_id === roomId && n.read === false && n.actions.includes("notify"))).toBe(true);
    expect(list[0]!.actions).toContainEqual({ set_tweak: "highlight" });
    const only = await clientApiCall(hs.baseUrl, "GET", "/notifications?only=highlight", undefined, alice.accessToken);
    expect(only.json.notifications).toHaveLength(1);
  });

  it("alice's read receipt resets them, and /notifications says read", async () => {
    const { event_id } = await bob.client.sendTextMessage(roomId, "third");
    await eventually(countsAre(3, 1), "alice 3 unread");
    const ev = await waitForTimelineEvent(alice, roomId, (e) => e.getId() === event_id, 10_000);
    await alice.client.sendReadReceipt(ev);
    await eventually(countsAre(0, 0), "alice read everything");
    const res = await clientApiCall(hs.baseUrl, "GET", "/notifications", undefined, alice.accessToken);
    expect((res.json.notifications as Array<{ read: boolean }>).map((n) => n.read)).toEqual([true, true, true]);
  });

  it("her own message resets them too", async () => {
    await bob.client.sendTextMessage(roomId, "fourth");
    await eventually(countsAre(1, 0), "alice 1 unread");
    await alice.client.sendTextMessage(roomId, "I am here");
    await eventually(countsAre(0, 0), "alice's own message read everything");
  });
});

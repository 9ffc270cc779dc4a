// Invite permission (v1.18): while a user's m.invite_permission_config blocks invites, /sync
// serves none of the invites they hold; once unblocked, an initial sync shows them again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, startHarness, sync, type Harness, type User } from "./harness";

describe("/sync with invites blocked", () => {
  let h: Harness;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(() => h.close());

  const setBlocking = async (content: Record<string, unknown>) => {
    await h.userapi.setAccountData({ body: { userId: bob.userId, type: "m.invite_permission_config", content } });
    await h.waitForAccountData(bob.userId, "m.invite_permission_config", (c) => JSON.stringify(c) === JSON.stringify(content));
  };

  it("hides held invites while blocked, in initial and incremental syncs, and shows them again after", async () => {
    const held = await createRoom(h, alice, { preset: "private_chat" });
    const { body: inv } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId: held, invitee: bob.userId } });
    await h.waitForInvite(inv.eventId);
    expect((await sync(h, bob)).rooms.invite[held]).toBeDefined();

    await setBlocking({ default_action: "block" });
    const blocked = await sync(h, bob);
    expect(blocked.rooms.invite).toEqual({});
    expect(blocked.account_data.events.find((e: any) => e.type === "m.invite_permission_config")?.content).toEqual({ default_action: "block" });
    // One that reached the database anyway (over federation, say): not served either.
    const later = await createRoom(h, alice, { preset: "private_chat" });
    const { body: inv2 } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId: later, invitee: bob.userId } });
    await h.waitForInvite(inv2.eventId);
    expect((await sync(h, bob, { since: blocked.next_batch })).rooms.invite).toEqual({});

    // Without default_action: invites are served again.
    await setBlocking({});
    expect(Object.keys((await sync(h, bob)).rooms.invite).sort()).toEqual([held, later].sort());
  });
});

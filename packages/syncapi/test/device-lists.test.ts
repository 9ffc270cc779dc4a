// device_lists in /sync and GET /keys/changes (end_to_end_encryption.md, "Tracking the device
// list for a user"): a user whose keys change (keyserver's OutputKeyChangeEvent) is `changed`
// for everyone sharing a room with them — waking their long-polls — and for themselves, never
// for strangers; someone who joins a shared room is `changed`; someone who leaves the last
// shared room is `left`; the same between two tokens from /keys/changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, startHarness, sync, type Harness, type User } from "./harness";

const keysOf = (u: User) => ({
  user_id: u.userId,
  device_id: u.deviceId,
  algorithms: ["m.olm.v1.curve25519-aes-sha2"],
  keys: { [`ed25519:${u.deviceId}`]: `key-${Math.random()}` },
  signatures: {},
});

describe.each(["local", "http"] as const)("device lists (%s)", (transport) => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  beforeAll(async () => {
    h = await startHarness(transport);
    [alice, bob, carol] = [await h.user("alice"), await h.user("bob"), await h.user("carol")];
    roomId = await createRoom(h, alice, { preset: "public_chat" });
    await h.waitForEvents(await join(h, bob, roomId));
  });
  afterAll(async () => {
    await h?.close();
  });

  const upload = (u: User) => h.keyserver.performUploadKeys({ body: { userId: u.userId, deviceId: u.deviceId, deviceKeys: keysOf(u) } });
  /** Syncs from `since` until the answer passes `check` (the streams are asynchronous). */
  async function syncUntil(u: User, since: string, check: (res: any) => boolean): Promise<any> {
    let last: any;
    for (let i = 0; i < 100; i++) {
      last = await sync(h, u, { since, timeout: 100 });
      if (check(last)) return last;
    }
    throw new Error(`never came: ${JSON.stringify(last?.device_lists)}`);
  }

  it("a shared-room member's new keys are changed for the others and for themselves, not for strangers; a long-poll wakes", async () => {
    const [a0, b0, c0] = [await sync(h, alice), await sync(h, bob), await sync(h, carol)];
    expect(a0.device_lists).toEqual({ changed: [], left: [] });
    // Alice waits; bob's upload wakes her well before the timeout.
    const started = Date.now();
    const waiting = sync(h, alice, { since: a0.next_batch, timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 100));
    await upload(bob);
    const a1 = await waiting;
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(a1.device_lists).toEqual({ changed: [bob.userId], left: [] });
    expect((await syncUntil(bob, b0.next_batch, (r) => r.device_lists.changed.length > 0)).device_lists.changed).toEqual([bob.userId]);
    // Carol shares no room with bob.
    const c1 = await sync(h, carol, { since: c0.next_batch });
    expect(c1.device_lists).toEqual({ changed: [], left: [] });
    // The next token is past the change: nothing more.
    expect((await sync(h, alice, { since: a1.next_batch })).device_lists).toEqual({ changed: [], left: [] });
    // /keys/changes between the two tokens says the same.
    const changes = await h.get(alice, "/_matrix/client/v3/keys/changes", { from: a0.next_batch, to: a1.next_batch });
    expect(changes).toEqual({ status: 200, body: { changed: [bob.userId], left: [] } });
    const none = await h.get(alice, "/_matrix/client/v3/keys/changes", { from: a1.next_batch, to: a1.next_batch });
    expect(none.body).toEqual({ changed: [], left: [] });
  });

  it("a user joining a shared room is changed; leaving the last shared one is left", async () => {
    const a0 = await sync(h, alice);
    const c0 = await sync(h, carol);
    await h.waitForEvents(await join(h, carol, roomId));
    const a1 = await syncUntil(alice, a0.next_batch, (r) => r.device_lists.changed.includes(carol.userId));
    expect(a1.device_lists).toEqual({ changed: [carol.userId], left: [] });
    // Carol joined a room: everyone in it is news to her (not herself).
    const c1 = await syncUntil(carol, c0.next_batch, (r) => r.device_lists.changed.length > 0);
    expect(c1.device_lists).toEqual({ changed: [alice.userId, bob.userId].sort(), left: [] });

    await h.roomserver.performLeave({ body: { userId: carol.userId, roomId } });
    const a2 = await syncUntil(alice, a1.next_batch, (r) => r.device_lists.left.length > 0);
    expect(a2.device_lists).toEqual({ changed: [], left: [carol.userId] });
    const c2 = await syncUntil(carol, c1.next_batch, (r) => r.device_lists.left.length > 0);
    expect(c2.device_lists).toEqual({ changed: [], left: [alice.userId, bob.userId].sort() });
    const changes = await h.get(alice, "/_matrix/client/v3/keys/changes", { from: a0.next_batch, to: a2.next_batch });
    // Joined and left within the window: shared no room at either end, so neither.
    expect(changes.body).toEqual({ changed: [], left: [] });
    const sinceJoin = await h.get(alice, "/_matrix/client/v3/keys/changes", { from: a1.next_batch, to: a2.next_batch });
    expect(sinceJoin.body).toEqual({ changed: [], left: [carol.userId] });
  });

  it("/keys/changes needs both tokens, well formed", async () => {
    const a0 = await sync(h, alice);
    const missing = await h.get(alice, "/_matrix/client/v3/keys/changes", { from: a0.next_batch });
    expect([missing.status, missing.body.errcode]).toEqual([400, "M_MISSING_PARAM"]);
    const bad = await h.get(alice, "/_matrix/client/v3/keys/changes", { from: "nonsense", to: a0.next_batch });
    expect([bad.status, bad.body.errcode]).toEqual([400, "M_INVALID_PARAM"]);
    expect((await h.get(undefined, "/_matrix/client/v3/keys/changes", { from: a0.next_batch, to: a0.next_batch })).status).toBe(401);
  });
});

// A locked account (spec "Account locking") gets 401 M_USER_LOCKED with soft_logout on /sync and
// the other syncapi routes, through the token resolution every component shares; unlocking
// makes the same token sync again. Over both transports: the error and its soft_logout must
// survive the trip from a remote userapi.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, startHarness, sync, type Harness, type User } from "./harness";

describe.each(["local", "http"] as const)("locked account on syncapi (%s)", (transport) => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let roomId: string;
  beforeAll(async () => {
    h = await startHarness(transport);
    alice = await h.user("alice");
    bob = await h.user("bob");
    roomId = await createRoom(h, alice);
  });
  afterAll(() => h.close());

  const lock = (locked: boolean) => h.userapi.setAccountModeration({ body: { userId: alice.userId, locked } });

  it("/sync, /messages and filters answer 401 M_USER_LOCKED with soft_logout; unlocking restores the token", async () => {
    const first = await sync(h, alice);
    await lock(true);
    const r = encodeURIComponent(roomId);
    for (const [path, query] of [
      ["/_matrix/client/v3/sync", { timeout: 0 }],
      ["/_matrix/client/v3/sync", { since: first.next_batch, timeout: 0 }],
      [`/_matrix/client/v3/rooms/${r}/messages`, { dir: "b" }],
      [`/_matrix/client/v3/rooms/${r}/members`, {}],
    ] as const) {
      const res = await h.get(alice, path, query);
      expect({ status: res.status, errcode: res.body?.errcode, soft_logout: res.body?.soft_logout }, path).toEqual({ status: 401, errcode: "M_USER_LOCKED", soft_logout: true });
    }
    const filter = await h.post(alice, `/_matrix/client/v3/user/${encodeURIComponent(alice.userId)}/filter`, {});
    expect({ status: filter.status, errcode: filter.body?.errcode }).toEqual({ status: 401, errcode: "M_USER_LOCKED" });
    // Someone else syncs on.
    await sync(h, bob);

    await lock(false);
    const again = await sync(h, alice, { since: first.next_batch, timeout: 0 });
    // The same token works again: an answer from it, with a token at or past it.
    expect(again.next_batch).toMatch(/^s\d+_/);
    expect(Number(again.next_batch.slice(1).split("_")[0])).toBeGreaterThanOrEqual(Number(first.next_batch.slice(1).split("_")[0]));
  });
});

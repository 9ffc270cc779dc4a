// The end-to-end encryption extensions of /sync (sync.yaml): device_one_time_keys_count and
// device_unused_fallback_key_types for the syncing device, in every answer — initial,
// incremental, and a long-poll that timed out — as its keys are uploaded and claimed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, sync, type Harness, type User } from "./harness";

describe.each(["local", "http"] as const)("one-time and fallback key counts in /sync (%s)", (transport) => {
  let h: Harness;
  let alice: User;
  let phone: User;
  beforeAll(async () => {
    h = await startHarness(transport);
    alice = await h.user("alice");
    phone = await h.device(alice, "PHONE");
  });
  afterAll(async () => {
    await h?.close();
  });

  it("a device without keys sees signed_curve25519 at 0 and no fallback types", async () => {
    const res = await sync(h, alice);
    expect(res.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    expect(res.device_unused_fallback_key_types).toEqual([]);
  });

  it("counts the syncing device's own keys, follow claims, and the fallback key until it is used", async () => {
    await h.keyserver.performUploadKeys({
      body: {
        userId: alice.userId,
        deviceId: alice.deviceId,
        oneTimeKeys: { "signed_curve25519:A": { key: "a", signatures: {} }, "signed_curve25519:B": { key: "b", signatures: {} }, "curve25519:C": "c" },
        fallbackKeys: { "signed_curve25519:F": { key: "f", fallback: true, signatures: {} } },
      },
    });
    const first = await sync(h, alice);
    expect(first.device_one_time_keys_count).toEqual({ signed_curve25519: 2, curve25519: 1 });
    expect(first.device_unused_fallback_key_types).toEqual(["signed_curve25519"]);
    // Another device of the same user has none.
    expect((await sync(h, phone)).device_one_time_keys_count).toEqual({ signed_curve25519: 0 });

    const claim = () => h.keyserver.performClaimKeys({ body: { oneTimeKeys: { [alice.userId]: { [alice.deviceId]: "signed_curve25519" } } } });
    await claim();
    // An incremental long-poll with nothing new still reports the counts when it times out.
    const later = await sync(h, alice, { since: first.next_batch, timeout: 50 });
    expect(later.device_one_time_keys_count).toEqual({ signed_curve25519: 1, curve25519: 1 });
    await claim();
    await claim();
    const used = await sync(h, alice, { since: later.next_batch });
    expect(used.device_one_time_keys_count).toEqual({ signed_curve25519: 0, curve25519: 1 });
    expect(used.device_unused_fallback_key_types).toEqual([]);
  });
});

// Device list, get, rename, last seen.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectMatrixError, ok, registerAlice, startUserapi, TRANSPORTS, type Harness } from "./harness";

describe.each(TRANSPORTS)("devices (%s)", (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startUserapi(transport);
  });
  afterEach(async () => h.close());

  it("lists, renames and records last seen", async () => {
    const alice = await registerAlice(h.client);
    const { userId, deviceId } = alice;
    expect(await ok(h.client.queryDevice({ body: { userId, deviceId } }))).toMatchObject({ userId, deviceId, displayName: "phone" });
    await ok(h.client.updateDevice({ body: { userId, deviceId, displayName: "old phone" } }));
    h.clock.now = 1_700_000_000_000;
    await ok(h.client.markDeviceSeen({ body: { userId, deviceId, ip: "10.0.0.1", userAgent: "Element" } }));
    const { devices } = await ok(h.client.queryDevices({ body: { userId } }));
    expect(devices).toEqual([
      { userId, deviceId, displayName: "old phone", lastSeenTs: 1_700_000_000_000, lastSeenIp: "10.0.0.1", lastSeenUserAgent: "Element" },
    ]);
  });

  it("unknown devices are M_NOT_FOUND; another user's device is not reachable", async () => {
    const alice = await registerAlice(h.client);
    const bob = await registerAlice(h.client, "bob");
    await expectMatrixError(h.client.queryDevice({ body: { userId: alice.userId, deviceId: "NOPE" } }), "M_NOT_FOUND", 404);
    await expectMatrixError(h.client.queryDevice({ body: { userId: alice.userId, deviceId: bob.deviceId } }), "M_NOT_FOUND");
    await expectMatrixError(h.client.updateDevice({ body: { userId: alice.userId, deviceId: "NOPE", displayName: "x" } }), "M_NOT_FOUND");
    const out = await ok(h.client.deleteDevices({ body: { userId: alice.userId, deviceIds: [bob.deviceId] } }));
    expect(out.deletedDeviceIds).toEqual([]);
    await ok(h.client.queryAccessToken({ body: { accessToken: bob.accessToken } }));
  });

  it("a user ID of another server is refused, not looked up", async () => {
    await expectMatrixError(h.client.queryDevices({ body: { userId: "@alice:elsewhere" } }), "M_INVALID_PARAM");
  });
});

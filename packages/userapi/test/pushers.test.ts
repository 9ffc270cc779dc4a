// Pushers over the contract: set, replace, append, delete, validation, and their lifetime tied
// to the device that set them (logout, device deletion, password change, deactivation).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectMatrixError, ok, registerAlice, startUserapi, TRANSPORTS, type Harness } from "./harness";

const URL_OK = "https://push.example.org/_matrix/push/v1/notify";
const pusher = (pushkey: string, extra: Record<string, unknown> = {}) => ({
  appId: "org.example.app.android",
  pushkey,
  kind: "http",
  appDisplayName: "Example",
  deviceDisplayName: "Phone",
  lang: "en",
  data: { url: URL_OK, format: "event_id_only", custom: { a: 1 } },
  ...extra,
});

describe.each(TRANSPORTS)("pushers (%s)", (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startUserapi(transport);
  });
  afterEach(async () => h.close());

  const list = async (userId: string) => (await ok(h.client.queryPushers({ body: { userId } }))).pushers;

  it("sets, replaces (same app_id + pushkey), lists and deletes; deleting an unknown pusher succeeds", async () => {
    const a = await registerAlice(h.client);
    const set = (p: ReturnType<typeof pusher>) => ok(h.client.setPusher({ body: { userId: a.userId, deviceId: a.deviceId, pusher: p } }));
    await set(pusher("k1"));
    await set(pusher("k2", { profileTag: "tag" }));
    await set(pusher("k1", { lang: "de", appDisplayName: "Renamed" }));
    expect(await list(a.userId)).toEqual([
      { ...pusher("k1"), lang: "de", appDisplayName: "Renamed" },
      { ...pusher("k2"), profileTag: "tag" },
    ]);
    await ok(h.client.deletePusher({ body: { userId: a.userId, appId: "org.example.app.android", pushkey: "k1" } }));
    await ok(h.client.deletePusher({ body: { userId: a.userId, appId: "org.example.app.android", pushkey: "nope" } }));
    expect((await list(a.userId)).map((p) => p.pushkey)).toEqual(["k2"]);
  });

  it("append false takes the app_id + pushkey from other users; append true shares it", async () => {
    const a = await registerAlice(h.client);
    const b = await registerAlice(h.client, "bob");
    const c = await registerAlice(h.client, "carol");
    await ok(h.client.setPusher({ body: { userId: a.userId, deviceId: a.deviceId, pusher: pusher("shared") } }));
    await ok(h.client.setPusher({ body: { userId: b.userId, deviceId: b.deviceId, pusher: pusher("shared"), append: true } }));
    expect(await list(a.userId)).toHaveLength(1);
    expect(await list(b.userId)).toHaveLength(1);
    await ok(h.client.setPusher({ body: { userId: c.userId, deviceId: c.deviceId, pusher: pusher("shared") } }));
    expect(await list(a.userId)).toEqual([]);
    expect(await list(b.userId)).toEqual([]);
    expect(await list(c.userId)).toHaveLength(1);
  });

  it("refuses what the spec does not allow, storing nothing", async () => {
    const a = await registerAlice(h.client);
    const bad = async (p: ReturnType<typeof pusher>, errcode: string) =>
      expectMatrixError(h.client.setPusher({ body: { userId: a.userId, deviceId: a.deviceId, pusher: p } }), errcode, 400);
    await bad(pusher("k", { data: {} }), "M_MISSING_PARAM");
    await bad(pusher("k", { data: { url: 5 } }), "M_INVALID_PARAM");
    await bad(pusher("k", { data: { url: "http://push.example.org/_matrix/push/v1/notify" } }), "M_INVALID_PARAM");
    await bad(pusher("k", { data: { url: "https://push.example.org/notify" } }), "M_INVALID_PARAM");
    await bad(pusher("k", { data: { url: "not a url" } }), "M_INVALID_PARAM");
    await bad(pusher("k", { data: { url: URL_OK, format: "full" } }), "M_INVALID_PARAM");
    await bad(pusher("k", { kind: "carrier-pigeon" }), "M_INVALID_PARAM");
    await bad(pusher("a@example.org", { kind: "email", appId: "m.email" }), "M_THREEPID_NOT_FOUND");
    await bad(pusher("x".repeat(513)), "M_INVALID_PARAM");
    await bad(pusher(""), "M_INVALID_PARAM");
    await bad(pusher("k", { appId: "a".repeat(65) }), "M_INVALID_PARAM");
    expect(await list(a.userId)).toEqual([]);
    // The limits themselves are allowed: 512 bytes of pushkey, 64 characters of app_id.
    await ok(h.client.setPusher({ body: { userId: a.userId, deviceId: a.deviceId, pusher: pusher("é".repeat(256), { appId: "é".repeat(64) }) } }));
  });

  it("a device's pushers go with it: logout, device deletion, password change, deactivation", async () => {
    const a = await registerAlice(h.client);
    const second = await ok(h.client.createSession({ body: { userId: a.userId, displayName: "tablet" } }));
    const third = await ok(h.client.createSession({ body: { userId: a.userId, displayName: "laptop" } }));
    const on = (deviceId: string, key: string) => ok(h.client.setPusher({ body: { userId: a.userId, deviceId, pusher: pusher(key) } }));
    await on(a.deviceId, "first");
    await on(second.deviceId, "second");
    await on(third.deviceId, "third");

    await ok(h.client.logout({ body: { accessToken: second.accessToken } }));
    expect((await list(a.userId)).map((p) => p.pushkey)).toEqual(["first", "third"]);

    await ok(h.client.deleteDevices({ body: { userId: a.userId, deviceIds: [third.deviceId] } }));
    expect((await list(a.userId)).map((p) => p.pushkey)).toEqual(["first"]);

    // Setting a pusher again from another device moves it to that device.
    const fourth = await ok(h.client.createSession({ body: { userId: a.userId, displayName: "new phone" } }));
    await on(fourth.deviceId, "first");
    await ok(h.client.changePassword({ body: { userId: a.userId, newPassword: "another-pw", exceptDeviceId: a.deviceId } }));
    expect(await list(a.userId)).toEqual([]);

    await on(a.deviceId, "again");
    await ok(h.client.deactivateAccount({ body: { userId: a.userId } }));
    expect(await list(a.userId)).toEqual([]);
  });

  it("a pusher for a device that is gone is M_UNKNOWN_TOKEN, not a 500", async () => {
    const a = await registerAlice(h.client);
    await expectMatrixError(
      h.client.setPusher({ body: { userId: a.userId, deviceId: "GONE", pusher: pusher("k") } }),
      "M_UNKNOWN_TOKEN",
      401,
    );
  });
});

/**
 * Registering for push the way a mobile client does after login, with matrix-js-sdk's
 * setPusher / getPushers / removePusher, in each mode this machine can start: set, replace,
 * delete with kind null (both the SDK's short body and Element's whole pusher with kind null), a
 * bad URL refused, and a logged-out device's pusher gone. No notification reaches a push
 * gateway yet. (getPushers adds `org.matrix.msc3881.enabled: true` itself, so pushers are
 * compared with toMatchObject.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { loginUser, registerUser, type TestUser } from "../../src/harness/matrix-client";

const pusher = (pushkey: string) => ({
  kind: "http",
  app_id: "io.element.android",
  pushkey,
  app_display_name: "Element",
  device_display_name: "Pixel",
  lang: "en",
  data: { url: "https://push.example.org/_matrix/push/v1/notify", format: "event_id_only" },
});

describe.each(availableModes())("pushers (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    alice = await registerUser(hs.baseUrl, `alice${tag}`);
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  it("setPusher / getPushers / removePusher: set, replace, delete with kind null", async () => {
    expect(await alice.client.getPushers()).toEqual({ pushers: [] });
    await alice.client.setPusher(pusher("key-1"));
    await alice.client.setPusher({ ...pusher("key-1"), lang: "de" });
    await alice.client.setPusher(pusher("key-2"));
    const { pushers } = await alice.client.getPushers();
    expect(pushers).toHaveLength(2);
    expect(pushers).toMatchObject([{ ...pusher("key-1"), lang: "de" }, pusher("key-2")]);
    await alice.client.removePusher("key-1", "io.element.android");
    await alice.client.setPusher({ ...pusher("key-2"), kind: null as unknown as string });
    expect(await alice.client.getPushers()).toEqual({ pushers: [] });
  });

  it("an http URL is refused with 400 M_INVALID_PARAM and stores nothing", async () => {
    const bad = { ...pusher("key-2"), data: { url: "http://push.example.org/_matrix/push/v1/notify" } };
    await expect(alice.client.setPusher(bad)).rejects.toMatchObject({ httpStatus: 400, errcode: "M_INVALID_PARAM" });
    expect(await alice.client.getPushers()).toEqual({ pushers: [] });
  });

  it("logging out the device that set a pusher removes it", async () => {
    const phone = await loginUser(hs.baseUrl, `alice${tag}`, alice.password);
    await phone.client.setPusher(pusher("phone-key"));
    await alice.client.setPusher(pusher("laptop-key"));
    expect((await alice.client.getPushers()).pushers.map((p) => p.pushkey)).toEqual(["laptop-key", "phone-key"]);
    await phone.client.logout();
    expect((await alice.client.getPushers()).pushers.map((p) => p.pushkey)).toEqual(["laptop-key"]);
  });
});

// Profiles: displayname and avatar_url, and the v1.16 extended fields (m.tz, custom keys).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectMatrixError, ok, registerAlice, SERVER, startUserapi, TRANSPORTS, type Harness } from "./harness";

describe.each(TRANSPORTS)("profiles (%s)", (transport) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startUserapi(transport);
  });
  afterEach(async () => h.close());

  it("set and get displayname and avatar_url; each setter returns the whole profile", async () => {
    const { userId } = await registerAlice(h.client);
    expect(await ok(h.client.queryProfile({ body: { userId } }))).toEqual({ displayname: "alice", avatar_url: null });
    expect(await ok(h.client.setProfileField({ body: { userId, key: "displayname", value: "Alice A." } }))).toEqual({ displayname: "Alice A.", avatar_url: null, changed: true });
    expect(await ok(h.client.setProfileField({ body: { userId, key: "avatar_url", value: "mxc://test.local/pic" } }))).toEqual({
      displayname: "Alice A.",
      avatar_url: "mxc://test.local/pic",
      changed: true,
    });
    await ok(h.client.deleteProfileField({ body: { userId, key: "displayname" } }));
    expect(await ok(h.client.queryProfile({ body: { userId } }))).toEqual({ displayname: null, avatar_url: "mxc://test.local/pic" });
  });

  it("an unknown local user is M_NOT_FOUND; over-long names are M_INVALID_PARAM", async () => {
    await expectMatrixError(h.client.queryProfile({ body: { userId: `@nobody:${SERVER}` } }), "M_NOT_FOUND", 404);
    await expectMatrixError(h.client.setProfileField({ body: { userId: `@nobody:${SERVER}`, key: "displayname", value: "x" } }), "M_NOT_FOUND");
    const { userId } = await registerAlice(h.client);
    await expectMatrixError(h.client.setProfileField({ body: { userId, key: "displayname", value: "x".repeat(257) } }), "M_INVALID_PARAM");
  });

  it("extended fields: set, read one or all, delete; custom keys take any JSON, null included", async () => {
    const { userId } = await registerAlice(h.client);
    const set = (key: string, value: unknown) => ok(h.client.setProfileField({ body: { userId, key, value } }));
    expect(await set("m.tz", "Europe/London")).toEqual({ displayname: "alice", avatar_url: null, changed: true });
    await set("com.example.pets", { cats: 2, names: ["a", "b"] });
    await set("org.example.nothing", null);
    expect(await ok(h.client.queryProfileFields({ body: { userId } }))).toEqual({
      fields: { displayname: "alice", "m.tz": "Europe/London", "com.example.pets": { cats: 2, names: ["a", "b"] }, "org.example.nothing": null },
    });
    expect(await ok(h.client.queryProfileField({ body: { userId, key: "com.example.pets" } }))).toEqual({ value: { cats: 2, names: ["a", "b"] } });
    expect(await ok(h.client.queryProfileField({ body: { userId, key: "org.example.nothing" } }))).toEqual({ value: null });
    // The same value again (keys in another order) changes nothing.
    expect((await set("com.example.pets", { names: ["a", "b"], cats: 2 })).changed).toBe(false);
    expect((await set("displayname", "alice")).changed).toBe(false);
    expect((await ok(h.client.deleteProfileField({ body: { userId, key: "m.tz" } }))).changed).toBe(true);
    expect((await ok(h.client.deleteProfileField({ body: { userId, key: "m.tz" } }))).changed).toBe(false);
    await expectMatrixError(h.client.queryProfileField({ body: { userId, key: "m.tz" } }), "M_NOT_FOUND", 404);
    expect(await ok(h.client.deleteProfileField({ body: { userId, key: "displayname" } }))).toEqual({ displayname: null, avatar_url: null, changed: true });
    expect(Object.keys((await ok(h.client.queryProfileFields({ body: { userId } }))).fields).sort()).toEqual(["com.example.pets", "org.example.nothing"]);
  });

  it("refuses bad keys and values, and a profile over 64 KiB, changing nothing", async () => {
    const { userId } = await registerAlice(h.client);
    const set = (key: string, value: unknown) => h.client.setProfileField({ body: { userId, key, value } });
    await expectMatrixError(set("displayname", null), "M_INVALID_PARAM", 400);
    await expectMatrixError(set("avatar_url", 5), "M_INVALID_PARAM", 400);
    await expectMatrixError(set("m.tz", { zone: "UTC" }), "M_INVALID_PARAM", 400);
    await expectMatrixError(set("displayname", undefined), "M_MISSING_PARAM", 400);
    await expectMatrixError(set("nodot", 1), "M_INVALID_PARAM", 400);
    await expectMatrixError(set("Com.Example", 1), "M_INVALID_PARAM", 400);
    await expectMatrixError(set(`com.${"a".repeat(252)}`, 1), "M_KEY_TOO_LARGE", 400);
    await expectMatrixError(h.client.queryProfileField({ body: { userId, key: "x" } }), "M_INVALID_PARAM", 400);
    await ok(h.client.setProfileField({ body: { userId, key: "com.example.big", value: "x".repeat(40_000) } }));
    await expectMatrixError(set("com.example.more", "y".repeat(30_000)), "M_PROFILE_TOO_LARGE", 400);
    // Replacing the big field with a smaller one fits.
    await ok(h.client.setProfileField({ body: { userId, key: "com.example.big", value: "small" } }));
    expect(await ok(h.client.queryProfileFields({ body: { userId } }))).toEqual({ fields: { displayname: "alice", "com.example.big": "small" } });
  });

  it("deactivation clears the extended fields too", async () => {
    const { userId } = await registerAlice(h.client);
    await ok(h.client.setProfileField({ body: { userId, key: "m.tz", value: "UTC" } }));
    await ok(h.client.deactivateAccount({ body: { userId } }));
    expect(await ok(h.client.queryProfileFields({ body: { userId } }))).toEqual({ fields: {} });
    await expectMatrixError(h.client.setProfileField({ body: { userId, key: "m.tz", value: "UTC" } }), "M_USER_DEACTIVATED", 403);
  });
});

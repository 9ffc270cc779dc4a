// Profiles: get and set displayname and avatar_url.
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
    expect(await ok(h.client.setDisplayName({ body: { userId, displayname: "Alice A." } }))).toEqual({ displayname: "Alice A.", avatar_url: null });
    expect(await ok(h.client.setAvatarUrl({ body: { userId, avatarUrl: "mxc://test.local/pic" } }))).toEqual({
      displayname: "Alice A.",
      avatar_url: "mxc://test.local/pic",
    });
    await ok(h.client.setDisplayName({ body: { userId, displayname: null } }));
    expect(await ok(h.client.queryProfile({ body: { userId } }))).toEqual({ displayname: null, avatar_url: "mxc://test.local/pic" });
  });

  it("an unknown local user is M_NOT_FOUND; over-long names are M_INVALID_PARAM", async () => {
    await expectMatrixError(h.client.queryProfile({ body: { userId: `@nobody:${SERVER}` } }), "M_NOT_FOUND", 404);
    await expectMatrixError(h.client.setDisplayName({ body: { userId: `@nobody:${SERVER}`, displayname: "x" } }), "M_NOT_FOUND");
    const { userId } = await registerAlice(h.client);
    await expectMatrixError(h.client.setDisplayName({ body: { userId, displayname: "x".repeat(257) } }), "M_INVALID_PARAM");
  });
});

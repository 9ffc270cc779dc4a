// Shared-secret registration as Synapse's /_synapse/admin/v1/register does it.
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { sharedSecretMac } from "../src/index";
import { expectMatrixError, ok, SERVER, startUserapi, TRANSPORTS, type Harness } from "./harness";

const SECRET = "s3cret";

/** Written from Synapse's documentation, independently of our implementation. */
function synapseMac(nonce: string, user: string, password: string, admin: boolean, userType?: string): string {
  const mac = createHmac("sha1", SECRET);
  mac.update(nonce).update("\x00").update(user).update("\x00").update(password).update("\x00").update(admin ? "admin" : "notadmin");
  if (userType) mac.update("\x00").update(userType);
  return mac.digest("hex");
}

describe.each(TRANSPORTS)("shared-secret registration (%s)", (transport) => {
  let h: Harness;
  afterEach(async () => h.close());

  const nonce = async () => (await ok(h.client.sharedSecretNonce({ body: {} }))).nonce;

  it("a correct MAC registers an admin and logs it in", async () => {
    h = await startUserapi(transport, { sharedSecret: SECRET });
    const n = await nonce();
    const res = await ok(
      h.client.sharedSecretRegister({
        body: { nonce: n, username: "root", password: "pw", admin: true, displayname: "Root", mac: synapseMac(n, "root", "pw", true) },
      }),
    );
    expect(res).toMatchObject({ user_id: `@root:${SERVER}`, home_server: SERVER });
    const who = await ok(h.client.queryAccessToken({ body: { accessToken: res.access_token } }));
    expect(who).toMatchObject({ userId: `@root:${SERVER}`, deviceId: res.device_id, isAdmin: true });
    expect((await ok(h.client.queryProfile({ body: { userId: res.user_id } }))).displayname).toBe("Root");
  });

  it("user_type is part of the MAC and stored", async () => {
    h = await startUserapi(transport, { sharedSecret: SECRET });
    const n = await nonce();
    const mac = synapseMac(n, "helper", "pw", false, "bot");
    expect(sharedSecretMac(SECRET, { nonce: n, username: "helper", password: "pw", admin: false, user_type: "bot" })).toBe(mac);
    const res = await ok(h.client.sharedSecretRegister({ body: { nonce: n, username: "helper", password: "pw", user_type: "bot", mac } }));
    expect((await ok(h.client.queryAccount({ body: { userId: res.user_id } }))).userType).toBe("bot");
  });

  it("a wrong MAC is M_FORBIDDEN and burns the nonce", async () => {
    h = await startUserapi(transport, { sharedSecret: SECRET });
    const n = await nonce();
    // MAC computed for notadmin but the request asks for admin.
    const mac = synapseMac(n, "root", "pw", false);
    await expectMatrixError(h.client.sharedSecretRegister({ body: { nonce: n, username: "root", password: "pw", admin: true, mac } }), "M_FORBIDDEN", 403);
    await expectMatrixError(
      h.client.sharedSecretRegister({ body: { nonce: n, username: "root", password: "pw", admin: false, mac } }),
      "M_UNKNOWN",
    );
    await expectMatrixError(h.client.queryAccount({ body: { userId: `@root:${SERVER}` } }), "M_NOT_FOUND");
  });

  it("a nonce is single-use and expires", async () => {
    h = await startUserapi(transport, { sharedSecret: SECRET });
    const n = await nonce();
    await ok(h.client.sharedSecretRegister({ body: { nonce: n, username: "a", password: "pw", mac: synapseMac(n, "a", "pw", false) } }));
    await expectMatrixError(
      h.client.sharedSecretRegister({ body: { nonce: n, username: "b", password: "pw", mac: synapseMac(n, "b", "pw", false) } }),
      "M_UNKNOWN",
      400,
    );
    const late = await nonce();
    h.clock.now += 61_000;
    await expectMatrixError(
      h.client.sharedSecretRegister({ body: { nonce: late, username: "c", password: "pw", mac: synapseMac(late, "c", "pw", false) } }),
      "M_UNKNOWN",
    );
  });

  it("without a configured secret both calls are refused", async () => {
    h = await startUserapi(transport, {});
    await expectMatrixError(h.client.sharedSecretNonce({ body: {} }), "M_FORBIDDEN");
    await expectMatrixError(h.client.sharedSecretRegister({ body: { nonce: "n", username: "a", password: "pw", mac: "00" } }), "M_FORBIDDEN");
  });
});

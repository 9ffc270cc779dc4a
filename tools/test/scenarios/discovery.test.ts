/**
 * Discovery documents as clients and other servers fetch them, in each mode this machine can
 * start: /.well-known/matrix/client and /support from the config (and 404 when unset), and
 * /.well-known/matrix/server's delegation. (Unset, each is 404: clientapi's and serverkeyapi's tests.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";

const support = { contacts: [{ role: "m.role.admin", matrix_id: "@admin:example.org", email_address: "admin@example.org" }], support_page: "https://example.org/help" };

describe.each(availableModes())("discovery (%s)", (mode) => {
  let hs: Homeserver;

  beforeAll(async () => {
    hs = await startHomeserver(mode, {
      env: {
        DENDRITE_GLOBAL__WELL_KNOWN__CLIENT_NAME: "https://matrix.example.org",
        DENDRITE_GLOBAL__WELL_KNOWN__SERVER_NAME: "matrix.example.org:443",
        DENDRITE_GLOBAL__WELL_KNOWN__SUPPORT: JSON.stringify(support),
      },
    });
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`${hs.baseUrl}${path}`);
    return { status: res.status, json: await res.json(), cors: res.headers.get("access-control-allow-origin") };
  };

  it("serves the configured client base URL, contacts and delegation, with CORS for browsers", async () => {
    expect(await get("/.well-known/matrix/client")).toEqual({ status: 200, json: { "m.homeserver": { base_url: "https://matrix.example.org" } }, cors: "*" });
    expect(await get("/.well-known/matrix/support")).toEqual({ status: 200, json: support, cors: "*" });
    expect((await get("/.well-known/matrix/server")).json).toEqual({ "m.server": "matrix.example.org:443" });
  });
});

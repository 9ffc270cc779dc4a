// /.well-known/matrix/client and /support as a client fetches them: the configured documents,
// no token needed, CORS for browsers; 404 M_NOT_FOUND when the config publishes none.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./harness";
import { clientapiConfigFrom } from "../src/from-config";

const get = async (s: TestServer, path: string) => {
  const res = await s.server.inject({ method: "GET", url: path });
  return { status: res.statusCode, body: res.json(), cors: res.headers["access-control-allow-origin"] };
};

describe("client discovery", () => {
  let configured: TestServer;
  let bare: TestServer;
  beforeAll(async () => {
    const { wellKnown } = clientapiConfigFrom({
      global: {
        default_room_version: "12",
        well_known: { client_name: "https://matrix.example.org", support: { contacts: [{ role: "m.role.security", email_address: "sec@example.org", matrix_id: undefined }], support_page: undefined } },
      },
      clientapi: { rate_limiting: { enabled: false, threshold: 1, cooloff: 1 } },
    });
    configured = await startServer({ config: { wellKnown: wellKnown! } });
    bare = await startServer();
  });
  afterAll(async () => {
    await configured.close();
    await bare.close();
  });

  it("serves the configured documents without a token", async () => {
    expect(await get(configured, "/.well-known/matrix/client")).toEqual({ status: 200, body: { "m.homeserver": { base_url: "https://matrix.example.org" } }, cors: "*" });
    const support = await get(configured, "/.well-known/matrix/support");
    // Keys left unset in the config are left out, not served as null.
    expect(support).toMatchObject({ status: 200, body: { contacts: [{ role: "m.role.security", email_address: "sec@example.org" }] } });
    expect(support.body).toEqual({ contacts: [{ role: "m.role.security", email_address: "sec@example.org" }] });
  });

  it("is 404 M_NOT_FOUND when the config publishes none", async () => {
    for (const doc of ["client", "support"]) {
      expect(await get(bare, `/.well-known/matrix/${doc}`)).toMatchObject({ status: 404, body: { errcode: "M_NOT_FOUND" } });
    }
  });
});

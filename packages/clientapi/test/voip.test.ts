// GET /voip/turnServer as a calling client asks: time-limited credentials from a shared secret
// (coturn's TURN REST API), fixed ones, or {} when no TURN servers are configured.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientapiConfigFrom } from "../src/from-config";
import { call, expectError, register, startServer, type TestServer } from "./harness";

const NOW = 1_700_000_000_000;
const sections = (turn: Record<string, unknown> | undefined) =>
  clientapiConfigFrom({
    global: { default_room_version: "12", well_known: {} },
    clientapi: { rate_limiting: { enabled: false, threshold: 1, cooloff: 1 }, ...(turn ? { turn: { uris: [], user_lifetime: 86_400_000, ...turn } } : {}) },
  });

describe("TURN credentials", () => {
  const servers: TestServer[] = [];
  const start = async (turn?: Record<string, unknown>) => {
    const s = await startServer({ config: sections(turn), now: () => NOW });
    servers.push(s);
    return { s, user: await register(s, "caller") };
  };
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  it("shared secret: <expiry>:<user ID> and its HMAC-SHA1, for user_lifetime", async () => {
    const uris = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"];
    const { s, user } = await start({ uris, shared_secret: "s3cret", user_lifetime: 3_600_000 });
    const res = await call(s, "GET", "/voip/turnServer", undefined, user.token);
    const username = `${NOW / 1000 + 3600}:${user.userId}`;
    expect(res).toMatchObject({ status: 200, body: { username, password: createHmac("sha1", "s3cret").update(username).digest("base64"), uris, ttl: 3600 } });
    expectError(await call(s, "GET", "/voip/turnServer"), 401, "M_MISSING_TOKEN");
  });

  it("fixed credentials as configured; {} without TURN servers", async () => {
    const fixed = await start({ uris: ["turn:t.example.org"], username: "u", password: "p" });
    expect((await call(fixed.s, "GET", "/voip/turnServer", undefined, fixed.user.token)).body).toEqual({ username: "u", password: "p", uris: ["turn:t.example.org"], ttl: 86_400 });
    const none = await start();
    expect(await call(none.s, "GET", "/voip/turnServer", undefined, none.user.token)).toMatchObject({ status: 200, body: {} });
  });
});

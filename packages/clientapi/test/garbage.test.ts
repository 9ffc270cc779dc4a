// No client mistake is a 500: every route, fed junk bodies and junk path parameters, answers
// with a 4xx Matrix error (or succeeds where the junk happens to be acceptable).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, register, startServer, type TestServer, type User } from "./harness";

const BODIES: unknown[] = [[], "text", 7, { auth: 5 }, { user_id: {} }, { a: { b: [null, true, -0] } }, { room_id: "!" }, { devices: [1] }, { x: 1e400 }, { body: "a\u0000b" }, { "k\u0000": 1 }, { body: "a\ud800b" }, { "k\udc00": 1 }];
const JUNK_PARAMS = ["x", "%00", "!", "@", "#", "$", "a".repeat(2000), "%F0%9F%92%A9", "..%2F..%2F"];

function routes(u: User, room: string): Array<["GET" | "POST" | "PUT" | "DELETE", (p: string) => string]> {
  const me = enc(u.userId);
  const r = enc(room);
  return [
    ["POST", () => "/login"],
    ["POST", () => "/register"],
    ["GET", (p) => `/register/available?username=${p}`],
    ["POST", () => "/_synapse/admin/v1/register"],
    ["POST", () => "/account/password"],
    ["GET", (p) => `/devices/${p}`],
    ["PUT", (p) => `/devices/${p}`],
    ["DELETE", (p) => `/devices/${p}`],
    ["POST", () => "/delete_devices"],
    ["POST", () => "/createRoom"],
    ["POST", (p) => `/join/${p}`],
    ["POST", (p) => `/rooms/${p}/join`],
    ["POST", (p) => `/rooms/${p}/leave`],
    ["POST", () => `/rooms/${r}/invite`],
    ["POST", () => `/rooms/${r}/kick`],
    ["POST", () => `/rooms/${r}/ban`],
    ["POST", () => `/rooms/${r}/unban`],
    ["POST", (p) => `/rooms/${p}/forget`],
    ["PUT", (p) => `/rooms/${r}/send/${p}/${p}`],
    ["PUT", (p) => `/rooms/${p}/send/m.room.message/t`],
    ["GET", (p) => `/rooms/${r}/state/${p}/${p}`],
    ["PUT", (p) => `/rooms/${r}/state/${p}/${p}`],
    ["GET", (p) => `/rooms/${p}/state`],
    ["GET", (p) => `/rooms/${p}/joined_members`],
    ["PUT", (p) => `/rooms/${r}/redact/${p}/${p}`],
    ["GET", (p) => `/directory/room/${p}`],
    ["PUT", (p) => `/directory/room/${p}`],
    ["DELETE", (p) => `/directory/room/${p}`],
    ["GET", (p) => `/rooms/${p}/aliases`],
    ["GET", (p) => `/profile/${p}`],
    ["PUT", (p) => `/profile/${p}/displayname`],
    ["PUT", () => `/profile/${me}/avatar_url`],
    ["GET", (p) => `/profile/${me}/${p}`],
    ["PUT", (p) => `/profile/${me}/${p}`],
    ["DELETE", (p) => `/profile/${me}/${p}`],
    ["GET", (p) => `/user/${me}/account_data/${p}`],
    ["PUT", (p) => `/user/${p}/account_data/${p}`],
    ["PUT", (p) => `/user/${me}/rooms/${p}/account_data/x.y`],
    ["PUT", (p) => `/user/${me}/rooms/${r}/tags/${p}`],
    ["DELETE", (p) => `/user/${me}/rooms/${p}/tags/${p}`],
    ["GET", () => "/account/3pid"],
    ...["", "/add", "/bind", "/delete", "/unbind", "/email/requestToken", "/msisdn/requestToken"].map(
      (tail) => ["POST", () => `/account/3pid${tail}`] as ["POST", (p: string) => string],
    ),
    ...["/register", "/account/password"].flatMap((purpose) =>
      ["email", "msisdn"].map((m) => ["POST", () => `${purpose}/${m}/requestToken`] as ["POST", (p: string) => string]),
    ),
  ];
}

describe("junk input never answers 500", () => {
  let s: TestServer;
  let u: User;
  let room: string;
  beforeAll(async () => {
    s = await startServer();
    u = await register(s, "fuzzer");
    room = (await call(s, "POST", "/createRoom", { preset: "public_chat" }, u.token)).body.room_id;
  });
  afterAll(() => s.close());

  it("junk bodies and junk path parameters on every route", async () => {
    const failures: string[] = [];
    for (const [method, path] of routes(u, room)) {
      for (const p of JUNK_PARAMS) {
        const bodies = method === "GET" || method === "DELETE" ? [undefined] : BODIES;
        for (const body of bodies) {
          const res = await s.server.inject({
            method,
            url: `/_matrix/client/v3${path(p)}`.replace("/_matrix/client/v3/_synapse", "/_synapse"),
            headers: { authorization: `Bearer ${u.token}`, "content-type": "application/json" },
            ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
          });
          if (res.statusCode >= 500 || (res.statusCode >= 400 && !res.json().errcode && res.statusCode !== 401)) {
            failures.push(`${method} ${path(p).slice(0, 80)} ${JSON.stringify(body)} → ${res.statusCode} ${res.body.slice(0, 120)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

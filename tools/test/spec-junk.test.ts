// Every operation of the client-server API, as the spec lists them (spec-data/), fed junk: path
// parameters that are empty, NUL, too long or not IDs; query parameters of the wrong type;
// bodies of the wrong shape, each property given every wrong type, and text that is not JSON.
// Whatever the route (implemented or not), the answer is never a 5xx, and every 4xx is a Matrix
// error — a JSON object with an errcode — or a user-interactive-auth 401 listing its flows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpecOperation } from "../scripts/spec-operations";
import { startHomeserver, type Homeserver } from "../src/harness/homeserver";
import { httpText, RawClient } from "../src/harness/raw-client";

const operations = JSON.parse(readFileSync(join(import.meta.dirname, "..", "spec-data", "client-server-operations.json"), "utf8")) as SpecOperation[];

/** Operations whose success would end the session the rest of the run needs. */
const SKIP = new Set(["POST /_matrix/client/v3/logout", "POST /_matrix/client/v3/logout/all", "POST /_matrix/client/v3/account/deactivate", "POST /_matrix/client/v3/account/password"]);

const JUNK_PATH = ["", "%00", "%20", "..", "%2F", "%25", "!notaroom", "@bad", "$bad", "%F0%9F%92%A9", "a".repeat(300), "99999999999999999999"];
const JUNK_QUERY = ["", "x", "-1", "1.5", "99999999999999999999", "true", "%00", "[]", "{", "a".repeat(3000)];
const JUNK_VALUES: unknown[] = [null, 1, -1, 1.5, 2 ** 60, "x", "", true, [], {}, ["x"], [1], { a: 1 }, "\u0000", "a".repeat(70_000), "\ud800x"];
const RAW_BODIES = ["{", "[1,", '"x', '{"a":1}garbage', '{"a":"\\ud800"}', '{"a": 1e400}', '{"a": -0}', '{"a": 1.0}', `${'{"a":'.repeat(500)}1${"}".repeat(500)}`];

function send(base: string, method: string, path: string, token: string, body: string | undefined): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return httpText(`${base}${path}`, method, headers, body);
}

/** A body with each property at a plausible value of its type. */
function plausible(body: Record<string, string>): Record<string, unknown> {
  const values: Record<string, unknown> = { string: "x", integer: 1, number: 1, boolean: true, array: [], object: {} };
  return Object.fromEntries(Object.entries(body).map(([k, t]) => [k, values[t] ?? "x"]));
}

function junkBodies(body: Record<string, string> | null): string[] {
  const shapes: unknown[] = [[], "str", 1, true, {}, { unexpected: { deep: [1, 2, { x: null }] } }];
  if (body) {
    const base = plausible(body);
    shapes.push(base);
    for (const k of Object.keys(body)) for (const v of JUNK_VALUES) shapes.push({ ...base, [k]: v });
  }
  return [...shapes.map((s) => JSON.stringify(s)), ...RAW_BODIES];
}

/** Not a server error, and an error is a Matrix error (or a UIA challenge). */
function problem(status: number, text: string): string | undefined {
  if (status >= 500) return `${status}`;
  if (status < 400) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `${status} without a JSON body`;
  }
  const o = json as { errcode?: unknown; flows?: unknown };
  if (typeof o.errcode === "string" && o.errcode.startsWith("M_")) return undefined;
  if (status === 401 && Array.isArray(o.flows)) return undefined;
  return `${status} without an errcode`;
}

describe("junk input on every client-server operation of the spec", () => {
  let hs: Homeserver;
  let alice: RawClient;
  let good: Record<string, string>;
  beforeAll(async () => {
    hs = await startHomeserver("monolith");
    alice = await RawClient.register(hs.baseUrl, "junkalice");
    const bob = await RawClient.register(hs.baseUrl, "junkbob");
    const roomId = await alice.createRoom({ preset: "public_chat", room_alias_name: "junk" });
    await bob.join(roomId);
    const eventId = await alice.send(roomId, "hello");
    const server = alice.userId.split(":").slice(1).join(":");
    const devices = await alice.request<{ devices: Array<{ device_id: string }> }>("GET", "/devices");
    good = {
      roomId, roomIdOrAlias: roomId, userId: alice.userId, eventId, txnId: "t1", eventType: "m.room.message", stateKey: "",
      type: "org.example.junk", tag: "u.junk", deviceId: devices.devices[0]!.device_id, roomAlias: `#junk:${server}`,
      filterId: "1", kind: "override", ruleId: "u.junk", serverName: server, relType: "m.reference", version: "1",
    };
  }, 120_000);
  afterAll(async () => {
    await hs?.stop();
  });

  it("the operations list is the spec's", () => {
    expect(operations).toHaveLength(166);
    expect(operations).toContainEqual(expect.objectContaining({ method: "PUT", path: "/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}" }));
  });

  it("never answers 5xx, and every error is a Matrix error", async () => {
    const found: string[] = [];
    let requests = 0;
    const check = async (method: string, path: string, body: string | undefined, what: string) => {
      const res = await send(hs.baseUrl, method, path, alice.accessToken, body);
      requests++;
      const p = problem(res.status, res.text);
      if (p) found.push(`${p}: ${method} ${path.slice(0, 120)} (${what.slice(0, 80)}): ${res.text.slice(0, 160)}`);
    };
    for (const op of operations) {
      if (SKIP.has(`${op.method} ${op.path}`)) continue;
      const build = (junk?: { name: string; value: string }) =>
        op.pathParams.reduce((p, name) => p.replace(`{${name}}`, junk?.name === name ? junk.value : encodeURIComponent(good[name] ?? "x")), op.path);
      const emptyBody = op.method === "PUT" || op.method === "POST" ? "{}" : undefined;
      for (const name of op.pathParams) for (const value of JUNK_PATH) await check(op.method, build({ name, value }), emptyBody, `path ${name}=${value}`);
      for (const name of op.queryParams) for (const value of JUNK_QUERY) await check(op.method, `${build()}?${name}=${value}`, emptyBody, `query ${name}=${value}`);
      if (op.method === "PUT" || op.method === "POST") for (const body of junkBodies(op.body)) await check(op.method, build(), body, `body ${body}`);
    }
    expect(requests).toBeGreaterThan(3000);
    expect(found).toEqual([]);
    // And the server is still serving.
    expect((await alice.request<{ user_id: string }>("GET", "/account/whoami")).user_id).toBe(alice.userId);
  }, 600_000);
});

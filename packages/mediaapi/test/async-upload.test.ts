/**
 * Asynchronous upload (Matrix 1.7): POST /_matrix/media/v1/create, then
 * PUT /_matrix/media/v3/upload/{serverName}/{mediaId}, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_PENDING_UPLOADS, UNUSED_MEDIA_ID_LIFETIME_MS } from "../src";
import { request, SERVER, startHarness, type Harness, type User } from "./harness";

function expectError(res: { status: number; json: any }, status: number, errcode: string): void {
  expect({ status: res.status, errcode: res.json?.errcode }, JSON.stringify(res.json)).toEqual({ status, errcode });
}

describe("mediaapi asynchronous upload", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let clock = 1_700_000_000_000;
  beforeAll(async () => {
    h = await startHarness({ now: () => clock });
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(async () => {
    await h?.close();
  });

  async function create(user: User): Promise<string> {
    const res = await request(h, "POST", "/_matrix/media/v1/create", { token: user.token });
    expect(res.status, res.bytes.toString()).toBe(200);
    expect(res.json.unused_expires_at).toBe(clock + UNUSED_MEDIA_ID_LIFETIME_MS);
    const uri = res.json.content_uri as string;
    expect(uri).toMatch(new RegExp(`^mxc://${SERVER}/[A-Za-z0-9_-]+$`));
    return uri.slice(`mxc://${SERVER}/`.length);
  }
  const put = (user: User, id: string, body = "x", server = SERVER) =>
    request(h, "PUT", `/_matrix/media/v3/upload/${server}/${id}?filename=later.txt`, { token: user.token, body, headers: { "content-type": "text/plain" } });
  const get = (id: string, query = "") => request(h, "GET", `/_matrix/client/v1/media/download/${SERVER}/${id}${query}`, { token: alice.token });

  it("creates a URI that is not yet uploaded, fills it once, and serves it", async () => {
    const id = await create(alice);
    expectError(await get(id, "?timeout_ms=0"), 504, "M_NOT_YET_UPLOADED");
    expectError(await put(bob, id, "not yours"), 403, "M_FORBIDDEN");
    const done = await put(alice, id, "the content");
    expect(done.status).toBe(200);
    expect(done.json).toEqual({});
    expectError(await put(alice, id, "again"), 409, "M_CANNOT_OVERWRITE_MEDIA");
    const got = await get(id);
    expect(got.status).toBe(200);
    expect(got.bytes.toString()).toBe("the content");
    expect(got.headers.get("content-disposition")).toBe('inline; filename="later.txt"');
  });

  it("a download waiting for the upload gets it when it arrives", async () => {
    const id = await create(alice);
    const waiting = get(id, "?timeout_ms=60000");
    expect((await put(alice, id, "worth the wait")).status).toBe(200);
    const got = await waiting;
    expect(got.status).toBe(200);
    expect(got.bytes.toString()).toBe("worth the wait");
  });

  it("refuses unknown, remote, malformed and expired media IDs", async () => {
    expectError(await put(alice, "neverCreated"), 404, "M_NOT_FOUND");
    expectError(await put(alice, "neverCreated", "x", "elsewhere.example"), 404, "M_NOT_FOUND");
    expectError(await put(alice, "bad.id", "x"), 400, "M_INVALID_PARAM");
    const id = await create(alice);
    clock += UNUSED_MEDIA_ID_LIFETIME_MS;
    expectError(await put(alice, id, "too late"), 404, "M_NOT_FOUND");
    expectError(await get(id, "?timeout_ms=0"), 404, "M_NOT_FOUND");
  });

  it(`limits a user to ${MAX_PENDING_UPLOADS} media IDs waiting for their upload`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_PENDING_UPLOADS; i++) ids.push(await create(bob));
    expectError(await request(h, "POST", "/_matrix/media/v1/create", { token: bob.token }), 429, "M_LIMIT_EXCEEDED");
    // Another user is not affected; uploading to one frees a place.
    await create(alice);
    expect((await put(bob, ids[0]!, "done")).status).toBe(200);
    await create(bob);
    expectError(await request(h, "POST", "/_matrix/media/v1/create"), 401, "M_MISSING_TOKEN");
  });
});

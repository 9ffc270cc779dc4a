/**
 * The content repository as a client drives it, over real HTTP with a real PostgreSQL and a
 * temp directory: upload, download (authenticated and legacy), headers, limits, errors, and
 * content stored once by hash.
 */
import { readdir } from "node:fs/promises";
import http from "node:http";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA_CONTENT_SECURITY_POLICY } from "../src";
import { request, SERVER, startHarness, upload, type Harness, type User } from "./harness";

/** Above the HTTP server's 1 MiB JSON body limit: uploads must not be held to it. */
const MAX = 2 * 1024 * 1024 + 5;

/** A 1×1 PNG (red pixel), as an image a client would send. */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108020000009077" +
    "53de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082",
  "hex",
);
/** Every byte value, several times over: no text decoding may touch it. */
const BINARY = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) % 256));

const v1 = (mediaId: string, server = SERVER) => `/_matrix/client/v1/media/download/${server}/${mediaId}`;
const legacy = (mediaId: string, server = SERVER) => `/_matrix/media/v3/download/${server}/${mediaId}`;

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("timed out");
}

function expectError(res: { status: number; json: any }, status: number, errcode: string): void {
  expect({ status: res.status, errcode: res.json?.errcode }, JSON.stringify(res.json)).toEqual({ status, errcode });
}

describe("mediaapi", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    h = await startHarness({ maxFileSizeBytes: MAX });
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(async () => {
    await h?.close();
  });

  async function mediaRows(): Promise<number> {
    const [row] = await h.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mediaapi.media`;
    return row!.n;
  }

  it("uploads a PNG and downloads the same bytes with the spec's headers", async () => {
    const id = await upload(h, alice, PNG, "image/png", "pixel.png");
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    const res = await request(h, "GET", v1(id), { token: bob.token });
    expect(res.status).toBe(200);
    expect(res.bytes.equals(PNG)).toBe(true);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-length")).toBe(String(PNG.length));
    expect(res.headers.get("content-disposition")).toBe('inline; filename="pixel.png"');
    expect(res.headers.get("content-security-policy")).toBe(MEDIA_CONTENT_SECURITY_POLICY);
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const head = await request(h, "HEAD", v1(id), { token: bob.token });
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    expect(head.headers.get("content-disposition")).toBe('inline; filename="pixel.png"');
  });

  it("keeps binary content byte for byte, on the legacy path too (no access token there)", async () => {
    const id = await upload(h, alice, BINARY, "application/octet-stream");
    for (const res of [await request(h, "GET", v1(id), { token: alice.token }), await request(h, "GET", legacy(id))]) {
      expect(res.status).toBe(200);
      expect(res.bytes.equals(BINARY)).toBe(true);
      // Not a type the spec lets us serve inline; uploaded without a name: none in the header.
      expect(res.headers.get("content-disposition")).toBe("attachment");
      expect(res.headers.get("content-security-policy")).toBe(MEDIA_CONTENT_SECURITY_POLICY);
      expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    }
  });

  it("serves types outside the spec's inline list as attachments", async () => {
    const id = await upload(h, alice, "<script>alert(1)</script>", "text/html", "page.html");
    const res = await request(h, "GET", v1(id), { token: alice.token });
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="page.html"');
    const svg = await upload(h, alice, "<svg/>", "image/svg+xml");
    expect((await request(h, "GET", v1(svg), { token: alice.token })).headers.get("content-disposition")).toBe("attachment");
  });

  it("takes the file name from the path over the upload's, and encodes non-ASCII names per RFC 5987", async () => {
    const id = await upload(h, alice, "hello", "text/plain", "notes.txt");
    const renamed = await request(h, "GET", `${v1(id)}/${encodeURIComponent("other name.txt")}`, { token: alice.token });
    expect(renamed.status).toBe(200);
    expect(renamed.bytes.toString()).toBe("hello");
    expect(renamed.headers.get("content-disposition")).toBe('inline; filename="other name.txt"');
    const legacyRenamed = await request(h, "GET", `${legacy(id)}/x.txt`);
    expect(legacyRenamed.headers.get("content-disposition")).toBe('inline; filename="x.txt"');

    const unicode = await upload(h, alice, "hi", "text/plain", "résumé \"1\".txt");
    const res = await request(h, "GET", v1(unicode), { token: alice.token });
    expect(res.headers.get("content-disposition")).toBe("inline; filename*=utf-8''r%C3%A9sum%C3%A9%20%221%22.txt");
  });

  it("defaults a missing Content-Type to application/octet-stream", async () => {
    // A body stream without a type: fetch adds none.
    const res = await fetch(`${h.url}/_matrix/media/v3/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}` },
      body: Readable.toWeb(Readable.from([Buffer.from("abc")])) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { content_uri: string }).content_uri.split("/").pop()!;
    const got = await request(h, "GET", v1(id), { token: alice.token });
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(got.bytes.toString()).toBe("abc");
  });

  it("requires an access token to upload and on the authenticated download, and stores nothing unauthenticated", async () => {
    const id = await upload(h, alice, "secret", "text/plain");
    const rows = await mediaRows();
    const files = await h.storedFiles();
    expectError(await request(h, "POST", "/_matrix/media/v3/upload", { body: "no token here", headers: { "content-type": "text/plain" } }), 401, "M_MISSING_TOKEN");
    expectError(await request(h, "POST", "/_matrix/media/v3/upload", { token: "nonsense", body: "bad token", headers: { "content-type": "text/plain" } }), 401, "M_UNKNOWN_TOKEN");
    expect(await mediaRows()).toBe(rows);
    expect(await h.storedFiles()).toEqual(files);
    expectError(await request(h, "GET", v1(id)), 401, "M_MISSING_TOKEN");
    expectError(await request(h, "GET", v1(id), { token: "nonsense" }), 401, "M_UNKNOWN_TOKEN");
    // The access_token query parameter is still accepted (clients building <img> URLs use it).
    expect((await request(h, "GET", `${v1(id)}?access_token=${alice.token}`)).status).toBe(200);
  });

  it("refuses an upload over max_file_size_bytes with 413 M_TOO_LARGE and keeps nothing", async () => {
    const rows = await mediaRows();
    const files = await h.storedFiles();
    // Declared too large by Content-Length.
    expectError(await request(h, "POST", "/_matrix/media/v3/upload", { token: alice.token, body: Buffer.alloc(MAX + 1, 1), headers: { "content-type": "application/octet-stream" } }), 413, "M_TOO_LARGE");
    // Streamed (chunked, no Content-Length): refused once the bytes pass the limit.
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(Math.ceil(MAX / 4), 2));
    const res = await fetch(`${h.url}/_matrix/media/v3/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/octet-stream" },
      body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
      duplex: "half",
    } as RequestInit);
    expectError({ status: res.status, json: await res.json() }, 413, "M_TOO_LARGE");
    expect(await mediaRows()).toBe(rows);
    expect(await h.storedFiles()).toEqual(files);
    expect(await readdir(join(h.basePath, "tmp"))).toEqual([]);
    // Exactly the limit is fine.
    const id = await upload(h, alice, Buffer.alloc(MAX, 3), "application/octet-stream");
    expect((await request(h, "GET", v1(id), { token: alice.token })).bytes.length).toBe(MAX);
  });

  it("an upload cut off midway keeps nothing: no row, no file, no temp file", async () => {
    const rows = await mediaRows();
    const files = await h.storedFiles();
    const req = http.request(`${h.url}/_matrix/media/v3/upload`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/octet-stream", "content-length": "100000" },
    });
    req.on("error", () => undefined);
    req.write(Buffer.alloc(50_000, 7));
    // Once the server has started the temp file, the client goes away.
    await until(async () => (await readdir(join(h.basePath, "tmp"))).length === 1);
    req.destroy();
    await until(async () => (await readdir(join(h.basePath, "tmp"))).length === 0);
    expect(await mediaRows()).toBe(rows);
    expect(await h.storedFiles()).toEqual(files);
  });

  it("stores the same content once on disk, under two media IDs", async () => {
    const content = Buffer.from("the same bytes, twice " + Math.random());
    const before = (await h.storedFiles()).length;
    const a = await upload(h, alice, content, "text/plain", "a.txt");
    const b = await upload(h, bob, content, "application/octet-stream", "b.bin");
    expect(a).not.toBe(b);
    expect((await h.storedFiles()).length).toBe(before + 1);
    const gotA = await request(h, "GET", v1(a), { token: alice.token });
    const gotB = await request(h, "GET", v1(b), { token: alice.token });
    expect(gotA.bytes.equals(content) && gotB.bytes.equals(content)).toBe(true);
    // Each keeps its own type and name.
    expect(gotA.headers.get("content-type")).toBe("text/plain");
    expect(gotB.headers.get("content-disposition")).toBe('attachment; filename="b.bin"');
  });

  it("answers 404 M_NOT_FOUND for unknown media and for media of other servers", async () => {
    expectError(await request(h, "GET", v1("doesNotExist123"), { token: alice.token }), 404, "M_NOT_FOUND");
    expectError(await request(h, "GET", legacy("doesNotExist123")), 404, "M_NOT_FOUND");
    const id = await upload(h, alice, "x", "text/plain");
    expectError(await request(h, "GET", v1(id, "elsewhere.example"), { token: alice.token }), 404, "M_NOT_FOUND");
  });

  it("answers 400 M_INVALID_PARAM for bad media IDs, server names and parameters", async () => {
    for (const bad of ["abc.def", "...", "a%2F..%2Fb", "%C3%A9t%C3%A9", "x".repeat(256)]) {
      expectError(await request(h, "GET", v1(bad), { token: alice.token }), 400, "M_INVALID_PARAM");
      expectError(await request(h, "GET", legacy(bad)), 400, "M_INVALID_PARAM");
    }
    expectError(await request(h, "GET", v1("abc", "bad_server!"), { token: alice.token }), 400, "M_INVALID_PARAM");
    const id = await upload(h, alice, "x", "text/plain");
    expectError(await request(h, "GET", `${v1(id)}?timeout_ms=soon`, { token: alice.token }), 400, "M_INVALID_PARAM");
    expectError(await request(h, "POST", "/_matrix/media/v3/upload?filename=a&filename=b", { token: alice.token, body: "x" }), 400, "M_INVALID_PARAM");
    expectError(await request(h, "POST", `/_matrix/media/v3/upload?filename=${encodeURIComponent("a\u0000b")}`, { token: alice.token, body: "x" }), 400, "M_INVALID_PARAM");
  });

  it("serves the upload limit on both config paths, to signed-in users", async () => {
    for (const path of ["/_matrix/client/v1/media/config", "/_matrix/media/v3/config"]) {
      const res = await request(h, "GET", path, { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ "m.upload.size": MAX });
      expectError(await request(h, "GET", path), 401, "M_MISSING_TOKEN");
    }
  });
});

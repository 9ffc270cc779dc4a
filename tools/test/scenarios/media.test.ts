/**
 * Media as Element sends it, with matrix-js-sdk against each mode this machine can start: read
 * the upload limit, upload an image and a file (client.uploadContent), set the image as avatar,
 * and another user downloads both byte for byte through the authenticated URL the SDK builds
 * (and the legacy one without a token), with the spec's headers; and the thumbnails Element asks
 * for in the timeline come back at the size asked.
 */
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { registerUser, type TestUser } from "../../src/harness/matrix-client";

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108020000009077" +
    "53de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082",
  "hex",
);
/** An RGB PNG of width×height pixels (a diagonal gradient), built by hand: 8-bit, filter 0 rows. */
function gradientPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([x % 256, y % 256, (x + y) % 256], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

/** A PNG's dimensions, from its IHDR. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256))]);

describe.each(availableModes())("media (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    alice = await registerUser(hs.baseUrl, `alice${tag}`);
    bob = await registerUser(hs.baseUrl, `bob${tag}`);
  }, 180_000);
  afterAll(async () => {
    await hs?.stop();
  });

  const download = (user: TestUser | undefined, url: string) =>
    fetch(url, user ? { headers: { authorization: `Bearer ${user.accessToken}` } } : {});

  it("tells the upload limit on the authenticated and the legacy config", async () => {
    expect(await alice.client.getMediaConfig(true)).toEqual({ "m.upload.size": 10 * 1024 * 1024 });
    expect(await alice.client.getMediaConfig(false)).toEqual({ "m.upload.size": 10 * 1024 * 1024 });
  });

  it("an uploaded avatar downloads byte for byte through the SDK's authenticated URL", async () => {
    const { content_uri } = await alice.client.uploadContent(new Blob([PNG], { type: "image/png" }), { name: "me.png", type: "image/png" });
    expect(content_uri).toMatch(new RegExp(`^mxc://${hs.serverName.replace(/[.]/g, "\\.")}/[A-Za-z0-9_-]+$`));
    await alice.client.setAvatarUrl(content_uri);
    const profile = await bob.client.getProfileInfo(alice.userId);
    expect(profile.avatar_url).toBe(content_uri);

    const url = bob.client.mxcUrlToHttp(content_uri, undefined, undefined, undefined, false, false, true)!;
    expect(url).toContain("/_matrix/client/v1/media/download/");
    const res = await download(bob, url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toBe('inline; filename="me.png"');
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");

    expect((await download(undefined, url)).status).toBe(401);
    const legacy = bob.client.mxcUrlToHttp(content_uri, undefined, undefined, undefined, false, false, false)!;
    expect(legacy).toContain("/_matrix/media/v3/download/");
    const old = await download(undefined, legacy);
    expect(old.status).toBe(200);
    expect(Buffer.from(await old.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it("a file is served as an attachment under its name", async () => {
    const { content_uri } = await alice.client.uploadContent(new Blob([PDF], { type: "application/pdf" }), { name: "report 2026.pdf", type: "application/pdf" });
    const res = await download(bob, bob.client.mxcUrlToHttp(content_uri, undefined, undefined, undefined, false, false, true)!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="report 2026.pdf"');
  });

  it("an image's thumbnails, through the authenticated URL the SDK builds, have the size asked", async () => {
    const { content_uri } = await alice.client.uploadContent(new Blob([gradientPng(400, 300)], { type: "image/png" }), { name: "photo.png", type: "image/png" });
    for (const [width, height, method] of [[96, 96, "crop"], [32, 32, "crop"], [320, 240, "scale"]] as const) {
      const url = bob.client.mxcUrlToHttp(content_uri, width, height, method, false, true, true)!;
      expect(url).toContain("/_matrix/client/v1/media/thumbnail/");
      const res = await download(bob, url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(res.headers.get("content-disposition")).toBe('inline; filename="thumbnail.png"');
      expect(pngSize(Buffer.from(await res.arrayBuffer()))).toEqual({ width, height });
      expect((await download(undefined, url)).status).toBe(401);
    }
    // A file is no image: 400, as the spec says for content that cannot be thumbnailed.
    const { content_uri: pdf } = await alice.client.uploadContent(new Blob([PDF], { type: "application/pdf" }), { name: "x.pdf", type: "application/pdf" });
    const res = await download(bob, bob.client.mxcUrlToHttp(pdf, 96, 96, "crop", false, true, true)!);
    expect(res.status).toBe(400);
  });

  it("unknown media is 404 M_NOT_FOUND", async () => {
    const res = await download(bob, `${hs.baseUrl}/_matrix/client/v1/media/download/${hs.serverName}/noSuchMedia`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errcode: string }).errcode).toBe("M_NOT_FOUND");
  });
});

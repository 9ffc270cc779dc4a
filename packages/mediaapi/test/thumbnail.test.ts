/**
 * Thumbnails as a client asks for them, over real HTTP with a real PostgreSQL: images made with
 * sharp, uploaded, and thumbnailed by crop and by scale at the spec's sizes (dimensions read back
 * from the answer's bytes), made once and reused, never upscaled, the original when nothing is as
 * large as asked, still unless animation is asked for, and the errors for bad parameters, media
 * that is not an image, and images too large to decode.
 */
import { crc32, deflateSync } from "node:zlib";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA_CONTENT_SECURITY_POLICY } from "../src";
import { request, SERVER, startHarness, upload, type Harness, type Res, type User } from "./harness";

const v1 = (mediaId: string, query: string) => `/_matrix/client/v1/media/thumbnail/${SERVER}/${mediaId}?${query}`;
const legacy = (mediaId: string, query: string) => `/_matrix/media/v3/thumbnail/${SERVER}/${mediaId}?${query}`;

function expectError(res: { status: number; json: any }, status: number, errcode: string): void {
  expect({ status: res.status, errcode: res.json?.errcode }, JSON.stringify(res.json)).toEqual({ status, errcode });
}

/** An opaque image of one colour. */
function solid(width: number, height: number, background: string, channels: 3 | 4 = 3) {
  return sharp({ create: { width, height, channels, background } });
}

/** Format and dimensions of an answer's bytes, as a client's decoder sees them. */
async function decoded(res: Res): Promise<{ format: string; width: number; height: number }> {
  expect(res.status, res.bytes.toString().slice(0, 200)).toBe(200);
  const m = await sharp(res.bytes).metadata();
  return { format: m.format, width: m.width, height: m.height };
}

/** A PNG whose header claims width×height pixels, with a few bytes of pixel data (only the header is read). */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.alloc(64))), chunk("IEND", Buffer.alloc(0))]);
}

describe("mediaapi thumbnails", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  beforeAll(async () => {
    h = await startHarness({ maxFileSizeBytes: 4 * 1024 * 1024 });
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(async () => {
    await h?.close();
  });

  async function thumbnailRows(mediaId: string): Promise<number> {
    const [row] = await h.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM mediaapi.thumbnails WHERE media_id = ${mediaId}`;
    return row!.n;
  }

  it("crops a PNG to the spec's crop sizes and scales it into the scale sizes, with download's headers", async () => {
    const id = await upload(h, alice, await solid(500, 400, "#336699").png().toBuffer(), "image/png", "photo.png");
    expect(await decoded(await request(h, "GET", v1(id, "width=32&height=32&method=crop"), { token: bob.token }))).toEqual({ format: "png", width: 32, height: 32 });
    expect(await decoded(await request(h, "GET", v1(id, "width=96&height=96&method=crop"), { token: bob.token }))).toEqual({ format: "png", width: 96, height: 96 });
    const scaled = await request(h, "GET", v1(id, "width=320&height=240&method=scale"), { token: bob.token });
    expect(await decoded(scaled)).toEqual({ format: "png", width: 300, height: 240 });
    expect(scaled.headers.get("content-type")).toBe("image/png");
    expect(scaled.headers.get("content-length")).toBe(String(scaled.bytes.length));
    expect(scaled.headers.get("content-disposition")).toBe('inline; filename="thumbnail.png"');
    expect(scaled.headers.get("content-security-policy")).toBe(MEDIA_CONTENT_SECURITY_POLICY);
    expect(scaled.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(scaled.headers.get("x-content-type-options")).toBe("nosniff");
    // Another size: the smallest standard one at least as large (method scale is the default).
    expect(await decoded(await request(h, "GET", v1(id, "width=100&height=50"), { token: bob.token }))).toEqual({ format: "png", width: 300, height: 240 });
    // A crop size no crop thumbnail covers: the smallest scale one that does.
    expect(await decoded(await request(h, "GET", v1(id, "width=120&height=120&method=crop"), { token: bob.token }))).toEqual({ format: "png", width: 300, height: 240 });
  });

  it("thumbnails a JPEG as JPEG, crop cutting the centre out", async () => {
    // Red sides, green middle third: a centred 1:1 crop is all green.
    const middle = await solid(200, 200, "#00ff00").png().toBuffer();
    const jpeg = await solid(600, 200, "#ff0000").composite([{ input: middle, left: 200, top: 0 }]).jpeg().toBuffer();
    const id = await upload(h, alice, jpeg, "image/jpeg");
    const crop = await request(h, "GET", v1(id, "width=96&height=96&method=crop"), { token: bob.token });
    expect(await decoded(crop)).toEqual({ format: "jpeg", width: 96, height: 96 });
    expect(crop.headers.get("content-type")).toBe("image/jpeg");
    expect(crop.headers.get("content-disposition")).toBe('inline; filename="thumbnail.jpg"');
    const { data } = await sharp(crop.bytes).raw().toBuffer({ resolveWithObject: true });
    for (const [x, y] of [[2, 2], [93, 2], [2, 93], [93, 93], [48, 48]] as const) {
      const [r, g] = [data[(y * 96 + x) * 3]!, data[(y * 96 + x) * 3 + 1]!];
      expect({ x, y, green: g > 200 && r < 60 }).toEqual({ x, y, green: true });
    }
    expect(await decoded(await request(h, "GET", v1(id, "width=640&height=480&method=scale"), { token: bob.token }))).toEqual({ format: "jpeg", width: 600, height: 200 });
    // 400×100 scale: the image fitted into it is 300×100, which 320×240 scale (320×107) covers.
    expect(await decoded(await request(h, "GET", v1(id, "width=400&height=100&method=scale"), { token: bob.token }))).toEqual({ format: "jpeg", width: 320, height: 107 });
  });

  it("makes a thumbnail once and serves the stored one afterwards, on both paths", async () => {
    const id = await upload(h, alice, await solid(400, 300, "#884422").png().toBuffer(), "image/png");
    const filesBefore = (await h.storedFiles()).length;
    expect(await thumbnailRows(id)).toBe(0);
    const first = await request(h, "GET", v1(id, "width=32&height=32&method=crop"), { token: bob.token });
    expect(await decoded(first)).toEqual({ format: "png", width: 32, height: 32 });
    expect(await thumbnailRows(id)).toBe(1);
    expect((await h.storedFiles()).length).toBe(filesBefore + 1);
    const again = await request(h, "GET", v1(id, "width=32&height=32&method=crop"), { token: alice.token });
    const old = await request(h, "GET", legacy(id, "width=30&height=20&method=crop"));
    const r0 = await request(h, "GET", `/_matrix/media/r0/thumbnail/${SERVER}/${id}?width=32&height=32&method=crop`);
    for (const res of [again, old, r0]) {
      expect(res.status).toBe(200);
      expect(res.bytes.equals(first.bytes)).toBe(true);
    }
    expect(await thumbnailRows(id)).toBe(1);
    expect((await h.storedFiles()).length).toBe(filesBefore + 1);
    // The row is what is served: its file is read, nothing is rendered again.
    const [row] = await h.db.sql<{ sha256: string; width: number; height: number }[]>`SELECT sha256, width, height FROM mediaapi.thumbnails WHERE media_id = ${id}`;
    expect({ width: row!.width, height: row!.height }).toEqual({ width: 32, height: 32 });
    expect(first.bytes.length).toBe(Number(first.headers.get("content-length")));
  });

  it("never upscales: an image smaller than asked is answered with the original", async () => {
    const small = await solid(50, 40, "#10203080", 4).png().toBuffer();
    const id = await upload(h, alice, small, "image/png");
    for (const q of ["width=96&height=96&method=crop", "width=800&height=600&method=scale", "width=50&height=40", "width=2000&height=2000&method=crop"]) {
      const res = await request(h, "GET", v1(id, q), { token: bob.token });
      expect(res.status).toBe(200);
      expect(res.bytes.equals(small), q).toBe(true);
      expect(res.headers.get("content-type")).toBe("image/png");
    }
    // Smaller than the image in both dimensions: a real thumbnail, with its transparency kept.
    const crop = await request(h, "GET", v1(id, "width=32&height=32&method=crop"), { token: bob.token });
    expect(await decoded(crop)).toEqual({ format: "png", width: 32, height: 32 });
    expect((await sharp(crop.bytes).metadata()).hasAlpha).toBe(true);
    // 32×32 crop of a 50×40 image; 96×96 cannot be had (no upscaling): the original again.
    expect(await thumbnailRows(id)).toBe(1);

    // Asked beyond every standard size but not beyond the image: the original (the only image as large).
    const big = await solid(1200, 900, "#445566").png().toBuffer();
    const bigId = await upload(h, alice, big, "image/png");
    const res = await request(h, "GET", v1(bigId, "width=1000&height=700"), { token: bob.token });
    expect(res.bytes.equals(big)).toBe(true);
    expect(await decoded(await request(h, "GET", v1(bigId, "width=800&height=600"), { token: bob.token }))).toEqual({ format: "png", width: 800, height: 600 });
  });

  it("answers an animated GIF as is when animation is asked for, else with a still frame", async () => {
    const frames = [await solid(120, 80, "#ff0000").png().toBuffer(), await solid(120, 80, "#0000ff").png().toBuffer()];
    const gif = await sharp(frames, { join: { animated: true } }).gif({ delay: [100, 100] }).toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const id = await upload(h, alice, gif, "image/gif");
    const animated = await request(h, "GET", v1(id, "width=32&height=32&method=crop&animated=true"), { token: bob.token });
    expect(animated.status).toBe(200);
    expect(animated.bytes.equals(gif)).toBe(true);
    expect(animated.headers.get("content-type")).toBe("image/gif");
    for (const q of ["width=32&height=32&method=crop&animated=false", "width=32&height=32&method=crop"]) {
      const still = await request(h, "GET", v1(id, q), { token: bob.token });
      expect(await decoded(still)).toEqual({ format: "png", width: 32, height: 32 });
      expect((await sharp(still.bytes).metadata()).pages ?? 1).toBe(1);
    }
    // Larger than the GIF: a still copy at its own size, not the animated original.
    const whole = await request(h, "GET", v1(id, "width=200&height=200&animated=false"), { token: bob.token });
    expect(await decoded(whole)).toEqual({ format: "png", width: 120, height: 80 });
  });

  it("answers 400 M_INVALID_PARAM / M_MISSING_PARAM for bad parameters and 404 M_NOT_FOUND for unknown media", async () => {
    const id = await upload(h, alice, await solid(64, 64, "#000000").png().toBuffer(), "image/png");
    for (const q of ["width=0&height=32", "width=-1&height=32", "width=32&height=abc", "width=3.5&height=32", "width=32&height=32&method=stretch", "width=32&height=32&animated=yes", "width=32&height=32&timeout_ms=soon", "width=32&width=64&height=32"]) {
      expectError(await request(h, "GET", v1(id, q), { token: bob.token }), 400, "M_INVALID_PARAM");
    }
    expectError(await request(h, "GET", v1(id, "width=32"), { token: bob.token }), 400, "M_MISSING_PARAM");
    expectError(await request(h, "GET", legacy(id, "height=32")), 400, "M_MISSING_PARAM");
    expectError(await request(h, "GET", v1("noSuchMedia", "width=32&height=32"), { token: bob.token }), 404, "M_NOT_FOUND");
    expectError(await request(h, "GET", `/_matrix/client/v1/media/thumbnail/other.example/${id}?width=32&height=32`, { token: bob.token }), 404, "M_NOT_FOUND");
    expectError(await request(h, "GET", v1("bad.id", "width=32&height=32"), { token: bob.token }), 400, "M_INVALID_PARAM");
    expect(await thumbnailRows(id)).toBe(0);
  });

  it("answers 400 M_UNKNOWN for what cannot be thumbnailed: other types, bytes that are not the image they claim", async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>');
    const cases: [Buffer, string][] = [
      [Buffer.from("just some text"), "text/plain"],
      [Buffer.from("%PDF-1.4\n%…"), "application/pdf"],
      [Buffer.from("not a png at all"), "image/png"],
      [svg, "image/svg+xml"],
      [svg, "image/png"],
      [(await solid(200, 200, "#123456").png().toBuffer()).subarray(0, 120), "image/png"],
    ];
    for (const [body, type] of cases) {
      const id = await upload(h, alice, body, type);
      const res = await request(h, "GET", v1(id, "width=32&height=32&method=crop"), { token: bob.token });
      expect({ type, status: res.status, errcode: res.json?.errcode }).toEqual({ type, status: 400, errcode: "M_UNKNOWN" });
      expect(await thumbnailRows(id)).toBe(0);
    }
  });

  it("answers 413 M_TOO_LARGE for an image with too many pixels to decode", async () => {
    const id = await upload(h, alice, pngHeaderOnly(10_000, 10_000), "image/png");
    expectError(await request(h, "GET", v1(id, "width=32&height=32&method=crop"), { token: bob.token }), 413, "M_TOO_LARGE");
  });

  it("requires an access token on the authenticated path only", async () => {
    const id = await upload(h, alice, await solid(100, 100, "#abcdef").png().toBuffer(), "image/png");
    expectError(await request(h, "GET", v1(id, "width=32&height=32&method=crop")), 401, "M_MISSING_TOKEN");
    expectError(await request(h, "GET", v1(id, "width=32&height=32&method=crop"), { token: "nonsense" }), 401, "M_UNKNOWN_TOKEN");
    expect(await decoded(await request(h, "GET", legacy(id, "width=32&height=32&method=crop")))).toEqual({ format: "png", width: 32, height: 32 });
  });
});

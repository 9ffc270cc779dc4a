/**
 * Media as Element sends it, with matrix-js-sdk against each mode this machine can start: read
 * the upload limit, upload an image and a file (client.uploadContent), set the image as avatar,
 * and another user downloads both byte for byte through the authenticated URL the SDK builds
 * (and the legacy one without a token), with the spec's headers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { registerUser, type TestUser } from "../../src/harness/matrix-client";

/** A 1×1 PNG. */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108020000009077" +
    "53de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082",
  "hex",
);
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

  it("unknown media is 404 M_NOT_FOUND", async () => {
    const res = await download(bob, `${hs.baseUrl}/_matrix/client/v1/media/download/${hs.serverName}/noSuchMedia`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errcode: string }).errcode).toBe("M_NOT_FOUND");
  });
});

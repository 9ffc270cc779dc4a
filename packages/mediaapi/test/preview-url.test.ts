/**
 * URL previews as Element asks for them, over real HTTP with a real PostgreSQL, of pages served
 * by a local node:http server on 127.0.0.1 (which counts its hits): OpenGraph tags with an image
 * (fetched, stored as our media, served back by its mxc:// URI), a <title>-only page, a direct
 * image, redirects, and the failures — 404, a page that never answers, a body over the limit, an
 * address in the deny list (the default list refuses 127.0.0.1), bad parameters, no token — and
 * answers reused from the cache. The test server's address is let through with allow_networks.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DENY_NETWORKS } from "@dendrite-ts/runtime";
import { request, SERVER, startHarness, type Harness, type User } from "./harness";

const v1 = (url: string, extra = "") => `/_matrix/client/v1/media/preview_url?url=${encodeURIComponent(url)}${extra}`;
const legacy = (url: string) => `/_matrix/media/v3/preview_url?url=${encodeURIComponent(url)}`;

function expectError(res: { status: number; json: any }, status: number, errcode: string): void {
  expect({ status: res.status, errcode: res.json?.errcode }, JSON.stringify(res.json)).toEqual({ status, errcode });
}

let png: Buffer;
const hits = new Map<string, number>();
let site: Server;
let origin: string;
const userAgents: string[] = [];

const PAGES: Record<string, (res: import("node:http").ServerResponse) => void> = {
  "/article": (res) => {
    res.setHeader("content-type", "text/html; charset=utf-8");
    res.end(`<!doctype html><html><head>
      <title>Ignored title</title>
      <!-- <meta property="og:title" content="commented out"> -->
      <meta property="og:title" content="Caf&#233; &amp; Matrix &#x2764;">
      <meta content='A "quoted" description' property='og:description'>
      <meta property="og:image" content="/images/logo.png?size=big">
      <meta property="og:image:width" content="9999">
      <script>document.write('<meta property="og:site_name" content="from script">')</script>
      <meta property=og:site_name content=Example>
      </head><body>hello</body></html>`);
  },
  "/title-only": (res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<html><head><title>  Just a
      title </title><meta name="description" content="The description"></head></html>`);
  },
  "/images/logo.png": (res) => {
    res.setHeader("content-type", "image/png");
    res.end(png);
  },
  "/picture": (res) => {
    res.setHeader("content-type", "image/png");
    res.end(png);
  },
  "/hop1": (res) => {
    res.writeHead(302, { location: "/hop2" }).end();
  },
  "/hop2": (res) => {
    res.writeHead(301, { location: `${origin}/title-only` }).end();
  },
  "/loop": (res) => {
    res.writeHead(302, { location: "/loop" }).end();
  },
  "/missing": (res) => {
    res.writeHead(404, { "content-type": "text/html" }).end("<title>Not found</title>");
  },
  "/slow": () => {
    // Never answers: the preview times out.
  },
  "/trickle": (res) => {
    // Headers and a little of the page, then nothing more.
    res.setHeader("content-type", "text/html");
    res.write("<html><head><title>Never finished");
  },
  "/huge": (res) => {
    res.setHeader("content-type", "text/html");
    const chunk = Buffer.alloc(1024 * 1024, "a");
    for (let i = 0; i < 11; i++) res.write(chunk);
    res.end();
  },
  "/cached": (res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<title>Cached ${hits.get("/cached")}</title>`);
  },
  "/pdf": (res) => {
    res.setHeader("content-type", "application/pdf");
    res.end("%PDF-1.4");
  },
};

let h: Harness;
let alice: User;
let clock = 1_700_000_000_000;

beforeAll(async () => {
  png = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#3366cc" } }).png().toBuffer();
  site = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    userAgents.push(req.headers["user-agent"] ?? "");
    const page = PAGES[path];
    if (page) page(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  h = await startHarness({
    now: () => clock,
    urlPreviews: { enabled: true, denyNetworks: DEFAULT_DENY_NETWORKS, allowNetworks: ["127.0.0.1/32"], timeoutMs: 1500 },
  });
  alice = await h.user("alice");
});

afterAll(async () => {
  await h?.close();
  site.closeAllConnections();
  await new Promise((resolve) => site.close(resolve));
});

describe("GET /preview_url", () => {
  it("gives a page's OpenGraph data, its og:image stored as our media with type, size and dimensions", async () => {
    const res = await request(h, "GET", v1(`${origin}/article`), { token: alice.token });
    expect(res.status, res.bytes.toString()).toBe(200);
    const { "og:image": image, ...rest } = res.json;
    expect(rest).toEqual({
      "og:title": "Café & Matrix ❤",
      "og:description": 'A "quoted" description',
      "og:site_name": "Example",
      "og:image:type": "image/png",
      "og:image:width": 40,
      "og:image:height": 30,
      "matrix:image:size": png.length,
    });
    expect(image).toMatch(new RegExp(`^mxc://${SERVER}/[A-Za-z0-9_-]+$`));
    const mediaId = (image as string).split("/").pop()!;
    const dl = await request(h, "GET", `/_matrix/client/v1/media/download/${SERVER}/${mediaId}`, { token: alice.token });
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toBe("image/png");
    expect(dl.bytes.equals(png)).toBe(true);
    expect(userAgents.at(-1)).toBe(`dendrite-ts URL preview (${SERVER})`);
  });

  it("falls back to <title> and the meta description", async () => {
    const res = await request(h, "GET", v1(`${origin}/title-only`), { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ "og:title": "Just a title", "og:description": "The description" });
  });

  it("previews an image URL as that image", async () => {
    const res = await request(h, "GET", v1(`${origin}/picture`), { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ "og:image:type": "image/png", "og:image:width": 40, "og:image:height": 30, "matrix:image:size": png.length });
    expect(res.json["og:image"]).toMatch(/^mxc:\/\//);
    expect(res.json["og:title"]).toBeUndefined();
  });

  it("answers {} for content that is neither a page nor an image", async () => {
    const res = await request(h, "GET", v1(`${origin}/pdf`), { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({});
  });

  it("follows redirects (relative and absolute), and refuses an endless chain with 502", async () => {
    const res = await request(h, "GET", v1(`${origin}/hop1`), { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.json["og:title"]).toBe("Just a title");
    const loop = await request(h, "GET", v1(`${origin}/loop`), { token: alice.token });
    expectError(loop, 502, "M_UNKNOWN");
    expect(hits.get("/loop")).toBe(6); // the first request and five redirects
  });

  it("answers 502 for a page that is not there, one that never answers, or one with no server", async () => {
    expectError(await request(h, "GET", v1(`${origin}/missing`), { token: alice.token }), 502, "M_UNKNOWN");
    const started = Date.now();
    expectError(await request(h, "GET", v1(`${origin}/slow`), { token: alice.token }), 502, "M_UNKNOWN");
    expectError(await request(h, "GET", v1(`${origin}/trickle`), { token: alice.token }), 502, "M_UNKNOWN");
    expect(Date.now() - started).toBeLessThan(6000);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expectError(await request(h, "GET", v1(`http://127.0.0.1:${port}/`), { token: alice.token }), 502, "M_UNKNOWN");
  });

  it("refuses a body over 10 MiB with 502 M_TOO_LARGE", async () => {
    expectError(await request(h, "GET", v1(`${origin}/huge`), { token: alice.token }), 502, "M_TOO_LARGE");
  });

  it("reuses a preview for an hour; ts picks the one that was fresh then, or the next one", async () => {
    const first = await request(h, "GET", v1(`${origin}/cached`), { token: alice.token });
    expect(first.json).toEqual({ "og:title": "Cached 1" });
    const firstTs = clock;
    clock += 30 * 60 * 1000;
    const again = await request(h, "GET", legacy(`${origin}/cached`), { token: alice.token });
    expect(again.json).toEqual({ "og:title": "Cached 1" });
    expect(hits.get("/cached")).toBe(1);
    clock += 31 * 60 * 1000;
    const stale = await request(h, "GET", v1(`${origin}/cached`), { token: alice.token });
    expect(stale.json).toEqual({ "og:title": "Cached 2" });
    const older = await request(h, "GET", v1(`${origin}/cached`, `&ts=${firstTs + 1000}`), { token: alice.token });
    expect(older.json).toEqual({ "og:title": "Cached 1" });
    // Before any fetch (an old message's ts): the first one after stands in, nothing is fetched.
    const beforeAll = await request(h, "GET", v1(`${origin}/cached`, `&ts=${firstTs - 24 * 3600 * 1000}`), { token: alice.token });
    expect(beforeAll.json).toEqual({ "og:title": "Cached 1" });
    expect(hits.get("/cached")).toBe(2);
  });

  it("refuses addresses in the deny list with 403 M_FORBIDDEN, fetching nothing", async () => {
    const before = hits.get("/title-only") ?? 0;
    for (const url of ["http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest/meta-data", "http://[::ffff:127.0.0.2]/"]) {
      expectError(await request(h, "GET", v1(url), { token: alice.token }), 403, "M_FORBIDDEN");
    }
    // A redirect to a denied address is checked too.
    const strict = await startHarness({ urlPreviews: { enabled: true, denyNetworks: DEFAULT_DENY_NETWORKS } });
    try {
      const bob = await strict.user("bob");
      expectError(await request(strict, "GET", v1(`${origin}/title-only`), { token: bob.token }), 403, "M_FORBIDDEN");
      // A name is checked by what it resolves to.
      expectError(await request(strict, "GET", v1(origin.replace("127.0.0.1", "localhost") + "/title-only"), { token: bob.token }), 403, "M_FORBIDDEN");
    } finally {
      await strict.close();
    }
    expect(hits.get("/title-only") ?? 0).toBe(before);
  });

  it("checks each redirect hop against the deny list", async () => {
    PAGES["/to-private"] = (res) => res.writeHead(302, { location: "http://10.1.2.3/" }).end();
    expectError(await request(h, "GET", v1(`${origin}/to-private`), { token: alice.token }), 403, "M_FORBIDDEN");
  });

  it("needs an access token, on v1 and legacy", async () => {
    expectError(await request(h, "GET", v1(`${origin}/title-only`)), 401, "M_MISSING_TOKEN");
    expectError(await request(h, "GET", legacy(`${origin}/title-only`)), 401, "M_MISSING_TOKEN");
  });

  it("answers 400 for a missing or bad url or ts", async () => {
    expectError(await request(h, "GET", "/_matrix/client/v1/media/preview_url", { token: alice.token }), 400, "M_MISSING_PARAM");
    for (const url of ["not a url", "ftp://example.org/file", "file:///etc/passwd", "javascript:alert(1)", "http://user:pw@example.org/"]) {
      expectError(await request(h, "GET", v1(url), { token: alice.token }), 400, "M_INVALID_PARAM");
    }
    expectError(await request(h, "GET", v1(`${origin}/title-only`, "&ts=yesterday"), { token: alice.token }), 400, "M_INVALID_PARAM");
  });
});

describe("URL previews disabled (the default)", () => {
  it("answers 404 M_UNRECOGNIZED, as Synapse does", async () => {
    const off = await startHarness();
    try {
      const carol = await off.user("carol");
      expectError(await request(off, "GET", v1(`${origin}/title-only`), { token: carol.token }), 404, "M_UNRECOGNIZED");
    } finally {
      await off.close();
    }
  });
});

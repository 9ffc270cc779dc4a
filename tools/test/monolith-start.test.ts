/**
 * `npm start` as a newcomer runs it: a fresh data directory, no services, no config. The first
 * start creates config, key and embedded database; the server answers /versions and our keys;
 * a second start reuses everything (same signing key).
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBase64, verifyJsonSignature } from "@dendrite-ts/protocol";
import { freePort, spawnEntry, waitForHttp, type SpawnedServer } from "../src/harness/spawn-server";

const dataDir = mkdtempSync(join(tmpdir(), "dendrite-monolith-"));
// As root, the embedded PostgreSQL runs as OS user "postgres", which must reach the directory.
chmodSync(dataDir, 0o755);
let server: SpawnedServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port: number): Promise<string> {
  server = spawnEntry("apps/monolith/src/main.ts", ["--data-dir", dataDir, "--http-port", String(port)]);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/_matrix/client/versions`, server);
  return url;
}

async function ownKeys(url: string) {
  const res = await fetch(`${url}/_matrix/key/v2/server`);
  expect(res.status).toBe(200);
  return (await res.json()) as { server_name: string; verify_keys: Record<string, { key: string }>; valid_until_ts: number };
}

describe("monolith on its embedded defaults", () => {
  let firstKeyId = "";

  it("creates its data directory on first start and serves /versions and its keys", async () => {
    const port = await freePort();
    const url = await start(port);
    expect(server!.output()).toContain("First run: created");
    for (const f of ["dendrite.yaml", "matrix_key.pem"]) expect(existsSync(join(dataDir, f))).toBe(true);
    expect(readFileSync(join(dataDir, "matrix_key.pem"), "utf8")).toMatch(/^-----BEGIN MATRIX PRIVATE KEY-----\nKey-ID: ed25519:/);

    const versions = (await (await fetch(`${url}/_matrix/client/versions`)).json()) as { versions: string[] };
    expect(versions.versions.length).toBeGreaterThan(0);

    const keys = await ownKeys(url);
    expect(keys.server_name).toBe(`localhost:${port}`);
    const [keyId, { key }] = Object.entries(keys.verify_keys)[0]!;
    firstKeyId = keyId;
    expect(verifyJsonSignature(keys, keys.server_name, keyId, decodeBase64(key))).toBe(true);
    expect(keys.valid_until_ts).toBeGreaterThan(Date.now());

    const unknown = await fetch(`${url}/_matrix/client/v3/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });

  it("stops cleanly on SIGTERM and reuses its data on the next start", async () => {
    expect(await server!.stop("SIGTERM")).toBe(0);
    const url = await start(await freePort());
    expect(server!.output()).not.toContain("First run");
    const keys = await ownKeys(url);
    expect(Object.keys(keys.verify_keys)).toEqual([firstKeyId]);
  });
});

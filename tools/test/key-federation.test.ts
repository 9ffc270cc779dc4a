/**
 * Two of our servers on loopback, each with its own name and key: "a.test", a monolith on its
 * embedded defaults (embedded PostgreSQL + embedded log), and "b.test", a polylith (a process per
 * component) on the external PostgreSQL + NATS. Each fetches and verifies the other's keys
 * directly, each vouches for the other as a notary, each reaches a third server only through the
 * other as notary, and tampered key responses are rejected.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMonolith, type RunningMonolith } from "@dendrite-ts/monolith";
import { decodeBase64, encodeBase64, generateSigningKey, verifyJsonSignature, type SigningKey } from "@dendrite-ts/protocol";
import { createLogger, defaultConfigYaml, httpClient, loadConfig } from "@dendrite-ts/runtime";
import { describeWithNats, describeWithPostgres, openTestDatabase } from "@dendrite-ts/runtime/testing";
import { serverKeyContract, writeSigningKeyPem } from "@dendrite-ts/serverkeyapi";
import { startStaticKeyServer, type StaticKeyServer } from "../src/harness/key-server";
import { polylithPortEnv } from "../src/harness/homeserver";
import { freePorts, spawnEntry, waitForHttp, type SpawnedServer } from "../src/harness/spawn-server";

const DEAD = "http://127.0.0.1:1"; // nothing listens there: a server we cannot reach directly

describeWithPostgres("key federation between a monolith and a polylith", () => {
  describeWithNats("(polylith on PostgreSQL + NATS)", (natsUrl) => {
    const dir = mkdtempSync(join(tmpdir(), "dendrite-keys-"));
    chmodSync(dir, 0o755); // as root, the embedded PostgreSQL's OS user must reach it
    const aKey = generateSigningKey("ed25519:a1");
    const bKey = generateSigningKey("ed25519:b1");
    let a: RunningMonolith;
    let b: SpawnedServer;
    let bUrl = "";
    let bInternal = "";
    let closeBDb: () => Promise<void> = async () => {};
    const statics: StaticKeyServer[] = [];
    let onlyB: StaticKeyServer; // reachable from b.test only
    let onlyA: StaticKeyServer; // reachable from a.test only
    let swapped: StaticKeyServer;
    let misnamed: StaticKeyServer;

    const keyB64 = (k: SigningKey) => encodeBase64(k.publicKey);

    beforeAll(async () => {
      [onlyB, onlyA, swapped, misnamed] = await Promise.all([
        startStaticKeyServer("c.test"),
        startStaticKeyServer("d.test"),
        startStaticKeyServer("swapped.test", "swap-key-after-signing"),
        startStaticKeyServer("misnamed.test", "wrong-server-name"),
      ]);
      statics.push(onlyB, onlyA, swapped, misnamed);
      const [aPort, bPort] = (await freePorts(2)) as [number, number];
      const ports = await polylithPortEnv([aPort, bPort]);
      const aUrl = `http://127.0.0.1:${aPort}`;
      bUrl = `http://127.0.0.1:${bPort}`;
      bInternal = ports.DENDRITE_SERVERKEYAPI__INTERNAL_URL!;

      // b.test: polylith, its config changed only through DENDRITE_* environment variables.
      const bDir = join(dir, "b");
      rmSync(bDir, { recursive: true, force: true });
      mkdirSync(bDir);
      writeFileSync(join(bDir, "dendrite.yaml"), defaultConfigYaml({ serverName: "b.test", polylith: true }));
      writeFileSync(join(bDir, "matrix_key.pem"), writeSigningKeyPem(bKey));
      const bDb = await openTestDatabase();
      closeBDb = () => bDb.close();
      b = spawnEntry("apps/polylith/src/main.ts", ["all", "--config", join(bDir, "dendrite.yaml")], {
        DENDRITE_GLOBAL__DATABASE__CONNECTION_STRING: bDb.url,
        DENDRITE_GLOBAL__JETSTREAM__ADDRESSES: JSON.stringify([natsUrl]),
        DENDRITE_POLYLITH__LISTEN: `127.0.0.1:${bPort}`,
        ...ports,
        DENDRITE_GLOBAL__FEDERATION__SERVER_NAME_MAP: JSON.stringify({ "a.test": aUrl, "c.test": onlyB.url, "d.test": DEAD }),
        DENDRITE_GLOBAL__TRUSTED_KEY_SERVERS: JSON.stringify([{ server_name: "a.test", keys: { [aKey.keyId]: keyB64(aKey) } }]),
        DENDRITE_LOGGING__LEVEL: "warn",
      });

      // a.test: the monolith in this process, on its embedded defaults.
      const aDir = join(dir, "a");
      mkdirSync(aDir);
      writeFileSync(join(aDir, "matrix_key.pem"), writeSigningKeyPem(aKey));
      const config = loadConfig({
        yaml: defaultConfigYaml({ serverName: "a.test", dataDir: "." }),
        env: {},
        overrides: {
          monolith: { listen: `127.0.0.1:${aPort}` },
          logging: { level: "warn" },
          global: {
            federation: {
              server_name_map: {
                "b.test": bUrl,
                "c.test": DEAD,
                "d.test": onlyA.url,
                "swapped.test": swapped.url,
                "misnamed.test": misnamed.url,
              },
            },
            trusted_key_servers: [{ server_name: "b.test", keys: { [bKey.keyId]: keyB64(bKey) } }],
          },
        },
      });
      a = await startMonolith({ config, baseDir: aDir, logger: createLogger({ level: "warn", format: "json" }) });
      await waitForHttp(`${bUrl}/_matrix/key/v2/server`, b);
      await waitForHttp(`${bUrl}/_matrix/client/versions`, b);
    }, 120_000);

    afterAll(async () => {
      await b?.stop();
      await a?.close();
      await closeBDb();
      await Promise.all(statics.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    });

    const bKeys = () => httpClient(serverKeyContract, bInternal);
    const query = (serverName: string, keyId: string) => ({
      body: { requests: [{ server_name: serverName, key_id: keyId, minimum_valid_until_ts: Date.now() }] },
    });

    it("a.test fetches and verifies b.test's key directly", async () => {
      const { body } = await a.clients.serverKeys.queryPublicKeys(query("b.test", bKey.keyId));
      expect(body.keys).toEqual([expect.objectContaining({ server_name: "b.test", key_id: bKey.keyId, key: keyB64(bKey) })]);
    });

    it("b.test fetches and verifies a.test's key directly", async () => {
      const { body } = await bKeys().queryPublicKeys(query("a.test", aKey.keyId));
      expect(body.keys).toEqual([expect.objectContaining({ server_name: "a.test", key_id: aKey.keyId, key: keyB64(aKey) })]);
    });

    it.each([
      ["a.test vouches for b.test", () => a.url, "b.test", bKey, "a.test", aKey],
      ["b.test vouches for a.test", () => bUrl, "a.test", aKey, "b.test", bKey],
    ] as const)("%s as a notary: the response carries both signatures", async (_n, notaryUrl, origin, originKey, notary, notaryKey) => {
      const res = await fetch(`${notaryUrl()}/_matrix/key/v2/query/${origin}`);
      expect(res.status).toBe(200);
      const { server_keys } = (await res.json()) as { server_keys: Record<string, unknown>[] };
      expect(server_keys).toHaveLength(1);
      const keys = server_keys[0]!;
      expect(keys.server_name).toBe(origin);
      expect(verifyJsonSignature(keys, origin, originKey.keyId, originKey.publicKey)).toBe(true);
      expect(verifyJsonSignature(keys, notary, notaryKey.keyId, notaryKey.publicKey)).toBe(true);
    });

    it("a.test reaches c.test's key only through b.test as notary", async () => {
      const { body } = await a.clients.serverKeys.queryPublicKeys(query("c.test", onlyB.key.keyId));
      expect(body.keys.map((k) => k.key)).toEqual([keyB64(onlyB.key)]);
    });

    it("b.test reaches d.test's key only through a.test as notary", async () => {
      const { body } = await bKeys().queryPublicKeys(query("d.test", onlyA.key.keyId));
      expect(body.keys.map((k) => k.key)).toEqual([keyB64(onlyA.key)]);
    });

    it.each([
      ["a key swapped after signing", "swapped.test", () => swapped],
      ["a response for another server name", "misnamed.test", () => misnamed],
    ])("rejects %s", async (_n, name, server) => {
      const { body } = await a.clients.serverKeys.queryPublicKeys(query(name, server().key.keyId));
      expect(body.keys).toEqual([]);
      const res = await fetch(`${a.url}/_matrix/key/v2/query/${name}`);
      expect(((await res.json()) as { server_keys: unknown[] }).server_keys).toEqual([]);
    });

    it("a key checked through the public endpoint verifies with decodeBase64 of what a.test reports", async () => {
      const { body } = await a.clients.serverKeys.queryPublicKeys(query("b.test", bKey.keyId));
      expect(decodeBase64(body.keys[0]!.key)).toEqual(bKey.publicKey);
    });
  });
});

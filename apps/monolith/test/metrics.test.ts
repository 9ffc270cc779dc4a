// /metrics of a running monolith shows each durable consumer's lag when metrics are enabled.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createLogger, defaultConfigYaml, loadConfig, type Database } from "@dendrite-ts/runtime";
import { describeWithPostgres, openTestDatabase } from "@dendrite-ts/runtime/testing";
import { writeSigningKeyPem } from "@dendrite-ts/serverkeyapi";
import { startMonolith, type RunningMonolith } from "../src/server";

describeWithPostgres("monolith /metrics", () => {
  const dir = mkdtempSync(join(tmpdir(), "dendrite-metrics-"));
  chmodSync(dir, 0o755);
  let db: Database;
  let server: RunningMonolith;

  beforeAll(async () => {
    db = await openTestDatabase();
    writeFileSync(join(dir, "matrix_key.pem"), writeSigningKeyPem(generateSigningKey("ed25519:m1")));
    const config = loadConfig({
      // The default monolith config, on the test database instead of an embedded PostgreSQL.
      yaml: defaultConfigYaml({ serverName: "metrics.test", dataDir: "." }).replace(
        /embedded:\n\s*data_dir: .*\n/,
        `connection_string: ${JSON.stringify(db.url)}\n`,
      ),
      env: {},
      overrides: {
        monolith: { listen: "127.0.0.1:0" },
        metrics: { enabled: true },
      },
    });
    server = await startMonolith({ config, baseDir: dir, logger: createLogger({ level: "warn", format: "json" }) });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows dendrite_stream_consumer_lag for the consumers it runs", async () => {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const lags = new Map(
      [...text.matchAll(/^dendrite_stream_consumer_lag\{([^}]*)\} (\S+)$/gm)].map((m) => [
        /consumer="([^"]+)"/.exec(m[1]!)?.[1],
        Number(m[2]),
      ]),
    );
    expect([...lags.keys()]).toEqual(expect.arrayContaining(["syncapi-room-events", "syncapi-client-data"]));
    expect(lags.size).toBeGreaterThanOrEqual(3); // and the roomserver's input consumer
    for (const v of lags.values()) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
    }
  });
});

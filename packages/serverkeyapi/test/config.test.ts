/** The app passes `config.global` as it comes out of runtime's loadConfig. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBase64, generateSigningKey } from "@dendrite-ts/protocol";
import { loadConfig, localClient, openTestDatabase, type Database } from "@dendrite-ts/runtime";
import { createServerKeyApi, oldVerifyKeysFromConfig, serverKeyContract, type ServerKeyApiConfig } from "../src/index";
import { logger } from "./harness";

describe("config from loadConfig", () => {
  let db: Database;
  beforeAll(async () => void (db = await openTestDatabase()));
  afterAll(() => db.close());

  it("config.global is the slice createServerKeyApi takes", async () => {
    const old = generateSigningKey("ed25519:old");
    const config = loadConfig({
      env: {},
      yaml: [
        "global:",
        "  server_name: example.test",
        "  key_validity_period: 2h",
        "  old_private_keys:",
        `    - { public_key: "${encodeBase64(old.publicKey)}", key_id: "ed25519:old", expired_ts: 1000 }`,
        "  trusted_key_servers:",
        `    - { server_name: notary.test, keys: { "ed25519:n": "${encodeBase64(generateSigningKey("ed25519:n").publicKey)}" } }`,
      ].join("\n"),
    });
    const slice: ServerKeyApiConfig = config.global;
    const key = generateSigningKey("ed25519:cur");
    const api = await createServerKeyApi({
      db,
      config: slice,
      signingKey: key,
      oldKeys: oldVerifyKeysFromConfig(config.global.old_private_keys),
      logger,
      now: () => 5_000,
    });
    const { body } = await localClient(serverKeyContract, api).ownKeys();
    expect(body.valid_until_ts).toBe(5_000 + 2 * 3_600_000);
    expect(body.old_verify_keys).toEqual({ "ed25519:old": { key: encodeBase64(old.publicKey), expired_ts: 1000 } });
  });
});

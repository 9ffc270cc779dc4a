import { describe, expect, it } from "vitest";
import { generateSigningKey, signJson, verifyJsonSignature, encodeBase64 } from "@dendrite-ts/protocol";
import { KeyFileError, readSigningKeyPem, writeSigningKeyPem } from "../src/key-file";
import { loadConfiguredKeys, oldVerifyKeysFromConfig } from "../src/index";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A key file as Dendrite's generate-keys writes it (Go encoding/pem: header, blank line, padded
// base64 of the 32-byte seed). Seed = bytes 0x00..0x1f.
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i);
const DENDRITE_FILE = `-----BEGIN MATRIX PRIVATE KEY-----
Key-ID: ed25519:a_RqWv

AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
-----END MATRIX PRIVATE KEY-----
`;

describe("key files (Dendrite PEM format)", () => {
  it("reads a Dendrite-written key file", () => {
    const key = readSigningKeyPem(DENDRITE_FILE);
    expect(key.keyId).toBe("ed25519:a_RqWv");
    expect(Buffer.from(key.seed)).toEqual(Buffer.from(SEED));
    // RFC 8032 public key for this seed, computed independently by node:crypto's ed25519.
    expect(encodeBase64(key.publicKey)).toBe("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg");
  });

  it("writes exactly Dendrite's layout and reads it back", () => {
    const key = readSigningKeyPem(DENDRITE_FILE);
    expect(writeSigningKeyPem(key)).toBe(DENDRITE_FILE);
    const fresh = generateSigningKey("ed25519:k1");
    const back = readSigningKeyPem(writeSigningKeyPem(fresh));
    expect(back.keyId).toBe("ed25519:k1");
    expect(Buffer.from(back.publicKey)).toEqual(Buffer.from(fresh.publicKey));
    const signed = signJson({ a: 1 }, "example.org", back);
    expect(verifyJsonSignature(signed, "example.org", "ed25519:k1", fresh.publicKey)).toBe(true);
  });

  it("skips other PEM blocks and tolerates CRLF", () => {
    const text = `-----BEGIN CERTIFICATE-----\r\nAAAA\r\n-----END CERTIFICATE-----\r\n${DENDRITE_FILE.replaceAll("\n", "\r\n")}`;
    expect(readSigningKeyPem(text).keyId).toBe("ed25519:a_RqWv");
  });

  it.each([
    ["no block", "hello", /no MATRIX PRIVATE KEY/],
    ["no Key-ID", DENDRITE_FILE.replace("Key-ID: ed25519:a_RqWv\n", ""), /no Key-ID/],
    ["non-ed25519 Key-ID", DENDRITE_FILE.replace("ed25519:a_RqWv", "curve25519:x"), /not an ed25519/],
    ["short seed", DENDRITE_FILE.replace("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "AAEC"), /expected a 32-byte seed/],
    ["bad base64", DENDRITE_FILE.replace("AAECAw", "AA!ECAw"), /invalid base64/],
    ["no END", DENDRITE_FILE.replace("-----END MATRIX PRIVATE KEY-----", ""), /no END/],
  ])("rejects %s", (_name, text, message) => {
    expect(() => readSigningKeyPem(text)).toThrowError(KeyFileError);
    expect(() => readSigningKeyPem(text)).toThrowError(message);
  });
});

describe("old keys from config (old_private_keys)", () => {
  const file = (p: string) => (p === "old.pem" ? DENDRITE_FILE : "");
  it("reads a key file or a public key, with expired_ts", () => {
    const fromFile = readSigningKeyPem(DENDRITE_FILE);
    const other = generateSigningKey("ed25519:b");
    const keys = oldVerifyKeysFromConfig(
      [
        { path: "old.pem", key_id: "ed25519:a_RqWv", expired_ts: 1 },
        { public_key: encodeBase64(other.publicKey), key_id: "ed25519:b", expired_ts: 2 },
      ],
      file,
    );
    expect(keys.map((k) => [k.keyId, encodeBase64(k.publicKey), k.expiredTs])).toEqual([
      ["ed25519:a_RqWv", encodeBase64(fromFile.publicKey), 1],
      ["ed25519:b", encodeBase64(other.publicKey), 2],
    ]);
  });

  it("rejects a key file whose Key-ID differs from the config, and a bad public key", () => {
    expect(() => oldVerifyKeysFromConfig([{ path: "old.pem", key_id: "ed25519:other", expired_ts: 1 }], file)).toThrow(/holds ed25519:a_RqWv, but key_id says ed25519:other/);
    expect(() => oldVerifyKeysFromConfig([{ public_key: "AAAA", key_id: "ed25519:x", expired_ts: 1 }], file)).toThrow(/32-byte/);
  });
});

describe("loadConfiguredKeys", () => {
  it("reads private_key and old_private_keys relative to the config directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "skapi-"));
    try {
      const old = generateSigningKey("ed25519:old");
      writeFileSync(join(dir, "matrix_key.pem"), DENDRITE_FILE);
      writeFileSync(join(dir, "old.pem"), writeSigningKeyPem(old));
      const { signingKey, oldKeys } = loadConfiguredKeys(
        { private_key: "matrix_key.pem", old_private_keys: [{ path: "old.pem", key_id: "ed25519:old", expired_ts: 7 }] },
        dir,
      );
      expect(signingKey.keyId).toBe("ed25519:a_RqWv");
      expect(oldKeys).toEqual([{ keyId: "ed25519:old", publicKey: old.publicKey, expiredTs: 7 }]);
      expect(() => loadConfiguredKeys({ private_key: "missing.pem", old_private_keys: [] }, dir)).toThrow(/cannot read key file .*missing.pem \(ENOENT\)/);
      expect(() =>
        loadConfiguredKeys({ private_key: "matrix_key.pem", old_private_keys: [{ path: "old.pem", key_id: "ed25519:x", expired_ts: 1 }] }, dir),
      ).toThrow(/holds ed25519:old, but key_id says ed25519:x/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

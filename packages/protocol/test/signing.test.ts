import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../src/base64";
import { canonicalJson } from "../src/canonical-json";
import { generateSigningKey, signingKeyFromSeed } from "../src/signing-key";
import { signJson, signedBytes, verifyJsonSignature } from "../src/signing";
import { vectors } from "./spec-vectors";

const { seed_base64, key_id, server_name, derived } = vectors.signing_key;
const key = signingKeyFromSeed(decodeBase64(seed_base64), key_id);

describe("Signing Key vector", () => {
  it("the seed derives the spec's public key", () => {
    expect(encodeBase64(key.publicKey)).toBe(derived.public_key_base64);
  });
});

describe("JSON Signing vectors, byte for byte", () => {
  it.each(vectors.json_signing)("$id", ({ inputs, expected, derived: d }) => {
    const obj = JSON.parse(inputs.json_text) as object;
    expect(Buffer.from(signedBytes(obj)).toString()).toBe(d.canonical_json_of_signed_bytes);
    const signed = signJson(obj, inputs.server_name, key);
    expect(canonicalJson(signed)).toBe(canonicalJson(JSON.parse(expected.signed_json_text)));
    expect(verifyJsonSignature(signed, server_name, key_id, key.publicKey)).toBe(true);
  });
});

describe("Signing Details", () => {
  it("unsigned is not covered and is put back; existing signatures are kept", () => {
    const other = generateSigningKey("ed25519:other");
    const first = signJson({ a: 1, unsigned: { age_ts: 5 } }, "other.example", other);
    const both = signJson(first, server_name, key);
    expect(both.unsigned).toEqual({ age_ts: 5 });
    expect(verifyJsonSignature(both, "other.example", "ed25519:other", other.publicKey)).toBe(true);
    expect(verifyJsonSignature(both, server_name, key_id, key.publicKey)).toBe(true);
    expect(verifyJsonSignature({ ...both, unsigned: { x: 1 } }, server_name, key_id, key.publicKey)).toBe(true);
  });

  it("signJson does not modify its input", () => {
    const obj = { a: 1, signatures: { s: { "ed25519:x": "abc" } } };
    const copy = structuredClone(obj);
    signJson(obj, "s", key);
    expect(obj).toEqual(copy);
  });
});

describe("Checking for a Signature", () => {
  const signed = signJson({ a: 1 }, server_name, key);
  it("fails when the entity has no entry", () => {
    expect(verifyJsonSignature(signed, "elsewhere", key_id, key.publicKey)).toBe(false);
  });
  it("fails for algorithms it does not understand", () => {
    const odd = { ...signed, signatures: { [server_name]: { "curve25519:1": signed.signatures[server_name]![key_id]! } } };
    expect(verifyJsonSignature(odd, server_name, "curve25519:1", key.publicKey)).toBe(false);
  });
  it("fails when base64 decoding fails", () => {
    expect(verifyJsonSignature({ a: 1, signatures: { [server_name]: { [key_id]: "!!!" } } }, server_name, key_id, key.publicKey)).toBe(false);
  });
  it("fails when the content changed", () => {
    expect(verifyJsonSignature({ ...signed, a: 2 }, server_name, key_id, key.publicKey)).toBe(false);
  });
  it("fails with another key", () => {
    expect(verifyJsonSignature(signed, server_name, key_id, generateSigningKey("ed25519:z").publicKey)).toBe(false);
  });
  it("fails, without throwing, for an object that is not canonical JSON", () => {
    expect(verifyJsonSignature({ ...signed, f: 1.5 }, server_name, key_id, key.publicKey)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { decodeBase64 } from "../src/base64";
import { canonicalJson } from "../src/canonical-json";
import { computeContentHash } from "../src/content-hash";
import { redactEvent } from "../src/redaction";
import { signEvent } from "../src/sign-event";
import { signingKeyFromSeed } from "../src/signing-key";
import { signedBytes } from "../src/signing";
import { verifyEvent } from "../src/verify-event";
import { vectors } from "./spec-vectors";

const key = signingKeyFromSeed(decodeBase64(vectors.signing_key.seed_base64), vectors.signing_key.key_id);
// The spec's event vectors keep top-level `origin`: they follow the v1–10 redaction algorithm.
const PRE_V11_VERSIONS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];

describe("Event Signing vectors, byte for byte", () => {
  it.each(vectors.event_signing)("$id: content hash", ({ inputs, expected, derived }) => {
    const event = JSON.parse(inputs.event_json_text) as object;
    const { unsigned: _u, signatures: _s, hashes: _h, ...rest } = event as Record<string, unknown>;
    expect(canonicalJson(rest)).toBe(derived.content_hash_input_canonical_json);
    expect(computeContentHash(event)).toBe(expected.content_hash_sha256_base64);
  });

  it.each(vectors.event_signing)("$id: redacted signing input and signature", ({ inputs, expected, derived }) => {
    const event = JSON.parse(inputs.event_json_text) as object;
    for (const version of PRE_V11_VERSIONS) {
      const signed = signEvent(event, version, inputs.server_name, key);
      expect(Buffer.from(signedBytes(redactEvent(signed, version))).toString()).toBe(derived.redacted_signing_input_canonical_json);
      expect(signed.signatures[inputs.server_name]?.[inputs.key_id]).toBe(expected.signature_base64);
      expect(canonicalJson(signed)).toBe(canonicalJson(JSON.parse(expected.signed_event_json_text)));
    }
  });

  it.each(vectors.event_signing)("$id: the spec's signed event verifies (v1–10)", ({ expected, inputs }) => {
    const signed = JSON.parse(expected.signed_event_json_text) as object;
    const lookup = (server: string, keyId: string) =>
      server === inputs.server_name && keyId === inputs.key_id ? { key: key.publicKey } : undefined;
    // v1/v2 also need the event ID's server, which for the second vector is "domain" too.
    for (const version of PRE_V11_VERSIONS) {
      expect(verifyEvent(signed, version, lookup).outcome).toBe("valid");
    }
  });

  it("room version 11 drops top-level origin, so the v1–10 signature no longer verifies", () => {
    const signed = JSON.parse(vectors.event_signing[0]!.expected.signed_event_json_text) as object;
    const lookup = () => ({ key: key.publicKey });
    expect(verifyEvent(signed, "11", lookup).outcome).toBe("rejected");
  });
});

// The spec's test vectors, read from the package's own copy (a user's clone has no ../shared).
import { readFileSync } from "node:fs";

export interface SpecVectors {
  unpadded_base64: { id: string; input_utf8: string; expected: string }[];
  canonical_json: { id: string; input_json_text: string; expected_canonical_json: string }[];
  signing_key: { seed_base64: string; server_name: string; key_id: string; derived: { public_key_base64: string } };
  json_signing: {
    id: string;
    inputs: { json_text: string; server_name: string; key_id: string };
    expected: { signature_base64: string; signed_json_text: string };
    derived: { canonical_json_of_signed_bytes: string };
  }[];
  event_signing: {
    id: string;
    inputs: { event_json_text: string; server_name: string; key_id: string };
    expected: { content_hash_sha256_base64: string; signature_base64: string; signed_event_json_text: string };
    derived: { content_hash_input_canonical_json: string; redacted_signing_input_canonical_json: string };
  }[];
}

export const vectors = JSON.parse(
  readFileSync(new URL("../spec-data/test-vectors.json", import.meta.url), "utf8"),
) as SpecVectors;

/**
 * Canonical JSON + ed25519 sign/verify per second for a typical ~1 KB event, with the backend
 * we use (libsodium-wrappers) and node:crypto (cached KeyObjects) for comparison in the same run.
 * Prints a table; asserts nothing about time.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign as cryptoSign, verify as cryptoVerify } from "node:crypto";
import { sodium } from "../src/sodium";
import { canonicalJson, canonicalJsonBytes } from "../src/canonical-json";
import { computeContentHash } from "../src/content-hash";
import { signEvent } from "../src/sign-event";
import { signingKeyFromSeed } from "../src/signing-key";
import { signJson, signedBytes, verifyJsonSignature } from "../src/signing";
import { verifyEvent } from "../src/verify-event";

const key = signingKeyFromSeed(randomBytes(32), "ed25519:bench");

// A message event of about 1 KB in canonical JSON, shaped like real traffic.
const event = {
  type: "m.room.message",
  room_id: "!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ",
  sender: "@alice:example.org",
  origin_server_ts: 1_700_000_000_000,
  depth: 4242,
  prev_events: ["$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg"],
  auth_events: [
    "$acR1l0raoZnm60CBwAVgqbZqoO-mYU81xysh1u7XcJk",
    "$Uyaxq3NgMRKYQJWtxvjKdjMahkBbXIhUKx8KpRW_A5A",
    "$K5zWs1dKgXvp-tPBHVmcSe3yW9V6f8KhtQMp3bKT0yk",
  ],
  content: {
    msgtype: "m.text",
    body: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(8),
    format: "org.matrix.custom.html",
    formatted_body: "<p>Lorem ipsum <b>dolor</b> sit amet</p>".repeat(4),
    "m.mentions": { user_ids: ["@bob:example.org"] },
  },
  unsigned: { age: 1234 },
};
const signedEvent = signEvent(event, "12", "example.org", key);
const lookup = () => ({ key: key.publicKey });

function measure(run: () => unknown, minMs = 600): number {
  for (let i = 0; i < 200; i++) run(); // warm up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 100; i++) run();
    n += 100;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

const rows: [string, number][] = [];
const row = (name: string, run: () => unknown) => rows.push([name, measure(run)]);

const bytes = canonicalJsonBytes(event);
const message = signedBytes(event);
const signature = sodium.crypto_sign_detached(message, key.secretKey);
// node:crypto handles for the same key (RFC 8410 DER wrappers around the raw 32 bytes).
const nodePrivate = createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), key.seed]),
  format: "der",
  type: "pkcs8",
});
const nodePublic = createPublicKey(nodePrivate);
if (Buffer.compare(cryptoSign(null, message, nodePrivate), Buffer.from(signature)) !== 0) {
  throw new Error("libsodium and node:crypto disagree");
}

row("canonicalJson (1 event)", () => canonicalJson(event));
row("computeContentHash", () => computeContentHash(event));
row("libsodium sign (raw bytes)", () => sodium.crypto_sign_detached(message, key.secretKey));
row("libsodium verify (raw bytes)", () => sodium.crypto_sign_verify_detached(signature, message, key.publicKey));
row("node:crypto sign (raw bytes)", () => cryptoSign(null, message, nodePrivate));
row("node:crypto verify (raw bytes)", () => cryptoVerify(null, message, nodePublic, signature));
row("node:crypto canonical JSON + sign", () => cryptoSign(null, canonicalJsonBytes(event), nodePrivate));
row("signJson (canonical JSON + libsodium sign)", () => signJson(event, "example.org", key));
const signedJson = signJson(event, "s", key);
row("verifyJsonSignature (canonical JSON + verify)", () => verifyJsonSignature(signedJson, "s", key.keyId, key.publicKey));
row("signEvent (hash + redact + sign)", () => signEvent(event, "12", "example.org", key));
row("verifyEvent (redact + verify + hash)", () => verifyEvent(signedEvent, "12", lookup));

console.log(`\nEvent: ${bytes.byteLength} bytes of canonical JSON; Node ${process.version}\n`);
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`${"operation".padEnd(width)}  ops/s`);
for (const [name, ops] of rows) console.log(`${name.padEnd(width)}  ${Math.round(ops).toLocaleString("en-US").padStart(9)}`);

// scrypt hashing: parameters stored in the hash, verification, upgrade detection.
import { describe, expect, it } from "vitest";
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword } from "../src/internal/password";

const FAST = { logN: 10, r: 8, p: 1 };

describe("password hashing", () => {
  it("stores its parameters and a random salt; verifies right and rejects wrong", async () => {
    const a = await hashPassword("correct horse", FAST);
    const b = await hashPassword("correct horse", FAST);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("correct horsE", a)).toBe(false);
    expect(await verifyPassword("", a)).toBe(false);
  });

  it("a hash made with other parameters still verifies, and is flagged for upgrade when weaker", async () => {
    const weak = await hashPassword("pw", { logN: 9, r: 8, p: 1 });
    expect(await verifyPassword("pw", weak)).toBe(true);
    expect(needsRehash(weak, FAST)).toBe(true);
    expect(needsRehash(await hashPassword("pw", FAST), FAST)).toBe(false);
  });

  it("the default cost is memory-hard (≥ 16 MiB) and works within node's limits", async () => {
    expect(128 * 2 ** DEFAULT_SCRYPT.logN * DEFAULT_SCRYPT.r).toBeGreaterThanOrEqual(16 * 1024 * 1024);
    const h = await hashPassword("pw");
    expect(await verifyPassword("pw", h)).toBe(true);
  });

  it("malformed stored hashes never verify", async () => {
    for (const bad of ["", "plain", "$scrypt$ln=99,r=8,p=1$AAAA$AAAA", "$2b$12$abcdefghijklmnopqrstuv"]) {
      expect(await verifyPassword("pw", bad)).toBe(false);
      expect(needsRehash(bad, FAST)).toBe(true);
    }
  });

  it("Unicode passwords are normalised (NFKC) so composed and decomposed forms match", async () => {
    const h = await hashPassword("caf\u00e9", FAST);
    expect(await verifyPassword("cafe\u0301", h)).toBe(true);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Base64Error, decodeBase64, encodeBase64, isValidBase64 } from "../src/base64";
import { vectors } from "./spec-vectors";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("Unpadded Base64: the spec's examples", () => {
  it.each(vectors.unpadded_base64)("$id", ({ input_utf8, expected }) => {
    expect(encodeBase64(utf8(input_utf8))).toBe(expected);
    expect(Buffer.from(decodeBase64(expected)).toString("utf8")).toBe(input_utf8);
  });
});

describe("URL-safe unpadded Base64", () => {
  it("uses - and _ for 62 and 63, without padding", () => {
    expect(encodeBase64(new Uint8Array([0xfb, 0xff]), { urlSafe: true })).toBe("-_8");
    expect(encodeBase64(new Uint8Array([0xfb, 0xff]))).toBe("+/8");
  });
});

describe("Decoding accepts padded and unpadded input (SHOULD accept both)", () => {
  it.each(["Zm8", "Zm8=", "-_8", "+/8", "+/8="])("decodes %s", (s) => {
    expect(decodeBase64(s).length).toBe(2);
  });

  it.each(["Z", "Zm8==", "Zm=8", "Zm 8", "Zm8*", "Zg=", "Zm9v="])("rejects %s", (s) => {
    expect(isValidBase64(s)).toBe(false);
    expect(() => decodeBase64(s)).toThrow(Base64Error);
  });

  it("tolerates non-zero trailing bits (the spec's signing-key seed has them)", () => {
    expect(decodeBase64(vectors.signing_key.seed_base64).length).toBe(32);
  });
});

describe("Base64 round trips", () => {
  const bytes = fc.uint8Array({ maxLength: 200 });
  it("standard alphabet, unpadded", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(decodeBase64(encodeBase64(b))).toEqual(b);
      }),
    );
  });
  it("URL-safe alphabet, unpadded", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(decodeBase64(encodeBase64(b, { urlSafe: true }))).toEqual(b);
      }),
    );
  });
  it("padded input from Buffer", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(decodeBase64(Buffer.from(b).toString("base64"))).toEqual(b);
      }),
    );
  });
  it("output never has padding and uses only its alphabet", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(encodeBase64(b)).toMatch(/^[A-Za-z0-9+/]*$/);
        expect(encodeBase64(b, { urlSafe: true })).toMatch(/^[A-Za-z0-9_-]*$/);
      }),
    );
  });
});

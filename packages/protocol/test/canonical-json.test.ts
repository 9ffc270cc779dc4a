import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CanonicalJsonError, canonicalJson, canonicalJsonBytes } from "../src/canonical-json";
import { vectors } from "./spec-vectors";

describe("Canonical JSON: the spec's examples, byte for byte", () => {
  it.each(vectors.canonical_json)("$id", ({ input_json_text, expected_canonical_json }) => {
    const out = canonicalJsonBytes(JSON.parse(input_json_text));
    expect(Buffer.from(out).toString("utf8")).toBe(expected_canonical_json);
    expect(Buffer.from(out)).toEqual(Buffer.from(expected_canonical_json, "utf8"));
  });
});

describe("Canonical JSON grammar", () => {
  it("keys are sorted by code point, not UTF-16 code unit", () => {
    // U+FF61 is one code unit above the surrogates; U+1F600 is a surrogate pair that sorts after it.
    expect(canonicalJson({ "\u{1F600}": 1, "\uFF61": 2, a: 3 })).toBe('{"a":3,"\uFF61":2,"\u{1F600}":1}');
  });

  it("control characters use the short escapes or lower-case \\u00XX", () => {
    expect(canonicalJson("\b\t\n\f\r\"\\\u0000\u001f\u000b")).toBe('"\\b\\t\\n\\f\\r\\"\\\\\\u0000\\u001f\\u000b"');
  });

  it("non-ASCII, DEL, U+2028 and / are written as-is", () => {
    expect(canonicalJson("é/\u007f\u2028日")).toBe('"é/\u007f\u2028日"');
  });

  it("integers at the edges of [-(2**53)+1, (2**53)-1] are allowed", () => {
    expect(canonicalJson([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])).toBe("[9007199254740991,-9007199254740991]");
  });

  it("negative zero is written as 0", () => {
    expect(canonicalJson({ a: -0 })).toBe('{"a":0}');
  });

  it.each([
    ["a float", { a: 1.5 }, "a"],
    ["2**53", { a: 2 ** 53 }, "a"],
    ["-(2**53)", [-(2 ** 53)], "0"],
    ["NaN", { b: [NaN] }, "b.0"],
    ["Infinity", Infinity, ""],
    ["undefined in an object", { a: undefined }, "a"],
    ["undefined in an array", [undefined], "0"],
    ["a function", { f: () => 1 }, "f"],
    ["a bigint", { n: 1n }, "n"],
    ["a symbol", Symbol("x"), ""],
    ["a Date", { d: new Date(0) }, "d"],
    ["a Uint8Array", { u: new Uint8Array(1) }, "u"],
    ["a lone surrogate", { s: "\ud800" }, "s"],
  ])("rejects %s with the path", (_name, value, path) => {
    try {
      canonicalJson(value);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CanonicalJsonError);
      expect((e as CanonicalJsonError).path).toBe(path);
    }
  });

  it("rooms v1–5 leniency writes out-of-range numbers only when asked", () => {
    expect(canonicalJson({ a: 1.5, b: 2 ** 60 }, { allowNonCanonicalNumbers: true })).toBe('{"a":1.5,"b":1152921504606847000}');
  });

  it("objects without a prototype are plain objects", () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 1;
    o.a = 2;
    expect(canonicalJson(o)).toBe('{"a":2,"b":1}');
  });
});

// JSON values canonical JSON can hold: safe integers, no -0, well-formed strings.
const canonicalValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger().map((n) => (n === 0 ? 0 : n)),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.array(tie("value")),
    fc.dictionary(fc.string({ unit: "binary" }), tie("value"), { noNullPrototype: true }),
  ),
})).value;

describe("Canonical JSON properties", () => {
  it("JSON.parse(canonicalJson(x)) deep-equals x", () => {
    fc.assert(
      fc.property(canonicalValue, (x) => {
        expect(JSON.parse(canonicalJson(x))).toStrictEqual(x);
      }),
    );
  });

  it("key order does not change the output", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "binary" }), canonicalValue), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });

  it("the output is already canonical (idempotent) and has no insignificant whitespace", () => {
    fc.assert(
      fc.property(canonicalValue, (x) => {
        const once = canonicalJson(x);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
    );
  });
});

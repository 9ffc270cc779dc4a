import { describe, expect, it } from "vitest";
import { findUnstorableText, MAX_JSON_DEPTH } from "../../src/http/storable-text";

const nested = (depth: number): unknown => {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

describe("findUnstorableText", () => {
  it("names the field holding a NUL or an unpaired surrogate, keys included", () => {
    expect(findUnstorableText({ a: [{ b: "x" }, { c: "y\u0000" }] }, "body")).toEqual({ path: "body.a.1.c", reason: "NUL characters (U+0000) are not allowed" });
    expect(findUnstorableText({ ["k\ud800"]: 1 }, "body")).toEqual({ path: "body.k\ud800", reason: "unpaired UTF-16 surrogates are not valid Unicode" });
    expect(findUnstorableText({ a: ["\ud83d\udca9", 1, null, true] }, "body")).toBeUndefined();
  });

  it("refuses nesting deeper than MAX_JSON_DEPTH, naming the whole body, and takes the deepest allowed", () => {
    expect(findUnstorableText(nested(MAX_JSON_DEPTH), "body")).toBeUndefined();
    expect(findUnstorableText(nested(MAX_JSON_DEPTH + 1), "body")).toEqual({ path: "body", reason: `nested more than ${MAX_JSON_DEPTH} levels deep` });
    // Far deeper than the stack of a naive recursive walk: an answer, not a RangeError.
    expect(findUnstorableText(JSON.parse("[".repeat(100_000) + "]".repeat(100_000)), "body")?.reason).toMatch(/nested more than/);
  });
});

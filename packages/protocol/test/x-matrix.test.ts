import { describe, expect, it } from "vitest";
import { generateSigningKey } from "../src/signing-key";
import { XMatrixParseError, buildXMatrixAuthorization, parseXMatrixAuthorization, verifyXMatrixAuthorization } from "../src/x-matrix";

const key = generateSigningKey("ed25519:key1");
const request = {
  method: "PUT",
  uri: "/_matrix/federation/v1/send/123?x=1",
  origin: "origin.example",
  destination: "dest.example:8448",
  content: { pdus: [], edus: [] },
};

describe("Request Authentication: X-Matrix header", () => {
  it("round trip: build, parse, verify", () => {
    const header = buildXMatrixAuthorization(request, key);
    expect(header).toMatch(/^X-Matrix origin="origin\.example",destination="dest\.example:8448",key="ed25519:key1",sig="[A-Za-z0-9+/]+"$/);
    const auth = parseXMatrixAuthorization(header);
    expect(auth).toMatchObject({ origin: "origin.example", destination: "dest.example:8448", key: "ed25519:key1" });
    expect(verifyXMatrixAuthorization(auth, request, key.publicKey)).toEqual({ ok: true });
  });

  it("requests without a body sign no content key", () => {
    const get = { ...request, method: "GET", content: undefined };
    const auth = parseXMatrixAuthorization(buildXMatrixAuthorization(get, key));
    expect(verifyXMatrixAuthorization(auth, get, key.publicKey).ok).toBe(true);
    expect(verifyXMatrixAuthorization(auth, { ...get, content: {} }, key.publicKey).ok).toBe(false);
  });

  it("a bad signature is rejected", () => {
    const auth = parseXMatrixAuthorization(buildXMatrixAuthorization(request, key));
    expect(verifyXMatrixAuthorization(auth, { ...request, uri: "/_matrix/federation/v1/send/124" }, key.publicKey)).toEqual({ ok: false, reason: "bad_signature" });
    expect(verifyXMatrixAuthorization(auth, request, generateSigningKey("ed25519:k").publicKey).ok).toBe(false);
    expect(verifyXMatrixAuthorization({ ...auth, sig: "not base64!" }, request, key.publicKey).ok).toBe(false);
  });

  it("a destination that is not ours is refused", () => {
    const auth = parseXMatrixAuthorization(buildXMatrixAuthorization(request, key));
    expect(verifyXMatrixAuthorization(auth, { ...request, destination: "other.example" }, key.publicKey)).toEqual({ ok: false, reason: "wrong_destination" });
  });

  it("recipients accept requests without destination (servers before v1.3)", () => {
    const auth = parseXMatrixAuthorization(buildXMatrixAuthorization(request, key));
    const parsed = parseXMatrixAuthorization(`X-Matrix origin=origin.example,key="ed25519:key1",sig="${auth.sig}"`);
    expect(parsed.destination).toBeUndefined();
    expect(verifyXMatrixAuthorization(parsed, request, key.publicKey).ok).toBe(true);
  });
});

describe("X-Matrix parameter syntax (RFC 9110 §11.4)", () => {
  it("names are case-insensitive, order does not matter, spaces and tabs around commas", () => {
    const auth = parseXMatrixAuthorization('x-matrix   SIG="abc" ,\tKey="ed25519:1" , Origin="o.example",destination="d"');
    expect(auth).toEqual({ origin: "o.example", destination: "d", key: "ed25519:1", sig: "abc" });
  });

  it("token values may be unquoted, and colons are allowed unquoted for older servers", () => {
    expect(parseXMatrixAuthorization("X-Matrix origin=o.example:8448,key=ed25519:1,sig=ab+/c")).toMatchObject({
      origin: "o.example:8448",
      key: "ed25519:1",
      sig: "ab+/c",
    });
  });

  it("backslash-escaped characters in quoted values are unescaped", () => {
    expect(parseXMatrixAuthorization('X-Matrix origin="a\\"b\\\\c\\d",key="k",sig="s"').origin).toBe('a"b\\cd');
  });

  it("unknown parameters are ignored", () => {
    expect(parseXMatrixAuthorization('X-Matrix origin="o",key="k",sig="s",future="x"').origin).toBe("o");
  });

  it.each([
    "Bearer abc",
    "X-Matrix",
    'X-Matrix origin="o",key="k"',
    'X-Matrix origin="o,key="k",sig="s"',
    'X-Matrix origin="o" key="k",sig="s"',
    'X-Matrix origin="o",origin="p",key="k",sig="s"',
    'X-Matrix origin=,key="k",sig="s"',
  ])("rejects %j", (header) => {
    expect(() => parseXMatrixAuthorization(header)).toThrow(XMatrixParseError);
  });
});

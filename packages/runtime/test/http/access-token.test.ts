import { describe, expect, it } from "vitest";
import { accessTokenOf, requireAccessToken } from "../../src/http/access-token";

const err = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { errcode?: string; status?: number });
  }
  throw new Error("did not throw");
};

describe("access tokens", () => {
  it("reads the Bearer header", () => {
    expect(accessTokenOf({ headers: { authorization: "Bearer abc" } })).toBe("abc");
  });
  it("reads the deprecated access_token query parameter", () => {
    expect(accessTokenOf({ headers: {}, query: { access_token: "q" } })).toBe("q");
  });
  it("no token → undefined, or 401 M_MISSING_TOKEN when required", () => {
    expect(accessTokenOf({ headers: {} })).toBeUndefined();
    expect(err(() => requireAccessToken({ headers: {} }))).toMatchObject({ errcode: "M_MISSING_TOKEN", status: 401 });
  });
  it("a header that is not Bearer is refused", () => {
    expect(err(() => accessTokenOf({ headers: { authorization: "Basic eDp5" } }))).toMatchObject({ errcode: "M_MISSING_TOKEN" });
  });
  it("two different tokens are refused", () => {
    expect(err(() => accessTokenOf({ headers: { authorization: "Bearer a" }, query: { access_token: "b" } }))).toMatchObject({
      errcode: "M_INVALID_PARAM",
    });
  });
});

import { describe, expect, it } from "vitest";
import { createHttpServer, createLogger } from "@dendrite-ts/runtime";
import { registerVersionsRoute, SUPPORTED_SPEC_VERSIONS } from "../src/index";

describe("GET /_matrix/client/versions", () => {
  const server = createHttpServer({ logger: createLogger({ level: "silent", format: "json" }) });
  registerVersionsRoute(server);

  it("lists the spec versions we implement, without an access token", async () => {
    const res = await server.inject({ method: "GET", url: "/_matrix/client/versions" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ versions: [...SUPPORTED_SPEC_VERSIONS], unstable_features: {} });
    expect(res.headers["access-control-allow-origin"]).toBe("*");
  });

  it("lists every v1.x up to v1.19, so clients testing an older exact version find it", () => {
    expect(SUPPORTED_SPEC_VERSIONS[0]).toBe("v1.1");
    expect(SUPPORTED_SPEC_VERSIONS).toContain("v1.5"); // matrix-js-sdk's minimum in recent releases
    expect(SUPPORTED_SPEC_VERSIONS.at(-1)).toBe("v1.19");
    expect(SUPPORTED_SPEC_VERSIONS).toHaveLength(19);
    expect(SUPPORTED_SPEC_VERSIONS.some((v) => v.startsWith("r0"))).toBe(false);
  });

  it("answers a wrong method with 405 M_UNRECOGNIZED", async () => {
    const res = await server.inject({ method: "POST", url: "/_matrix/client/versions", payload: {} });
    expect(res.statusCode).toBe(405);
    expect(res.json()).toMatchObject({ errcode: "M_UNRECOGNIZED" });
  });
});

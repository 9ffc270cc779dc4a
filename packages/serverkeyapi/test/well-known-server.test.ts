// /.well-known/matrix/server as another server fetches it: our delegation when configured,
// 404 M_NOT_FOUND when not (the caller then connects to the server name itself).
import { describe, expect, it } from "vitest";
import { createHttpServer, createLogger } from "@dendrite-ts/runtime";
import { registerServerDiscoveryRoute } from "../src/routing/well-known-server";

const serve = async (delegatedTo: string | undefined) => {
  const server = createHttpServer({ logger: createLogger({ level: "silent", format: "json" }) });
  registerServerDiscoveryRoute(server, delegatedTo);
  const res = await server.inject({ method: "GET", url: "/.well-known/matrix/server" });
  await server.close();
  return { status: res.statusCode, body: res.json() };
};

describe("/.well-known/matrix/server", () => {
  it("names the delegated host:port, or is 404", async () => {
    expect(await serve("matrix.example.org:443")).toEqual({ status: 200, body: { "m.server": "matrix.example.org:443" } });
    expect(await serve(undefined)).toMatchObject({ status: 404, body: { errcode: "M_NOT_FOUND" } });
  });
});

import { defaultConfigYaml, loadConfig } from "@dendrite-ts/runtime";
import { describe, expect, it } from "vitest";
import { COMPONENT_ENTRIES } from "../src/components/index";
import { routeFor } from "../src/front-proxy";

describe("the front proxy's media paths", () => {
  const config = loadConfig({ yaml: defaultConfigYaml({ serverName: "hs.test", polylith: true }), env: {} });
  const routes = COMPONENT_ENTRIES.flatMap((c) => c.publicRoutes(config));
  const target = (name: string) => COMPONENT_ENTRIES.find((c) => c.name === name)!.publicRoutes(config)[0]!.target;

  it.each([
    "/_matrix/media/v3/upload",
    "/_matrix/media/v3/upload/hs.test/abc",
    "/_matrix/media/v1/create",
    "/_matrix/media/v3/download/hs.test/abc",
    "/_matrix/media/v3/config",
    "/_matrix/media/r0/download/hs.test/abc/name.png",
    "/_matrix/client/v1/media/config",
    "/_matrix/client/v1/media/download/hs.test/abc",
    "/_matrix/client/v1/media/download/hs.test/abc/name.png",
    "/_matrix/client/v1/media/preview_url",
    "/_matrix/media/v3/preview_url",
  ])("%s → mediaapi", (path) => expect(routeFor(routes, path)?.target).toBe(target("mediaapi")));

  it.each(["/_matrix/client/v1/rooms/!a/hierarchy", "/_matrix/client/v3/profile/%40a%3Ahs.test/avatar_url"])("%s → clientapi", (path) =>
    expect(routeFor(routes, path)?.target).toBe(target("clientapi")),
  );
});

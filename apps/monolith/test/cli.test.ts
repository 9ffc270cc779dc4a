import { describe, expect, it } from "vitest";
import { parseMonolithFlags } from "../src/cli";

describe("monolith flags", () => {
  it("defaults: ./data, no port or name given", () => {
    expect(parseMonolithFlags([])).toEqual({ dataDir: "./data", openRegistration: false, help: false });
  });

  it("reads every flag", () => {
    expect(
      parseMonolithFlags(["--config", "c.yaml", "--data-dir", "/d", "--http-port", "8009", "--server-name", "hs.test", "--open-registration"]),
    ).toEqual({ config: "c.yaml", dataDir: "/d", httpPort: 8009, serverName: "hs.test", openRegistration: true, help: false });
  });

  it.each([["abc"], ["70000"], ["80.5"], [""]])("rejects --http-port %s", (port) => {
    expect(() => parseMonolithFlags(["--http-port", port])).toThrow(/--http-port must be a port number/);
  });

  it("rejects an unknown flag", () => {
    expect(() => parseMonolithFlags(["--colour"])).toThrow(/--colour/);
  });
});

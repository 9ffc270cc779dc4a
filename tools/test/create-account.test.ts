/**
 * The newcomer's path after `npm start`: the first run wrote a shared secret into its config, so
 * `npm run create-account` makes an account on the running server, which can then log in.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHomeserver, type Homeserver } from "../src/harness/homeserver";
import { spawnEntry } from "../src/harness/spawn-server";

describe("create-account against a running monolith", () => {
  let hs: Homeserver;
  beforeAll(async () => {
    hs = await startHomeserver("monolith");
  }, 120_000);
  afterAll(async () => {
    await hs?.stop();
  });

  const run = async (args: string[]) => {
    const cli = spawnEntry("tools/src/create-account.ts", args);
    const code = await new Promise<number | null>((r) => cli.child.once("exit", r));
    return { code, output: cli.output() };
  };

  it("creates an admin account that can log in with the printed password", async () => {
    const config = join(hs.dataDir!, "dendrite.yaml");
    const { code, output } = await run(["--config", config, "--username", "root", "--admin", "--url", hs.baseUrl]);
    expect(code).toBe(0);
    const m = /created (@root:\S+) \(admin\) with password (\S+)/.exec(output);
    expect(m, output).not.toBeNull();
    const login = await fetch(`${hs.baseUrl}/_matrix/client/v3/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: "root" }, password: m![2] }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user_id: string }).user_id).toBe(m![1]);
  });

  it("refuses a taken name with the server's error", async () => {
    const config = join(hs.dataDir!, "dendrite.yaml");
    const { code, output } = await run(["--config", config, "--username", "root", "--password", "x-long-password", "--url", hs.baseUrl]);
    expect(code).toBe(1);
    expect(output).toContain("M_USER_IN_USE");
  });
});

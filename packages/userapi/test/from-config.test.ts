import { afterEach, describe, expect, it } from "vitest";
import { ensureConfiguredTokens, registrationFromConfig } from "../src/index";
import { startUserapi, type Harness } from "./harness";

describe("registration from the config file", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("maps the section: tokens listed → the token flow is on", () => {
    expect(registrationFromConfig({ open: false })).toEqual({ open: false, tokensEnabled: false });
    expect(registrationFromConfig({ open: true, shared_secret: "s", tokens: ["a"] })).toEqual({
      open: true,
      sharedSecret: "s",
      tokensEnabled: true,
    });
  });

  it("creates each listed token once, unlimited and never expiring, on every start", async () => {
    h = await startUserapi("local", { tokensEnabled: true });
    await ensureConfiguredTokens(h.client, ["invite-1", "invite-2"]);
    await ensureConfiguredTokens(h.client, ["invite-1", "invite-2"]); // a restart: nothing new
    const { body } = await h.client.listRegistrationTokens({ body: {} });
    const tokens = (body as { tokens: { token: string; usesAllowed: number | null; expiryTs: number | null }[] }).tokens;
    expect(tokens.map((t) => t.token).sort()).toEqual(["invite-1", "invite-2"]);
    expect(tokens.every((t) => t.usesAllowed === null && t.expiryTs === null)).toBe(true);
  });
});

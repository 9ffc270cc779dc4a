// Localpart rules of the spec's user ID grammar (appendices, "User Identifiers").
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MatrixError } from "@dendrite-ts/protocol";
import { localpartFromUser, validateNewLocalpart } from "../src/internal/user-ids";
import { expectMatrixError, ok, SERVER, startUserapi, type Harness } from "./harness";

const invalid = (l: string) => {
  try {
    validateNewLocalpart(l, SERVER);
    return undefined;
  } catch (e) {
    return (e as MatrixError).errcode;
  }
};

describe("validateNewLocalpart", () => {
  it.each(["alice", "a", "0", "a.b_c=d-e/f+g", "user123", "x".repeat(255 - `@:${SERVER}`.length)])("accepts %j", (l) => {
    expect(invalid(l)).toBeUndefined();
  });

  it.each([
    ["empty", ""],
    ["upper case", "Alice"],
    ["space", "al ice"],
    ["colon", "al:ice"],
    ["at sign", "al@ice"],
    ["wildcard", "al*ice"],
    ["non-ASCII", "alicé"],
    ["NUL", "a\u0000b"],
    ["too long with the server name (256 bytes)", "x".repeat(256 - `@:${SERVER}`.length)],
  ])("rejects %s with M_INVALID_USERNAME", (_name, l) => {
    expect(invalid(l)).toBe("M_INVALID_USERNAME");
  });
});

describe("localpartFromUser (login identifiers)", () => {
  it.each([
    ["alice", "alice"],
    ["ALICE", "alice"],
    [`@alice:${SERVER}`, "alice"],
    [`@Alice:${SERVER}`, "alice"],
    ["@alice:other.server", undefined],
    ["@:test.local", undefined],
    ["", undefined],
    ["a:b", undefined],
  ])("%j → %j", (input, want) => {
    expect(localpartFromUser(input, SERVER)).toBe(want);
  });
});

describe("registration folds case and checks the grammar", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startUserapi("local");
  });
  afterEach(async () => h.close());

  it("Upper-case usernames register as lower case", async () => {
    expect((await ok(h.client.createAccount({ body: { localpart: "BoB", password: "pw" } }))).userId).toBe(`@bob:${SERVER}`);
  });

  it.each(["al ice", "al:ice", "émile", "a*"])("%j is M_INVALID_USERNAME at creation and availability", async (l) => {
    await expectMatrixError(h.client.createAccount({ body: { localpart: l, password: "pw" } }), "M_INVALID_USERNAME", 400);
    await expectMatrixError(h.client.checkUsernameAvailable({ body: { username: l } }), "M_INVALID_USERNAME");
  });

  it("empty and over-long passwords are refused", async () => {
    await expectMatrixError(h.client.createAccount({ body: { localpart: "a", password: "" } }), "M_WEAK_PASSWORD");
    await expectMatrixError(h.client.createAccount({ body: { localpart: "a", password: "x".repeat(513) } }), "M_INVALID_PARAM");
  });
});

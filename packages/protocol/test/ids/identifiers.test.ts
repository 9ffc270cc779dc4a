import { describe, expect, it } from "vitest";
import { InvalidIdentifierError } from "../../src/ids/common";
import { eventIdServerName, isValidEventId, parseEventId } from "../../src/ids/event-id";
import { isValidKeyId, keyIdAlgorithm, keyIdVersion, parseKeyId } from "../../src/ids/key-id";
import { isValidRoomAlias, parseRoomAlias, roomAliasLocalpart, roomAliasServerName } from "../../src/ids/room-alias";
import { isValidRoomId, parseRoomId, roomIdServerName } from "../../src/ids/room-id";
import { isValidServerName, parseServerName, splitServerName } from "../../src/ids/server-name";
import { isCompliantUserId, isValidUserId, parseUserId, strictUserIdSchema, userIdLocalpart, userIdServerName, userIdSchema } from "../../src/ids/user-id";

describe("Server Name grammar", () => {
  it.each(["matrix.org", "matrix.org:8888", "1.2.3.4", "1.2.3.4:1234", "[1234:5678::abcd]", "[1234:5678::abcd]:5678", "localhost", "MATRIX.ORG", "a-b.c", "[::1]", "[::ffff:1.2.3.4]:80"])(
    "accepts %s",
    (s) => expect(isValidServerName(s)).toBe(true),
  );
  it.each(["", ":80", "matrix.org:", "matrix.org:123456", "matrix.org:8a", "1.2.3.256", "[1234:5678::abcd", "1234:5678::abcd", "[::1]x", "[::g]", "[]", "exa_mple.org", "ex ample.org", "a:1:2", "é.org", "a".repeat(256)])(
    "rejects %j",
    (s) => expect(isValidServerName(s)).toBe(false),
  );
  it("splits host and port", () => {
    expect(splitServerName(parseServerName("[::1]:8448"))).toEqual({ host: "[::1]", port: 8448 });
    expect(splitServerName(parseServerName("example.org"))).toEqual({ host: "example.org", port: undefined });
  });
});

describe("User Identifiers", () => {
  it("current grammar: a-z 0-9 . _ = - / +", () => {
    expect(isValidUserId("@a.b_c=d-e/f+g9:example.org", { strict: true })).toBe(true);
  });
  it.each(["@Alice:example.org", "@al ice:example.org", "@:example.org", "@é:example.org"])("strict grammar rejects %j", (s) => {
    expect(isValidUserId(s, { strict: true })).toBe(false);
  });
  it.each(["@Alice:example.org", "@:example.org", "@é☃:example.org", "@a\u0001b:example.org", "@!#$%:example.org"])(
    "historical user IDs are accepted when received: %j",
    (s) => expect(isValidUserId(s)).toBe(true),
  );
  it.each(["alice:example.org", "@alice", "@a\0b:example.org", "@a\ud800:example.org", "@alice:bad_server", "@alice:"])(
    "rejects %j in any mode",
    (s) => expect(isValidUserId(s)).toBe(false),
  );
  it("the whole ID is at most 255 bytes, counted in UTF-8", () => {
    const domain = ":example.org";
    expect(isValidUserId("@" + "a".repeat(255 - 1 - domain.length) + domain)).toBe(true);
    expect(isValidUserId("@" + "a".repeat(256 - 1 - domain.length) + domain)).toBe(false);
    expect(isValidUserId("@" + "é".repeat(122) + domain)).toBe(false); // 244 chars, 257 bytes
  });
  it("empty localparts and characters outside U+0021–U+007E are non-compliant", () => {
    expect(isCompliantUserId(parseUserId("@:example.org"))).toBe(false);
    expect(isCompliantUserId(parseUserId("@é:example.org"))).toBe(false);
    expect(isCompliantUserId(parseUserId("@Alice:example.org"))).toBe(true);
  });
  it("splits at the first colon: the domain may hold a port", () => {
    const id = parseUserId("@alice:example.org:8448");
    expect(userIdLocalpart(id)).toBe("alice");
    expect(userIdServerName(id)).toBe("example.org:8448");
  });
  it("zod schemas parse into the brand and report the reason", () => {
    expect(userIdSchema.parse("@Bob:x")).toBe("@Bob:x");
    const result = strictUserIdSchema.safeParse("@Bob:x");
    expect(result.success).toBe(false);
  });
  it("parse errors are InvalidIdentifierError naming the kind", () => {
    expect(() => parseUserId("nope")).toThrow(InvalidIdentifierError);
    expect(() => parseUserId("nope")).toThrow(/user ID/);
  });
});

describe("Room IDs", () => {
  it.each(["!abc:example.org", "!ABC123:example.org:8448", "!é:[::1]", "!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ"])("accepts %s", (s) => {
    expect(isValidRoomId(s)).toBe(true);
  });
  it.each(["abc:example.org", "!abc", "!Nhcu5BS+UMnFX7hBVfVSoXiD7OgH6iRT/xyIuqDnpYQ", "!short", "!a:bad_host", "!a\0:x"])("rejects %j", (s) => {
    expect(isValidRoomId(s)).toBe(false);
  });
  it("v12 room IDs have no server part", () => {
    expect(roomIdServerName(parseRoomId("!Nhcu5BS-UMnFX7hBVfVSoXiD7OgH6iRT-xyIuqDnpYQ"))).toBeUndefined();
    expect(roomIdServerName(parseRoomId("!a:example.org"))).toBe("example.org");
  });
  it("at most 255 bytes", () => {
    expect(isValidRoomId("!" + "a".repeat(250) + ":x.org")).toBe(false);
  });
});

describe("Event IDs per room version format", () => {
  const v1 = "$a4ecee13e2accdadf56c1025:example.com";
  const v3 = "$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk";
  const v4 = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";
  it("v1/v2: $opaque:domain", () => {
    expect(isValidEventId(v1, "v1")).toBe(true);
    expect(isValidEventId(v3, "v1")).toBe(false);
    expect(eventIdServerName(parseEventId(v1))).toBe("example.com");
  });
  it("v3: standard base64 of the reference hash", () => {
    expect(isValidEventId(v3, "v3")).toBe(true);
    expect(isValidEventId(v4, "v3")).toBe(false);
  });
  it("v4+: URL-safe base64 of the reference hash", () => {
    expect(isValidEventId(v4, "v4")).toBe(true);
    expect(isValidEventId(v3, "v4")).toBe(false);
    expect(eventIdServerName(parseEventId(v4))).toBeUndefined();
  });
  it.each(["", "$", "a:b", "$:example.com", "$abc", "$" + "a".repeat(44)])("rejects %j in every format", (s) => {
    expect(isValidEventId(s)).toBe(false);
  });
});

describe("Room Aliases", () => {
  it("#localpart:domain with any non-surrogate localpart", () => {
    const alias = parseRoomAlias("#Café ☕:example.org");
    expect(roomAliasLocalpart(alias)).toBe("Café ☕");
    expect(roomAliasServerName(alias)).toBe("example.org");
  });
  it.each(["room:example.org", "#room", "#ro\0om:x", "#room:bad_host", "#" + "a".repeat(250) + ":x.org"])("rejects %j", (s) => {
    expect(isValidRoomAlias(s)).toBe(false);
  });
});

describe("Key IDs", () => {
  it("algorithm:version with version [a-zA-Z0-9_]", () => {
    const id = parseKeyId("ed25519:a_B9");
    expect(keyIdAlgorithm(id)).toBe("ed25519");
    expect(keyIdVersion(id)).toBe("a_B9");
  });
  it.each(["ed25519", "ed25519:", ":abc", "ed25519:a-b", "ed25519:a:b", "ed25519:a b"])("rejects %j", (s) => {
    expect(isValidKeyId(s)).toBe(false);
  });
});

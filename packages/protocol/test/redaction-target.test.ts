// Which event a redaction redacts: the top-level `redacts` in room versions 1–10,
// `content.redacts` from v11 — never the other place, whatever the sender put there.
import { describe, expect, it } from "vitest";
import { getRoomVersion, redactsOf, SUPPORTED_ROOM_VERSIONS } from "../src";

const before11 = SUPPORTED_ROOM_VERSIONS.filter((v) => Number(v) <= 10);
const from11 = SUPPORTED_ROOM_VERSIONS.filter((v) => Number(v) >= 11);
const both = { type: "m.room.redaction", redacts: "$top", content: { redacts: "$content" } };

describe("redactsOf", () => {
  it.each(before11)("v%s: the top-level redacts, not content.redacts", (version) => {
    expect(redactsOf(both, version)).toBe("$top");
    expect(redactsOf({ type: "m.room.redaction", content: { redacts: "$content" } }, version)).toBeUndefined();
  });

  it.each(from11)("v%s: content.redacts, not the top-level redacts", (version) => {
    expect(redactsOf(both, version)).toBe("$content");
    expect(redactsOf({ type: "m.room.redaction", redacts: "$top", content: {} }, version)).toBeUndefined();
  });

  it("takes the rules as well as the ID, names nothing for other events or a non-string", () => {
    expect(redactsOf(both, getRoomVersion("11")!)).toBe("$content");
    expect(redactsOf({ ...both, type: "m.room.message" }, "10")).toBeUndefined();
    expect(redactsOf({ type: "m.room.redaction", redacts: 5, content: { redacts: ["$x"] } }, "10")).toBeUndefined();
    expect(redactsOf({ type: "m.room.redaction", content: { redacts: ["$x"] } }, "11")).toBeUndefined();
    expect(redactsOf({ type: "m.room.redaction", content: "nope" }, "11")).toBeUndefined();
  });

  it("an unknown room version is M_UNSUPPORTED_ROOM_VERSION", () => {
    expect(() => redactsOf(both, "999")).toThrow(expect.objectContaining({ errcode: "M_UNSUPPORTED_ROOM_VERSION" }));
  });
});

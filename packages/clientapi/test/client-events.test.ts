// PDUs served to clients: event ID computed per room version, room_id filled in, redacts copied.
import { generateSigningKey, buildEvent, getRoomVersion } from "@dendrite-ts/protocol";
import { describe, expect, it } from "vitest";
import { toClientEvent } from "../src/client-events";

const key = generateSigningKey("ed25519:t");

function pdu(version: string, type: string, content: Record<string, unknown>, extra: { redacts?: string } = {}) {
  const built = buildEvent({
    roomVersion: getRoomVersion(version)!,
    roomId: "!r:test.local",
    sender: "@a:test.local",
    type,
    content,
    prevEvents: [],
    authEvents: [],
    depth: 2,
    serverName: "test.local",
    key,
    ...extra,
  });
  return built.pdu as unknown as Record<string, unknown>;
}

describe("toClientEvent", () => {
  it("a v11+ redaction gets a top-level redacts copied from its content (for older clients)", () => {
    const ev = toClientEvent(pdu("12", "m.room.redaction", { redacts: "$target" }), "!r:test.local", "12");
    expect(ev).toMatchObject({ type: "m.room.redaction", redacts: "$target", content: { redacts: "$target" } });
    expect(ev.event_id).toMatch(/^\$[A-Za-z0-9_-]{43}$/);
  });

  it("a redaction is served naming the target its room version names, in both places, over a redacts the sender put elsewhere", () => {
    const v10 = toClientEvent(pdu("10", "m.room.redaction", { reason: "r", redacts: "$bogus" }, { redacts: "$target" }), "!r:test.local", "10");
    expect(v10).toMatchObject({ redacts: "$target", content: { reason: "r", redacts: "$target" } });
    const v11 = toClientEvent({ ...pdu("11", "m.room.redaction", { redacts: "$target" }), redacts: "$bogus" }, "!r:test.local", "11");
    expect(v11).toMatchObject({ redacts: "$target", content: { redacts: "$target" } });
  });

  it("a message keeps no redacts; the room ID is always present", () => {
    const ev = toClientEvent(pdu("12", "m.room.message", { body: "x", redacts: "$nope" }), "!r:test.local", "12");
    expect((ev as { redacts?: string }).redacts).toBeUndefined();
    expect(ev.room_id).toBe("!r:test.local");
    expect(ev.sender).toBe("@a:test.local");
  });
});

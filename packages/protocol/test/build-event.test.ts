import { describe, expect, it } from "vitest";
import { buildEvent, eventReference } from "../src/build-event";
import { canonicalJson } from "../src/canonical-json";
import { computeEventId, computeRoomIdFromCreateEvent } from "../src/event-id";
import { MatrixError } from "../src/errors";
import { isValidEventId } from "../src/ids/event-id";
import { generateSigningKey } from "../src/signing-key";
import { verifyEvent } from "../src/verify-event";

const key = generateSigningKey("ed25519:1");
const lookup = (server: string, keyId: string) => (server === "a.example" && keyId === "ed25519:1" ? { key: key.publicKey } : undefined);
const input = {
  roomId: "!r:a.example",
  sender: "@alice:a.example",
  type: "m.room.message",
  content: { body: "hi" },
  prevEvents: [] as string[],
  authEvents: [] as string[],
  depth: 1,
  serverName: "a.example",
  key,
};

describe("Building events", () => {
  it.each(["3", "4", "10", "11", "12"])("v%s: a signed PDU whose ID matches its reference hash and which verifies", (v) => {
    const { pdu, eventId, canonical } = buildEvent({ ...input, roomVersion: v });
    expect(eventId).toBe(computeEventId(pdu, v));
    expect(canonical).toBe(canonicalJson(pdu));
    // A state event whose content redaction keeps in part: the ID still covers the redacted form.
    const pl = buildEvent({ ...input, roomVersion: v, type: "m.room.power_levels", stateKey: "", content: { users: { "@alice:a.example": 100 }, ban: 50, extra: "dropped by redaction" } });
    expect(pl.eventId).toBe(computeEventId(pl.pdu, v));
    expect(verifyEvent(pl.pdu, v, lookup).outcome).toBe("valid");
    expect(verifyEvent(pdu, v, lookup).outcome).toBe("valid");
    expect(pdu).not.toHaveProperty("event_id");
    expect(typeof pdu.origin_server_ts).toBe("number");
  });

  it("v1/v2: a sender-chosen $opaque:server event ID and hashed references", () => {
    const first = buildEvent({ ...input, roomVersion: "1" });
    expect(isValidEventId(first.eventId, "v1")).toBe(true);
    expect(first.eventId.endsWith(":a.example")).toBe(true);
    const ref = eventReference(first.pdu, "1");
    const second = buildEvent({ ...input, roomVersion: "1", prevEvents: [ref] as never, depth: 2 });
    expect(second.pdu.prev_events).toEqual([[first.eventId, { sha256: ref.sha256 }]]);
    expect(verifyEvent(second.pdu, "1", lookup).outcome).toBe("valid");
    expect(() => buildEvent({ ...input, roomVersion: "1", prevEvents: ["$x:a.example"] })).toThrow(MatrixError);
  });

  it("v12: the create event has no room_id; its hash is the room ID", () => {
    const create = buildEvent({ ...input, roomVersion: "12", roomId: undefined, type: "m.room.create", stateKey: "", content: {} });
    expect(create.pdu).not.toHaveProperty("room_id");
    const roomId = computeRoomIdFromCreateEvent(create.pdu);
    expect(roomId.slice(1)).toBe(create.eventId.slice(1));
    expect(() => buildEvent({ ...input, roomVersion: "12", type: "m.room.create", stateKey: "", content: {} })).toThrow(/no room_id/);
    expect(() => buildEvent({ ...input, roomVersion: "12", roomId: undefined })).toThrow(/room_id is required/);
  });

  it("redacts is top-level before v11 and left to content from v11", () => {
    const redaction = { ...input, type: "m.room.redaction", redacts: "$e", content: {} };
    expect(buildEvent({ ...redaction, roomVersion: "10" }).pdu.redacts).toBe("$e");
    expect(buildEvent({ ...redaction, roomVersion: "11" }).pdu.redacts).toBeUndefined();
  });

  it("bad input is a MatrixError naming the field", () => {
    try {
      buildEvent({ ...input, roomVersion: "11", sender: "alice" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MatrixError);
      expect((e as MatrixError).extras.field).toBe("sender");
    }
  });
});

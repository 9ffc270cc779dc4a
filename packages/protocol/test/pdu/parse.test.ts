import { describe, expect, it } from "vitest";
import { buildEvent } from "../../src/build-event";
import { canonicalJson } from "../../src/canonical-json";
import { parseUntrustedPdu } from "../../src/pdu/parse";
import { MAX_PDU_BYTES } from "../../src/pdu/size-limits";
import { generateSigningKey } from "../../src/signing-key";

const key = generateSigningKey("ed25519:1");
const { pdu: message, eventId } = buildEvent({
  roomVersion: "11",
  roomId: "!r:a.example",
  sender: "@alice:a.example",
  type: "m.room.message",
  content: { body: "hi" },
  prevEvents: ["$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg"],
  authEvents: [],
  depth: 2,
  originServerTs: 1000,
  serverName: "a.example",
  key,
});

function errorOf(json: string | object, version = "11") {
  const result = parseUntrustedPdu(json, version);
  if (result.ok) throw new Error("expected a failure");
  return { errcode: result.error.errcode, field: result.error.extras.field, message: result.error.message };
}

describe("Checks performed on receipt of a PDU: a valid event", () => {
  it("parses a valid v11 PDU from text and from an object, computing its event ID", () => {
    for (const input of [JSON.stringify(message), message]) {
      const result = parseUntrustedPdu(input, "11");
      expect(result.ok && result.eventId).toBe(eventId);
    }
  });

  it("keeps unknown keys (lenient reads)", () => {
    const result = parseUntrustedPdu({ ...message, "org.example.custom": 1 }, "11");
    expect(result.ok && result.pdu["org.example.custom"]).toBe(1);
  });

  it("text that is not JSON is M_NOT_JSON", () => {
    expect(errorOf("{nope").errcode).toBe("M_NOT_JSON");
  });

  it.each([
    ["sender", { sender: "alice" }],
    ["type", { type: 5 }],
    ["depth", { depth: -1 }],
    ["content", { content: [] }],
    ["hashes.sha256", { hashes: {} }],
    ["prev_events.0", { prev_events: ["$not:a-v4-id"] }],
    ["room_id", { room_id: undefined }],
    ["origin_server_ts", { origin_server_ts: "now" }],
  ])("a bad %s is M_BAD_JSON naming the field", (field, patch) => {
    const bad = JSON.parse(JSON.stringify({ ...message, ...patch })) as object;
    expect(errorOf(bad)).toMatchObject({ errcode: "M_BAD_JSON", field });
  });

  it("more than 20 prev_events or 10 auth_events is refused", () => {
    const id = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";
    expect(errorOf({ ...message, prev_events: Array(21).fill(id) }).field).toBe("prev_events");
    expect(errorOf({ ...message, auth_events: Array(11).fill(id) }).field).toBe("auth_events");
  });

  it("v6+: floats are not canonical JSON, with the path", () => {
    expect(errorOf({ ...message, content: { n: 1.5 } })).toMatchObject({ errcode: "M_BAD_JSON", field: "content.n" });
  });

  it("v1–5: out-of-range numbers in content are tolerated", () => {
    const v5 = buildEvent({ ...baseInput, roomVersion: "5" }).pdu;
    expect(parseUntrustedPdu({ ...v5, content: { n: 1.5 } }, "5").ok).toBe(true);
  });

  it("v1/v2: event_id and [id, {sha256}] references", () => {
    const v1 = buildEvent({ ...baseInput, roomVersion: "1", prevEvents: [{ eventId: "$p:a.example", sha256: "abc" }] });
    const result = parseUntrustedPdu(v1.pdu, "1");
    expect(result.ok && result.eventId).toBe(v1.eventId);
    expect(errorOf({ ...v1.pdu, prev_events: ["$p:a.example"] }, "1")).toMatchObject({ field: "prev_events.0" });
    const { event_id: _e, ...noId } = v1.pdu as unknown as Record<string, unknown>;
    expect(errorOf(noId, "1").field).toBe("event_id");
  });

  it("v12: only the create event may omit room_id", () => {
    const create = buildEvent({ ...baseInput, roomVersion: "12", roomId: undefined, type: "m.room.create", stateKey: "", content: {} });
    expect(parseUntrustedPdu(create.pdu, "12").ok).toBe(true);
    const { room_id: _r, ...noRoom } = message as unknown as Record<string, unknown>;
    expect(errorOf(noRoom, "12").field).toBe("room_id");
  });
});

const baseInput = {
  roomVersion: "11",
  roomId: "!r:a.example",
  sender: "@alice:a.example",
  type: "m.room.message",
  content: { body: "hi" },
  prevEvents: [],
  authEvents: [],
  depth: 2,
  originServerTs: 1000,
  serverName: "a.example",
  key,
};

describe("Size limits", () => {
  it("the whole PDU may be 65,536 bytes of canonical JSON, not one more", () => {
    const overhead = Buffer.byteLength(canonicalJson({ ...message, content: { body: "" } }));
    const fits = { ...message, content: { body: "x".repeat(MAX_PDU_BYTES - overhead) } };
    expect(Buffer.byteLength(canonicalJson(fits))).toBe(MAX_PDU_BYTES);
    expect(parseUntrustedPdu(fits, "11").ok).toBe(true);
    const over = { ...message, content: { body: "x".repeat(MAX_PDU_BYTES - overhead + 1) } };
    expect(errorOf(over).errcode).toBe("M_TOO_LARGE");
  });

  it.each(["type", "state_key"])("%s may be 255 bytes, not 256 (counted in UTF-8)", (field) => {
    expect(parseUntrustedPdu({ ...message, [field]: "a".repeat(255) }, "11").ok).toBe(true);
    expect(errorOf({ ...message, [field]: "a".repeat(256) })).toMatchObject({ errcode: "M_TOO_LARGE", field });
    expect(errorOf({ ...message, [field]: "é".repeat(128) })).toMatchObject({ errcode: "M_TOO_LARGE", field });
  });

  it("sender and room_id over 255 bytes are refused", () => {
    expect(errorOf({ ...message, sender: "@" + "a".repeat(250) + ":a.example" }).field).toBe("sender");
    expect(errorOf({ ...message, room_id: "!" + "a".repeat(250) + ":a.example" }).field).toBe("room_id");
  });

  it("building an oversized event throws M_TOO_LARGE", () => {
    expect(() => buildEvent({ ...baseInput, content: { body: "x".repeat(MAX_PDU_BYTES) } })).toThrow(/over 65536/);
  });
});

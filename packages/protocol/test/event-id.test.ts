import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64 } from "../src/base64";
import { computeEventId, computeRoomIdFromCreateEvent } from "../src/event-id";
import { isValidEventId } from "../src/ids/event-id";
import { isValidRoomId } from "../src/ids/room-id";
import { computeReferenceHash } from "../src/reference-hash";

const event = {
  type: "m.room.message",
  room_id: "!r:x",
  sender: "@a:x",
  content: { body: "hello" },
  depth: 3,
  origin_server_ts: 5,
  prev_events: [],
  auth_events: [],
  hashes: { sha256: "abc" },
};

describe("Event IDs per room version", () => {
  it("v1/v2: the event's own event_id", () => {
    expect(computeEventId({ ...event, event_id: "$x:y" }, "1")).toBe("$x:y");
    expect(computeEventId({ ...event, event_id: "$x:y" }, "2")).toBe("$x:y");
    expect(() => computeEventId(event, "1")).toThrow();
  });

  it("v3: $ + standard unpadded base64 of the reference hash", () => {
    const id = computeEventId(event, "3");
    expect(id).toBe("$" + encodeBase64(computeReferenceHash(event, "3")));
    expect(isValidEventId(id, "v3")).toBe(true);
  });

  it.each(["4", "5", "6", "7", "8", "9", "10", "11", "12"])("v%s: $ + URL-safe unpadded base64", (v) => {
    const id = computeEventId(event, v);
    expect(isValidEventId(id, "v4")).toBe(true);
    expect(Buffer.from(decodeBase64(id.slice(1)))).toEqual(Buffer.from(computeReferenceHash(event, v)));
  });

  it("the reference hash ignores signatures, unsigned and redactable content", () => {
    const other = { ...event, content: { body: "changed" }, signatures: { x: {} }, unsigned: { age: 1 } };
    expect(computeEventId(other, "10")).toBe(computeEventId(event, "10"));
  });

  it("the reference hash covers hashes, so changed content changes the ID once re-hashed", () => {
    expect(computeEventId({ ...event, hashes: { sha256: "other" } }, "10")).not.toBe(computeEventId(event, "10"));
  });

  it("v11 vs v10: top-level origin stops counting", () => {
    const withOrigin = { ...event, origin: "x" };
    expect(computeEventId(withOrigin, "10")).not.toBe(computeEventId(event, "10"));
    expect(computeEventId(withOrigin, "11")).toBe(computeEventId(event, "11"));
  });
});

describe("v12 room IDs from the create event", () => {
  const create = {
    type: "m.room.create",
    state_key: "",
    sender: "@a:x",
    content: { room_version: "12" },
    depth: 1,
    origin_server_ts: 5,
    prev_events: [],
    auth_events: [],
    hashes: { sha256: "abc" },
  };
  it("is the create event's event ID with ! for $", () => {
    const roomId = computeRoomIdFromCreateEvent(create);
    expect(roomId).toBe("!" + computeEventId(create, "12").slice(1));
    expect(isValidRoomId(roomId)).toBe(true);
  });
  it("only v12 derives room IDs", () => {
    expect(() => computeRoomIdFromCreateEvent(create, "11")).toThrow(RangeError);
  });
});

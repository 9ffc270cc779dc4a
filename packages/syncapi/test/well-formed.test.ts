// The room stream's shape check: what it lets through to the handler and what it skips (with why).
import { describe, expect, it } from "vitest";
import { checkRoomEvent } from "../src/consumers/well-formed";

const event = { type: "m.room.message", content: { body: "hi" } };
const good = {
  new_room_event: { kind: "new_room_event", roomId: "!r:x", roomVersion: "12", eventId: "$e", event, addsStateEventIds: [], removesStateEventIds: ["$old"] },
  old_room_event: { kind: "old_room_event", roomId: "!r:x", roomVersion: "12", eventId: "$e", event },
  new_invite: { kind: "new_invite", roomId: "!r:x", roomVersion: "12", eventId: "$e", event, targetUserId: "@b:x" },
  retire_invite: { kind: "retire_invite", roomId: "!r:x", eventId: "$e", targetUserId: "@b:x", retiredByEventId: "$j", membership: "join" },
  redacted_event: { kind: "redacted_event", roomId: "!r:x", redactedEventId: "$e", redactedBecause: event },
  purge_room: { kind: "purge_room", roomId: "!r:x" },
};

describe("checkRoomEvent", () => {
  it("lets every known kind through when its fields are there, extra fields and all", () => {
    for (const msg of Object.values(good)) {
      const c = checkRoomEvent({ ...msg, latestEventIds: ["$e"] });
      expect(c.ok, msg.kind).toBe(true);
      if (c.ok) expect(c.msg.kind).toBe(msg.kind);
    }
  });

  it("names the first field that is missing or of the wrong type", () => {
    expect(checkRoomEvent({ ...good.new_room_event, eventId: undefined })).toEqual({ ok: false, reason: "eventId: expected a string" });
    expect(checkRoomEvent({ ...good.new_room_event, addsStateEventIds: ["$a", 5] })).toEqual({ ok: false, reason: "addsStateEventIds: expected an array of strings" });
    expect(checkRoomEvent({ ...good.new_invite, event: ["not", "an", "object"] })).toEqual({ ok: false, reason: "event: expected an object" });
    expect(checkRoomEvent({ ...good.redacted_event, redactedBecause: null })).toEqual({ ok: false, reason: "redactedBecause: expected an object" });
    expect(checkRoomEvent({ kind: "purge_room" })).toEqual({ ok: false, reason: "roomId: expected a string" });
  });

  it("skips what is not an object or has no kind, and leaves unknown kinds to the handler", () => {
    expect(checkRoomEvent(undefined).ok).toBe(false);
    expect(checkRoomEvent([good.purge_room]).ok).toBe(false);
    expect(checkRoomEvent({ roomId: "!r:x" })).toEqual({ ok: false, reason: "kind: expected a string" });
    expect(checkRoomEvent({ kind: "from_a_newer_roomserver" }).ok).toBe(true);
  });
});

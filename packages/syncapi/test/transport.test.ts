// The syncapi does not know whether roomserver and userapi are in-process or remote: the same
// scenario with both reached over HTTP (the polylith's wiring).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, send, startHarness, sync, timelineIds, type Harness, type User } from "./harness";

describe("roomserver and userapi over HTTP", () => {
  let h: Harness;
  let alice: User;

  beforeAll(async () => {
    h = await startHarness("http");
    alice = await h.user("alice");
  });
  afterAll(() => h.close());

  it("sync, long-poll and /messages work the same", async () => {
    const roomId = await createRoom(h, alice);
    const initial = await sync(h, alice);
    expect(initial.rooms.join[roomId]).toBeDefined();
    const pending = sync(h, alice, { since: initial.next_batch, timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    const eventId = await send(h, alice, roomId, "over the wire", { txnId: "t1" });
    const res = await pending;
    expect(timelineIds(res, roomId)).toEqual([eventId]);
    expect(res.rooms.join[roomId].timeline.events[0].unsigned.transaction_id).toBe("t1");
    const msgs = await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 1 });
    expect(msgs.body.chunk[0].event_id).toBe(eventId);
    const bad = await h.get({ ...alice, token: "nope" }, "/_matrix/client/v3/sync");
    expect(bad.status).toBe(401);
    expect(bad.body.errcode).toBe("M_UNKNOWN_TOKEN");
  });
});

// GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event as a client jumps to a date: the
// nearest event each way, only events the user may see, 404 past the ends, 400/403 for bad asks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, setState, startHarness, type Harness, type User } from "./harness";
import { TIMESTAMP_PAGE } from "../src/routing/timestamp-to-event";

describe("timestamp_to_event", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    carol = await h.user("carol");
  });
  afterAll(() => h.close());

  const jump = (user: User, roomId: string, query: Record<string, string | number>) =>
    h.get(user, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/timestamp_to_event`, query);
  const tsOf = async (user: User, roomId: string, eventId: string) =>
    (await h.get(user, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`)).body.origin_server_ts as number;
  const pause = () => new Promise((r) => setTimeout(r, 15));

  it("finds the nearest event forwards and backwards, and 404 beyond the ends", async () => {
    const roomId = await createRoom(h, alice, { preset: "public_chat" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await pause();
      ids.push(await send(h, alice, roomId, `m${i}`));
    }
    await h.waitForEvents(...ids);
    const ts = await Promise.all(ids.map((id) => tsOf(alice, roomId, id)));
    expect(ts[0]! < ts[1]! && ts[1]! < ts[2]!).toBe(true);

    const between = ts[1]! - 1;
    expect((await jump(alice, roomId, { ts: between, dir: "f" })).body).toEqual({ event_id: ids[1], origin_server_ts: ts[1] });
    expect((await jump(alice, roomId, { ts: between, dir: "b" })).body).toEqual({ event_id: ids[0], origin_server_ts: ts[0] });
    // An exact hit counts either way.
    expect((await jump(alice, roomId, { ts: ts[2]!, dir: "b" })).body.event_id).toBe(ids[2]);
    const after = await jump(alice, roomId, { ts: ts[2]! + 60_000, dir: "f" });
    expect([after.status, after.body.errcode]).toEqual([404, "M_NOT_FOUND"]);
    // Before the room existed, backwards: nothing; forwards: its first event.
    expect((await jump(alice, roomId, { ts: 1, dir: "b" })).status).toBe(404);
    expect((await jump(alice, roomId, { ts: 1, dir: "f" })).status).toBe(200);
  });

  it("skips what the user may not see, and refuses non-members of a private room", async () => {
    const roomId = await createRoom(h, alice, { preset: "public_chat" });
    await h.waitForEvents(await setState(h, alice, roomId, "m.room.history_visibility", { history_visibility: "joined" }));
    await pause();
    const hidden = await send(h, alice, roomId, "before bob");
    await pause();
    const bobJoin = await join(h, bob, roomId);
    await pause();
    const seen = await send(h, alice, roomId, "after bob");
    await h.waitForEvents(hidden, bobJoin, seen);
    const hiddenTs = await tsOf(alice, roomId, hidden);
    // Alice sees the message nearest; bob, who joined after it, gets his join instead.
    expect((await jump(alice, roomId, { ts: hiddenTs, dir: "f" })).body.event_id).toBe(hidden);
    expect((await jump(bob, roomId, { ts: hiddenTs, dir: "f" })).body.event_id).toBe(bobJoin);
    // Backwards, past the hidden message to the room's beginning, shared before it became "joined".
    const back = (await jump(bob, roomId, { ts: hiddenTs, dir: "b" })).body;
    expect(back.event_id).not.toBe(hidden);
    expect(back.origin_server_ts).toBeLessThanOrEqual(hiddenTs);

    const privateRoom = await createRoom(h, alice, { preset: "private_chat" });
    const no = await jump(carol, privateRoom, { ts: Date.now(), dir: "b" });
    expect([no.status, no.body.errcode]).toEqual([403, "M_FORBIDDEN"]);
  });

  it("pages past more hidden events than one read holds", async () => {
    const roomId = await createRoom(h, alice, { preset: "public_chat", initialState: [{ type: "m.room.history_visibility", content: { history_visibility: "joined" } }] });
    const hidden: string[] = [];
    for (let i = 0; i < TIMESTAMP_PAGE + 5; i++) hidden.push(await send(h, alice, roomId, `before carol ${i}`));
    await pause();
    const carolJoin = await join(h, carol, roomId);
    await h.waitForEvents(...hidden, carolJoin);
    const firstTs = await tsOf(alice, roomId, hidden[0]!);
    expect((await jump(carol, roomId, { ts: firstTs, dir: "f" })).body.event_id).toBe(carolJoin);
  }, 60_000);

  it("400 for a missing or malformed ts or dir", async () => {
    const roomId = await createRoom(h, alice);
    for (const [query, errcode] of [
      [{ dir: "f" }, "M_MISSING_PARAM"],
      [{ ts: 1 }, "M_MISSING_PARAM"],
      [{ ts: "soon", dir: "f" }, "M_INVALID_PARAM"],
      [{ ts: -5, dir: "f" }, "M_INVALID_PARAM"],
      [{ ts: "1e30", dir: "f" }, "M_INVALID_PARAM"],
      [{ ts: 1, dir: "x" }, "M_INVALID_PARAM"],
    ] as const) {
      const r = await jump(alice, roomId, query as Record<string, string | number>);
      expect([r.status, r.body.errcode], JSON.stringify(query)).toEqual([400, errcode]);
    }
  });
});

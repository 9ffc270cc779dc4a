// Who may read a room's members and history at all (rooms.yaml /members, message_pagination.yaml
// 403): an invitee only where history visibility lets invitees read (spec "Room History
// Visibility", rule 4), and nobody who forgot the room (leaving.yaml, forget).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, setState, startHarness, type Harness, type User } from "./harness";

describe("room access", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  const room = (roomId: string, rest: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/${rest}`;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
  });
  afterAll(() => h.close());

  async function invitedTo(visibility: string): Promise<string> {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    await setState(h, alice, roomId, "m.room.history_visibility", { history_visibility: visibility });
    const { body } = await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: bob.userId } });
    await h.waitForInvite(body.eventId);
    return roomId;
  }

  it("an invitee of a `joined` or `shared` room is refused /members and /messages", async () => {
    for (const visibility of ["joined", "shared"]) {
      const roomId = await invitedTo(visibility);
      const members = await h.get(bob, room(roomId, "members"));
      expect(members.status, visibility).toBe(403);
      expect(members.body.errcode).toBe("M_FORBIDDEN");
      expect((await h.get(bob, room(roomId, "messages"), { dir: "b" })).status, visibility).toBe(403);
    }
  });

  it("an invitee of an `invited` or `world_readable` room reads the members", async () => {
    for (const visibility of ["invited", "world_readable"]) {
      const roomId = await invitedTo(visibility);
      const members = await h.get(bob, room(roomId, "members"));
      expect(members.status, visibility).toBe(200);
      expect(members.body.chunk.map((e: any) => [e.state_key, e.content.membership])).toContainEqual([bob.userId, "invite"]);
    }
  });

  it("after leaving, history stays readable; after forgetting, /messages and /members are 403", async () => {
    const roomId = await createRoom(h, alice, { preset: "public_chat" });
    await join(h, bob, roomId);
    const said = await send(h, bob, roomId, "before leaving");
    const { body: left } = await h.roomserver.performLeave({ body: { userId: bob.userId, roomId } });
    await h.waitForEvents(said, left.eventId);
    expect((await h.get(bob, room(roomId, "messages"), { dir: "b" })).status).toBe(200);
    expect((await h.get(bob, room(roomId, "members"))).status).toBe(200);

    await h.roomserver.performForget({ body: { userId: bob.userId, roomId } });
    for (const path of ["messages", "members"]) {
      const res = await h.get(bob, room(roomId, path), { dir: "b" });
      expect(res.status, path).toBe(403);
      expect(res.body.errcode).toBe("M_FORBIDDEN");
    }
  });
});

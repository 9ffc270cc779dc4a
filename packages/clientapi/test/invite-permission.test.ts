// Invite permission (v1.18) as clients meet it: a user who blocks invites (their
// m.invite_permission_config account data) cannot be invited through /invite, PUT /state or
// createRoom's invite list; the first two are 403 M_INVITE_BLOCKED, createRoom makes the room
// without them. Unblocking lets invites through again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, enc, expectError, register, startServer, type TestServer, type User } from "./harness";

let s: TestServer;
let alice: User;
let bob: User;
let carol: User;
beforeAll(async () => {
  s = await startServer();
  alice = await register(s, "alice");
  bob = await register(s, "bob");
  carol = await register(s, "carol");
});
afterAll(() => s.close());

const config = (user: User, content: Record<string, unknown>) =>
  call(s, "PUT", `/user/${enc(user.userId)}/account_data/m.invite_permission_config`, content, user.token);
const membership = async (roomId: string, userId: string) =>
  (await s.roomserver.queryMembership({ body: { roomId, userId } })).body.membership;

describe("invite permission", () => {
  it("refuses invites to a blocking user at every client endpoint, changing nothing", async () => {
    expect((await config(bob, { default_action: "block" })).status).toBe(200);
    const roomId = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;

    expectError(await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, alice.token), 403, "M_INVITE_BLOCKED");
    expectError(await call(s, "PUT", `/rooms/${enc(roomId)}/state/m.room.member/${enc(bob.userId)}`, { membership: "invite" }, alice.token), 403, "M_INVITE_BLOCKED");
    expect(await membership(roomId, bob.userId)).toBeUndefined();
    // Others are still invitable.
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: carol.userId }, alice.token)).status).toBe(200);

    // createRoom: made, with the invitees who accept invites only.
    const made = await call(s, "POST", "/createRoom", { preset: "private_chat", invite: [bob.userId, carol.userId] }, alice.token);
    expect(made.status).toBe(200);
    expect(await membership(made.body.room_id, bob.userId)).toBeUndefined();
    expect(await membership(made.body.room_id, carol.userId)).toBe("invite");
  });

  it("lets invites through once default_action is gone, and ignores other values", async () => {
    await config(bob, { default_action: "allow-ish" });
    const roomId = (await call(s, "POST", "/createRoom", { preset: "private_chat" }, alice.token)).body.room_id;
    expect((await call(s, "POST", `/rooms/${enc(roomId)}/invite`, { user_id: bob.userId }, alice.token)).status).toBe(200);
    await config(bob, { default_action: "block" });
    await config(bob, {});
    const other = (await call(s, "POST", "/createRoom", { preset: "private_chat", invite: [bob.userId] }, alice.token)).body.room_id;
    expect(await membership(other, bob.userId)).toBe("invite");
  });
});

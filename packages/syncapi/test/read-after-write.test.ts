// Read-after-write: a client that reads right after its write was acknowledged sees it, though
// our tables trail the roomserver (the stream delivers a few ms later). Each read below is made
// the moment the roomserver answered, with no wait for the syncapi.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRoom, join, send, startHarness, type Harness, type User } from "./harness";

describe("read-after-write", () => {
  let h: Harness;
  let alice: User;
  let bob: User;
  let carol: User;
  const room = (roomId: string, rest: string) => `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/${rest}`;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
    bob = await h.user("bob");
    carol = await h.user("carol");
  });
  afterAll(() => h.close());

  it("/members and /messages right after a join answer 200 with the join", async () => {
    for (let i = 0; i < 3; i++) {
      const roomId = await createRoom(h, alice);
      const joinId = await join(h, bob, roomId);
      const members = await h.get(bob, room(roomId, "members"));
      expect(members.status, JSON.stringify(members.body)).toBe(200);
      expect(members.body.chunk.map((e: any) => e.event_id)).toContain(joinId);

      const roomId2 = await createRoom(h, alice);
      const joinId2 = await join(h, bob, roomId2);
      const messages = await h.get(bob, room(roomId2, "messages"), { dir: "b", limit: 1 });
      expect(messages.status, JSON.stringify(messages.body)).toBe(200);
      expect(messages.body.chunk.map((e: any) => e.event_id)).toEqual([joinId2]);
    }
  });

  it("/members right after an invite, a rejection, a kick or a ban by a member shows it", async () => {
    const roomId = await createRoom(h, alice);
    await join(h, bob, roomId);
    const membershipOf = async (who: User, userId: string) => {
      const res = await h.get(who, room(roomId, "members"));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.chunk.find((e: any) => e.state_key === userId)?.content.membership;
    };
    for (let i = 0; i < 3; i++) {
      await h.roomserver.performInvite({ body: { sender: alice.userId, roomId, invitee: carol.userId } });
      expect(await membershipOf(alice, carol.userId)).toBe("invite");
      await h.roomserver.performLeave({ body: { userId: carol.userId, roomId } });
      expect(await membershipOf(alice, carol.userId)).toBe("leave");
      await h.roomserver.performBan({ body: { sender: alice.userId, roomId, target: carol.userId } });
      expect(await membershipOf(alice, carol.userId)).toBe("ban");
      await h.roomserver.performUnban({ body: { sender: alice.userId, roomId, target: carol.userId } });
      expect(await membershipOf(alice, carol.userId)).toBe("leave");
    }
    // The kicked user, reading at once, sees the list as it was when they left: their leave in it.
    await h.roomserver.performKick({ body: { sender: alice.userId, roomId, target: bob.userId } });
    expect(await membershipOf(bob, bob.userId)).toBe("leave");
  });

  it("/event and /context right after a send find the event", async () => {
    const roomId = await createRoom(h, alice);
    for (let i = 0; i < 3; i++) {
      const eventId = await send(h, alice, roomId, `e${i}`);
      const ev = await h.get(alice, room(roomId, `event/${encodeURIComponent(eventId)}`));
      expect(ev.status, JSON.stringify(ev.body)).toBe(200);
      expect(ev.body.content.body).toBe(`e${i}`);
      const contextId = await send(h, alice, roomId, `c${i}`);
      const ctx = await h.get(alice, room(roomId, `context/${encodeURIComponent(contextId)}`));
      expect(ctx.status, JSON.stringify(ctx.body)).toBe(200);
      expect(ctx.body.event.event_id).toBe(contextId);
    }
  });

  it("/messages without `from` right after a send ends with it", async () => {
    const roomId = await createRoom(h, alice);
    for (let i = 0; i < 5; i++) {
      const eventId = await send(h, alice, roomId, `m${i}`);
      const messages = await h.get(alice, room(roomId, "messages"), { dir: "b", limit: 1 });
      expect(messages.status, JSON.stringify(messages.body)).toBe(200);
      expect(messages.body.chunk.map((e: any) => e.event_id)).toEqual([eventId]);
    }
  });

  /** Redacts like PUT /redact: the roomserver has answered, the syncapi may not have heard yet. */
  async function redacter(roomId: string) {
    const { body: info } = await h.roomserver.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } });
    const v11 = Number(info.roomVersion) >= 11;
    return async (target: string) => {
      const { body } = await h.roomserver.performSendEvent({
        body: { sender: alice.userId, roomId, type: "m.room.redaction", content: v11 ? { redacts: target } : {}, ...(v11 ? {} : { redacts: target }) },
      });
      return body.eventId;
    };
  }
  const shownRedacted = (ev: any, redactionId: string) => {
    expect(ev.content, JSON.stringify(ev)).toEqual({});
    expect(ev.unsigned?.redacted_because?.event_id).toBe(redactionId);
  };

  it("/messages without `from` right after a redaction shows the event redacted", async () => {
    const roomId = await createRoom(h, alice);
    const redact = await redacter(roomId);
    for (let i = 0; i < 5; i++) {
      const eventId = await send(h, alice, roomId, `m${i}`);
      await h.waitForEvents(eventId);
      const redactionId = await redact(eventId);
      const messages = await h.get(alice, room(roomId, "messages"), { dir: "b", limit: 2 });
      expect(messages.status, JSON.stringify(messages.body)).toBe(200);
      expect(messages.body.chunk.map((e: any) => e.event_id)).toEqual([redactionId, eventId]);
      shownRedacted(messages.body.chunk[1], redactionId);
    }
  });

  it("GET /event and /context right after a redaction show the event redacted", async () => {
    const roomId = await createRoom(h, alice);
    const redact = await redacter(roomId);
    for (let i = 0; i < 5; i++) {
      // Old events, long stored here: only the redaction is new.
      const [a, b] = [await send(h, alice, roomId, `a${i}`), await send(h, alice, roomId, `b${i}`)];
      await h.waitForEvents(a, b);
      const ra = await redact(a);
      const ev = await h.get(alice, room(roomId, `event/${encodeURIComponent(a)}`));
      expect(ev.status, JSON.stringify(ev.body)).toBe(200);
      shownRedacted(ev.body, ra);
      const rb = await redact(b);
      const ctx = await h.get(alice, room(roomId, `context/${encodeURIComponent(b)}`));
      expect(ctx.status, JSON.stringify(ctx.body)).toBe(200);
      shownRedacted(ctx.body.event, rb);
    }
  });

  it("/messages with `from` right after a redaction shows the event redacted, both ways", async () => {
    const roomId = await createRoom(h, alice);
    const redact = await redacter(roomId);
    const first = await h.get(alice, room(roomId, "messages"), { dir: "f", limit: 1 });
    const fromStart = first.body.start;
    for (let i = 0; i < 5; i++) {
      const [a, b] = [await send(h, alice, roomId, `a${i}`), await send(h, alice, roomId, `b${i}`)];
      await h.waitForEvents(a, b);
      const fromEnd = (await h.get(alice, room(roomId, "messages"), { dir: "b", limit: 1 })).body.start;
      const ra = await redact(a);
      const back = await h.get(alice, room(roomId, "messages"), { dir: "b", from: fromEnd, limit: 4 });
      expect(back.status, JSON.stringify(back.body)).toBe(200);
      shownRedacted(back.body.chunk.find((e: any) => e.event_id === a), ra);
      const rb = await redact(b);
      const forward = await h.get(alice, room(roomId, "messages"), { dir: "f", from: fromStart, limit: 1000 });
      expect(forward.status, JSON.stringify(forward.body)).toBe(200);
      shownRedacted(forward.body.chunk.find((e: any) => e.event_id === b), rb);
    }
  });

  it("/relations right after a redaction of a child leaves it out", async () => {
    const roomId = await createRoom(h, alice);
    const redact = await redacter(roomId);
    const relations = (parent: string) => h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/relations/${encodeURIComponent(parent)}`);
    for (let i = 0; i < 5; i++) {
      const parent = await send(h, alice, roomId, `p${i}`);
      const thread = { "m.relates_to": { rel_type: "m.thread", event_id: parent } };
      const [child, kept] = [
        await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: `c${i}`, ...thread } }),
        await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: `k${i}`, ...thread } }),
      ];
      await h.waitForEvents(parent, child, kept);
      await redact(child);
      const res = await relations(parent);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.chunk.map((e: any) => e.event_id)).toEqual([kept]);
    }
  });

  it("/threads right after a redaction of a root shows it redacted", async () => {
    const roomId = await createRoom(h, alice);
    const redact = await redacter(roomId);
    for (let i = 0; i < 5; i++) {
      const root = await send(h, alice, roomId, `root${i}`);
      const reply = await send(h, alice, roomId, "", { content: { msgtype: "m.text", body: `r${i}`, "m.relates_to": { rel_type: "m.thread", event_id: root } } });
      await h.waitForEvents(root, reply);
      const redactionId = await redact(root);
      const res = await h.get(alice, `/_matrix/client/v1/rooms/${encodeURIComponent(roomId)}/threads`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // A redacted root still heads its thread: shown redacted, its replies counted.
      const shown = res.body.chunk.find((e: any) => e.event_id === root);
      shownRedacted(shown, redactionId);
      expect(shown.unsigned["m.relations"]["m.thread"].count).toBe(1);
    }
  });

  it("still refuses whom the roomserver refuses: outsiders, unknown rooms, events in another room", async () => {
    const roomId = await createRoom(h, alice, { preset: "private_chat" });
    const eventId = await send(h, alice, roomId, "secret");
    expect((await h.get(carol, room(roomId, "members"))).status).toBe(403);
    expect((await h.get(carol, room(roomId, `event/${encodeURIComponent(eventId)}`))).status).toBe(404);
    expect((await h.get(carol, room("!nowhere:test.local", "messages"), { dir: "b" })).status).toBe(403);
    const other = await createRoom(h, alice);
    expect((await h.get(alice, room(other, `event/${encodeURIComponent(eventId)}`))).status).toBe(404);
  });
});

// How redactions read back (client-server API, "Redactions"; rooms v11, "Event format"): the
// redacted event carries its redaction in unsigned.redacted_because — in its redacted form once
// that redaction is itself redacted — and a redaction names what it redacts both at the top
// level and in its content, whatever the room version.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, startHarness, sync, type Harness, type User } from "./harness";

describe("redactions as clients read them", () => {
  let h: Harness;
  let alice: User;

  beforeAll(async () => {
    h = await startHarness();
    alice = await h.user("alice");
  });
  afterAll(() => h.close());

  async function roomOfVersion(roomVersion: string): Promise<string> {
    const { body } = await h.roomserver.performCreateRoom({ body: { creator: alice.userId, preset: "private_chat", roomVersion } });
    const latest = await h.roomserver.queryLatestEventsAndState({ body: { roomId: body.roomId, stateToFetch: [] } });
    await h.waitForEvents(...latest.body.latestEventIds);
    return body.roomId;
  }

  // v1–10 carry `redacts` at the top level of the PDU, v11+ in its content.
  async function redact(roomId: string, roomVersion: string, target: string, reason: string): Promise<string> {
    const v11 = Number(roomVersion) >= 11;
    const { body } = await h.roomserver.performSendEvent({
      body: { sender: alice.userId, roomId, type: "m.room.redaction", content: v11 ? { redacts: target, reason } : { reason }, ...(v11 ? {} : { redacts: target }) },
    });
    await h.waitForEvents(body.eventId);
    return body.eventId;
  }

  const getEvent = (roomId: string, eventId: string) => h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(eventId)}`);

  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 15));
  }

  for (const roomVersion of ["3", "10", "11", "12"]) {
    it(`v${roomVersion}: a redacted redaction shows redacted in the unsigned.redacted_because of the event it redacted`, async () => {
      const roomId = await roomOfVersion(roomVersion);
      const message = await send(h, alice, roomId, "secret");
      const redaction = await redact(roomId, roomVersion, message, "private reason");
      await until(async () => (await getEvent(roomId, message)).body.unsigned?.redacted_because !== undefined);
      expect((await getEvent(roomId, message)).body.unsigned.redacted_because.content.reason).toBe("private reason");

      await redact(roomId, roomVersion, redaction, "hide the reason");
      await until(async () => (await getEvent(roomId, redaction)).body.unsigned?.redacted_because !== undefined);
      // v11+ keeps content.redacts through redaction; v1–10 keep nothing of a redaction's content.
      const kept = Number(roomVersion) >= 11 ? { redacts: message } : {};
      expect((await getEvent(roomId, redaction)).body.content).toEqual(kept);
      expect((await getEvent(roomId, message)).body.unsigned.redacted_because).toMatchObject({ event_id: redaction, content: kept });
      const messages = await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 50 });
      const fromMessages = messages.body.chunk.find((e: { event_id: string }) => e.event_id === message);
      expect(fromMessages.unsigned.redacted_because.content).toEqual(kept);
    });
  }

  // The room version decides where a redaction names its target (rooms v11, "Event format"); a
  // `redacts` in the other place is the sender's own and redacts nothing.
  for (const roomVersion of ["10", "11"]) {
    it(`v${roomVersion}: a redaction naming one event where the version looks and another elsewhere redacts the first only`, async () => {
      const roomId = await roomOfVersion(roomVersion);
      const [target, bystander] = [await send(h, alice, roomId, "target"), await send(h, alice, roomId, "bystander")];
      const v11 = Number(roomVersion) >= 11;
      const { body } = await h.roomserver.performSendEvent({
        body: { sender: alice.userId, roomId, type: "m.room.redaction", content: { reason: "r", redacts: v11 ? target : bystander }, redacts: v11 ? bystander : target },
      });
      const redaction = body.eventId;
      await h.waitForEvents(redaction);
      await until(async () => (await getEvent(roomId, target)).body.unsigned?.redacted_because !== undefined);

      const expectServed = (byId: Map<string, any>, where: string) => {
        expect(byId.get(target)?.content, where).toEqual({});
        expect(byId.get(target)?.unsigned.redacted_because.event_id, where).toBe(redaction);
        expect(byId.get(bystander)?.content, where).toEqual({ msgtype: "m.text", body: "bystander" });
        expect(byId.get(bystander)?.unsigned.redacted_because, where).toBeUndefined();
        // Named as the version names it, in both places clients look.
        expect(byId.get(redaction)?.redacts, where).toBe(target);
        expect(byId.get(redaction)?.content, where).toEqual({ reason: "r", redacts: target });
      };
      const events = async (...ids: string[]) => new Map(await Promise.all(ids.map(async (id) => [id, (await getEvent(roomId, id)).body] as const)));
      expectServed(await events(target, bystander, redaction), "/event");
      const messages = await h.get(alice, `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit: 50 });
      expectServed(new Map(messages.body.chunk.map((e: any) => [e.event_id, e])), "/messages");
      const synced = await sync(h, alice, { filter: JSON.stringify({ room: { timeline: { limit: 50 } } }) });
      expectServed(new Map(synced.rooms.join[roomId].timeline.events.map((e: any) => [e.event_id, e])), "/sync");
    });
  }

  for (const roomVersion of ["1", "10", "11"]) {
    it(`v${roomVersion}: a redaction is served with redacts both at the top level and in its content`, async () => {
      const roomId = await roomOfVersion(roomVersion);
      const message = await send(h, alice, roomId, "hello");
      const redaction = await redact(roomId, roomVersion, message, "why");
      const got = await getEvent(roomId, redaction);
      expect(got.status).toBe(200);
      expect(got.body.redacts).toBe(message);
      expect(got.body.content).toEqual({ reason: "why", redacts: message });
      await until(async () => (await getEvent(roomId, message)).body.unsigned?.redacted_because !== undefined);
      const because = (await getEvent(roomId, message)).body.unsigned.redacted_because;
      expect(because.redacts).toBe(message);
      expect(because.content).toEqual({ reason: "why", redacts: message });
    });
  }
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, buildOn, startRoomserver, type Harness } from "./helpers/roomserver";

let h: Harness;
beforeAll(async () => {
  h = await startRoomserver();
});
afterAll(() => h.close());

async function topicOf(roomId: string): Promise<unknown> {
  const { body } = await h.client.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.topic", stateKey: "" }] } });
  return (body.stateEvents[0]?.content as { topic?: unknown } | undefined)?.topic;
}

describe("divergent prev events resolved by state res", () => {
  it("a moderator's topic change loses to a concurrent demotion of that moderator", async () => {
    const { roomId } = (
      await h.client.performCreateRoom({
        body: { creator: ALICE, preset: "public_chat", topic: "original", powerLevelContentOverride: { users: { [BOB]: 50 } } },
      })
    ).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const fork = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [{ type: "m.room.power_levels", stateKey: "" }] } })).body;
    const pl = fork.stateEvents[0]!.content as Record<string, unknown>;

    // Two branches from the same event: Bob changes the topic; Alice demotes Bob.
    const topic = await buildOn(h, roomId, fork.latestEventIds, { sender: BOB, type: "m.room.topic", stateKey: "", content: { topic: "bob's" } });
    const demote = await buildOn(h, roomId, fork.latestEventIds, {
      sender: ALICE,
      type: "m.room.power_levels",
      stateKey: "",
      content: { ...pl, users: { [BOB]: 0 } },
    });
    await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: topic.pdu }] } });
    expect(await topicOf(roomId)).toBe("bob's");
    const [result] = (await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: demote.pdu }] } })).body.results;
    expect(result?.status).toBe("accepted");

    // Both branches are forward extremities; the resolved state applies the demotion first,
    // after which Bob's topic no longer passes auth and the original topic stands.
    const after = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body;
    expect(after.latestEventIds.sort()).toEqual([topic.eventId, demote.eventId].sort());
    expect(await topicOf(roomId)).toBe("original");

    // The next event merges both branches and sees the resolved state.
    const { eventId } = (await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.message", content: { body: "merged" } } })).body;
    const [merge] = (await h.client.queryEventsById({ body: { eventIds: [eventId] } })).body.events;
    expect((merge!.prev_events as string[]).sort()).toEqual([topic.eventId, demote.eventId].sort());
    expect((await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [] } })).body.latestEventIds).toEqual([eventId]);
    expect(await topicOf(roomId)).toBe("original");
  });

  it("an event that passes auth at its own state but not at the current state is soft-failed", async () => {
    const { roomId } = (
      await h.client.performCreateRoom({ body: { creator: ALICE, preset: "public_chat", powerLevelContentOverride: { users: { [BOB]: 50 } } } })
    ).body;
    await h.client.performJoin({ body: { userId: BOB, roomIdOrAlias: roomId } });
    const fork = (await h.client.queryLatestEventsAndState({ body: { roomId, stateToFetch: [{ type: "m.room.power_levels", stateKey: "" }] } })).body;
    const pl = fork.stateEvents[0]!.content as Record<string, unknown>;
    await h.client.performSendEvent({ body: { sender: ALICE, roomId, type: "m.room.power_levels", stateKey: "", content: { ...pl, users: { [BOB]: 0 } } } });
    const late = await buildOn(h, roomId, fork.latestEventIds, { sender: BOB, type: "m.room.topic", stateKey: "", content: { topic: "too late" } });
    const [result] = (await h.client.inputRoomEvents({ body: { events: [{ kind: "new", event: late.pdu }] } })).body.results;
    expect(result).toMatchObject({ status: "soft_failed", rule: "event.insufficient_power" });
    expect(await topicOf(roomId)).toBeUndefined();
  });
});

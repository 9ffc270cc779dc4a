// Using the roomserver as a library: only the packages' public names, no test helpers.
import { generateSigningKey } from "@dendrite-ts/protocol";
import { createEmbeddedStreams, localClient, openTestDatabase } from "@dendrite-ts/runtime";
import { createRoomserver, roomserverContract, type OutputRoomEvent, type RoomserverForClient } from "@dendrite-ts/roomserver";
import { expect, it } from "vitest";

it("embeds: create a room, send events, query state, read the output stream", async () => {
  const db = await openTestDatabase();
  const streams = await createEmbeddedStreams(db);
  const roomserver = await createRoomserver({ db, streams, serverName: "lib.example", signingKey: generateSigningKey("ed25519:lib") });
  const client: RoomserverForClient = localClient(roomserverContract, roomserver.api);
  try {
    const { roomId } = (await client.performCreateRoom({ body: { creator: "@owner:lib.example", preset: "public_chat", name: "Library" } })).body;
    await client.performJoin({ body: { userId: "@guest:lib.example", roomIdOrAlias: roomId } });
    const { eventId } = (
      await client.performSendEvent({ body: { sender: "@guest:lib.example", roomId, type: "m.room.message", content: { msgtype: "m.text", body: "hello" } } })
    ).body;

    const state = await client.queryCurrentState({
      body: { roomId, stateTuples: [{ type: "m.room.name", stateKey: "" }, { type: "m.room.member", stateKey: "*" }] },
    });
    expect(state.body.stateEvents.find((e) => e.type === "m.room.name")?.content).toEqual({ name: "Library" });
    expect(state.body.stateEvents.filter((e) => e.type === "m.room.member").map((e) => e.state_key).sort()).toEqual([
      "@guest:lib.example",
      "@owner:lib.example",
    ]);

    await roomserver.flushOutputs();
    await streams.ensureConsumer("OutputRoomEvent", "library-reader");
    const seen = await new Promise<OutputRoomEvent[]>((resolve) => {
      const got: OutputRoomEvent[] = [];
      void streams.consume("OutputRoomEvent", "library-reader", (msg) => {
        got.push(msg.json<OutputRoomEvent>());
        if (got.some((o) => o.kind === "new_room_event" && o.eventId === eventId)) resolve(got);
      });
    });
    expect(seen.filter((o) => o.kind === "new_room_event")).toHaveLength(9) // create, join, power levels, join rules, history, guest access, name, join, message;
  } finally {
    await roomserver.close();
    await streams.close();
    await db.close();
  }
});

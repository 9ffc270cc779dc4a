/**
 * Presence through matrix-js-sdk, in every mode this machine can start (in the polylith:
 * clientapi → eduserver and syncapi → eduserver over HTTP, eduserver → syncapi over JetStream).
 * Syncing makes a user online at their room-mates; a status set with setPresence shows there;
 * someone sharing no room may not read it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableModes, startHomeserver, type Homeserver } from "../../src/harness/homeserver";
import { eventually, registerUser, sdk, startSyncing, type TestUser } from "../../src/harness/matrix-client";

describe.each(availableModes())("presence through matrix-js-sdk (%s)", (mode) => {
  let hs: Homeserver;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const tag = Math.random().toString(36).slice(2, 8);

  beforeAll(async () => {
    hs = await startHomeserver(mode);
    [alice, bob, carol] = await Promise.all([registerUser(hs.baseUrl, `alice${tag}`), registerUser(hs.baseUrl, `bob${tag}`), registerUser(hs.baseUrl, `carol${tag}`)]);
    await Promise.all([alice, bob].map(startSyncing));
    const roomId = (await alice.client.createRoom({ preset: sdk.Preset.PrivateChat, invite: [bob.userId] })).room_id;
    await eventually(() => bob.client.getRoom(roomId)?.getMyMembership() === "invite", "bob's invite");
    await bob.client.joinRoom(roomId);
  }, 180_000);

  afterAll(async () => {
    for (const u of [alice, bob]) u?.client.stopClient();
    await hs?.stop();
  });

  it("a syncing user is online at a room-mate", async () => {
    await eventually(() => bob.client.getUser(alice.userId)?.presence === "online", "alice online, at bob");
    expect(bob.client.getUser(alice.userId)?.currentlyActive).toBe(true);
  });

  it("a status set with setPresence reaches the room-mate's sync and reads back", async () => {
    await alice.client.setPresence({ presence: "unavailable", status_msg: "back at three" });
    await eventually(() => bob.client.getUser(alice.userId)?.presenceStatusMsg === "back at three", "alice's status, at bob");
    // Her next sync (set_presence online, the SDK's default) makes her online again, status kept.
    await eventually(() => bob.client.getUser(alice.userId)?.presence === "online", "alice online again, at bob");
    const read = await bob.client.getPresence(alice.userId);
    expect(read).toMatchObject({ presence: "online", status_msg: "back at three" });
  });

  it("someone who shares no room may not read it", async () => {
    await expect(carol.client.getPresence(alice.userId)).rejects.toMatchObject({ errcode: "M_FORBIDDEN", httpStatus: 403 });
  });
});

/**
 * One message timed the way the chat benchmarks time it: `bob` long-polls from `since`, `alice`
 * sends into `room` once the poll has had 2 ms to park, and the time runs until bob's /sync
 * returns the message. Returns that time and bob's next token.
 */
import { RawClient, timelineEventIds } from "../src/harness/raw-client";

/** The two users the latency loops use: alice made `room`, bob joined it; `since` is bob's token after. */
export async function senderAndReader(baseUrl: string, tag: string): Promise<{ alice: RawClient; bob: RawClient; room: string; since: string }> {
  const alice = await RawClient.register(baseUrl, `alice${tag}`);
  const bob = await RawClient.register(baseUrl, `bob${tag}`);
  const room = await alice.createRoom();
  await bob.join(room);
  return { alice, bob, room, since: (await bob.sync({ timeout: 0 })).next_batch as string };
}

export async function timeSendToSync(alice: RawClient, bob: RawClient, room: string, since: string, body: string): Promise<{ ms: number; since: string }> {
  const poll = bob.sync({ since, timeout: 10_000 });
  await new Promise((r) => setTimeout(r, 2)); // let the long-poll park
  const t0 = performance.now();
  const eventId = await alice.send(room, body);
  let res = await poll;
  while (!timelineEventIds(res).includes(eventId)) res = await bob.sync({ since: res.next_batch, timeout: 10_000 });
  return { ms: performance.now() - t0, since: res.next_batch };
}

/**
 * To-device messages in /sync (send_to_device.md; sync.yaml `to_device`): eduserver's
 * OutputSendToDeviceEvent reaches `to_device.events` of the one device it is for ("*": each of
 * the user's devices), wakes its long-poll, comes again until the device syncs with a later
 * token, 100 an answer; a retried transaction is stored once; older tokens still read; a deleted
 * device's messages go.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localClient } from "@dendrite-ts/runtime";
import { createEduserver, eduserverContract, type Eduserver, type EduserverClient } from "@dendrite-ts/eduserver";
import { keyChangeSubject, type OutputKeyChangeEvent } from "@dendrite-ts/keyserver";
import { startHarness, sync, type Harness, type User } from "./harness";

let h: Harness;
let eduImpl: Eduserver;
let edu: EduserverClient;
let alice: User;
let bob1: User;
let bob2: User;
let txn = 0;

const TYPE = "m.room_key_request";
const toDevice = (res: any): any[] => res.to_device.events;
const send = (messages: Record<string, Record<string, Record<string, unknown>>>, txnId = `t${++txn}`) =>
  edu.performSendToDevice({ body: { sender: alice.userId, senderDeviceId: alice.deviceId, txnId, type: TYPE, messages } });
/** A long-poll from `since` that must come back with news (it waits for the stream). */
const next = (user: User, since: string) => sync(h, user, { since, timeout: 10_000 });
const stored = async (user: User) =>
  Number((await h.db.sql`SELECT count(*) AS n FROM syncapi.send_to_device WHERE user_id = ${user.userId} AND device_id = ${user.deviceId}`)[0]!.n);
/** Syncs `user` from `since` until nothing is left (acknowledging all), returns the last token. */
async function drain(user: User, since?: string): Promise<string> {
  let res = await sync(h, user, since ? { since } : {});
  while (toDevice(res).length > 0) res = await sync(h, user, { since: res.next_batch });
  return res.next_batch;
}

beforeAll(async () => {
  h = await startHarness();
  eduImpl = await createEduserver({ streams: h.streams });
  edu = localClient(eduserverContract, eduImpl.api);
  alice = await h.user("alice");
  bob1 = await h.user("bob");
  bob2 = await h.device(bob1, "BOBTWO");
});
afterAll(async () => {
  await eduImpl?.close();
  await h?.close();
});

describe("to_device", () => {
  it("wakes the long-poll of the one device it is for, with sender, type and content", async () => {
    const [t1, t2] = [await drain(bob1), await drain(bob2)];
    const poll = next(bob1, t1);
    await send({ [bob1.userId]: { [bob1.deviceId]: { body: "for one" } } });
    const res = await poll;
    expect(toDevice(res)).toEqual([{ sender: alice.userId, type: TYPE, content: { body: "for one" } }]);
    // Bob's other device and Alice get nothing.
    expect(toDevice(await sync(h, bob2, { since: t2 }))).toEqual([]);
    expect(toDevice(await sync(h, alice))).toEqual([]);
    await drain(bob1, res.next_batch);
  });

  it('"*" reaches every device of the user', async () => {
    const [t1, t2] = [await drain(bob1), await drain(bob2)];
    const poll1 = next(bob1, t1);
    const poll2 = next(bob2, t2);
    await send({ [bob1.userId]: { "*": { body: "for all" } } });
    const want = [{ sender: alice.userId, type: TYPE, content: { body: "for all" } }];
    expect(toDevice(await poll1)).toEqual(want);
    expect(toDevice(await poll2)).toEqual(want);
  });

  it("a retried transaction is delivered once; another transaction again", async () => {
    const t1 = await drain(bob1);
    await send({ [bob1.userId]: { [bob1.deviceId]: { n: 1 } } }, "same");
    await send({ [bob1.userId]: { [bob1.deviceId]: { n: 1 } } }, "same");
    await send({ [bob1.userId]: { [bob1.deviceId]: { n: 2 } } }, "other");
    let res = await next(bob1, t1);
    // The consumer may not have stored all three when the first woke the poll.
    while (toDevice(res).length < 2) res = await next(bob1, t1);
    expect(toDevice(res).map((e) => e.content)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("come again from the same token; syncing with the next one deletes them", async () => {
    const t1 = await drain(bob1);
    await send({ [bob1.userId]: { [bob1.deviceId]: { again: true } } });
    const first = await next(bob1, t1);
    expect(toDevice(first)).toHaveLength(1);
    // The answer was lost: the same `since` brings the same messages.
    expect(toDevice(await sync(h, bob1, { since: t1 }))).toEqual(toDevice(first));
    expect(await stored(bob1)).toBe(1);
    const after = await sync(h, bob1, { since: first.next_batch });
    expect(toDevice(after)).toEqual([]);
    expect(await stored(bob1)).toBe(0);
    // An initial sync of a device with messages waiting gets them too.
    await send({ [bob1.userId]: { [bob1.deviceId]: { initial: true } } });
    await next(bob1, after.next_batch);
    expect(toDevice(await sync(h, bob1)).map((e) => e.content)).toEqual([{ initial: true }]);
    await drain(bob1);
  });

  it("100 an answer, in order; the rest with the next /sync, which does not wait", async () => {
    const t1 = await drain(bob1);
    for (let i = 0; i < 130; i++) await send({ [bob1.userId]: { [bob1.deviceId]: { i } } });
    for (let i = 0; i < 400 && (await stored(bob1)) < 130; i++) await new Promise((r) => setTimeout(r, 15));
    const first = await sync(h, bob1, { since: t1, timeout: 10_000 });
    expect(toDevice(first).map((e) => e.content.i)).toEqual([...Array(100).keys()]);
    const started = Date.now();
    const second = await sync(h, bob1, { since: first.next_batch, timeout: 10_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(toDevice(second).map((e) => e.content.i)).toEqual([...Array(30).keys()].map((i) => i + 100));
    expect(toDevice(await sync(h, bob1, { since: second.next_batch }))).toEqual([]);
    expect(await stored(bob1)).toBe(0);
  });

  it("a token of an older form (no to-device part) reads them all; a malformed one is 400", async () => {
    const t1 = await drain(bob1);
    await send({ [bob1.userId]: { [bob1.deviceId]: { old: true } } });
    const res = await next(bob1, t1);
    const older = t1.split("_").slice(0, 5).join("_");
    expect(toDevice(await sync(h, bob1, { since: older })).map((e) => e.content)).toEqual([{ old: true }]);
    expect(toDevice(await sync(h, bob1, { since: t1.split("_").slice(0, 2).join("_") })).map((e) => e.content)).toEqual([{ old: true }]);
    expect((await h.get(bob1, "/_matrix/client/v3/sync", { since: `${t1}_7` })).body.errcode).toBe("M_INVALID_PARAM");
    await drain(bob1, res.next_batch);
  });

  it("a device that does not exist gets nothing stored; a deleted device's messages go", async () => {
    await send({ [bob1.userId]: { NOSUCHDEVICE: { x: 1 } } });
    const gone = await h.device(bob1, "GOING");
    const t = await drain(gone);
    await send({ [bob1.userId]: { GOING: { x: 2 } } });
    await next(gone, t);
    expect(await stored(gone)).toBe(1);
    await h.userapi.deleteDevices({ body: { userId: bob1.userId, deviceIds: ["GOING"] } });
    // What keyserver publishes once it deleted the device's keys.
    const msg: OutputKeyChangeEvent = { userId: bob1.userId, deviceId: "GOING", deleted: true };
    await h.streams.publish(keyChangeSubject(bob1.userId), msg);
    for (let i = 0; i < 400 && (await stored(gone)) > 0; i++) await new Promise((r) => setTimeout(r, 15));
    expect(await stored(gone)).toBe(0);
    const none = await h.db.sql`SELECT count(*) AS n FROM syncapi.send_to_device WHERE device_id = 'NOSUCHDEVICE'`;
    expect(Number(none[0]!.n)).toBe(0);
  });

  it("a deleted device that never had keys loses its messages too, and no device list changes", async () => {
    const keyless = await h.device(bob1, "KEYLESS");
    const t = await drain(keyless);
    await send({ [bob1.userId]: { KEYLESS: { x: 3 } } });
    await next(keyless, t);
    expect(await stored(keyless)).toBe(1);
    const listPos = async () => Number((await h.db.sql`SELECT coalesce(max(pos), 0) AS p FROM syncapi.stream_positions WHERE name = 'device_list'`)[0]!.p);
    const before = await listPos();
    await h.userapi.deleteDevices({ body: { userId: bob1.userId, deviceIds: ["KEYLESS"] } });
    const msg: OutputKeyChangeEvent = { userId: bob1.userId, deviceId: "KEYLESS", deleted: true, hadNoKeys: true };
    await h.streams.publish(keyChangeSubject(bob1.userId), msg);
    for (let i = 0; i < 400 && (await stored(keyless)) > 0; i++) await new Promise((r) => setTimeout(r, 15));
    expect(await stored(keyless)).toBe(0);
    expect(await listPos()).toBe(before);
  });
});

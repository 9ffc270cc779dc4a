/**
 * The eduserver through both client adapters (in-process and over HTTP, as the polylith wires
 * it), read back from its streams as syncapi reads them: typing starts, renewals, stops and
 * timeouts that run out; receipts with the server's ts; the timeout cap; bad input refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MAX_TYPING_TIMEOUT_MS,
  OUTPUT_RECEIPT_EVENT,
  OUTPUT_SEND_TO_DEVICE_EVENT,
  OUTPUT_TYPING_EVENT,
  outputReceiptEventSchema,
  outputSendToDeviceEventSchema,
  outputTypingEventSchema,
  type EduserverClient,
  type OutputReceiptEvent,
  type OutputSendToDeviceEvent,
  type OutputTypingEvent,
} from "../src/index";
import { startEduserver, until, type EduserverUnderTest } from "./setup";

let t: EduserverUnderTest;
let clients: Record<string, EduserverClient>;
let typing: OutputTypingEvent[];
let receipts: OutputReceiptEvent[];
let toDevice: OutputSendToDeviceEvent[];
const clock = 1_000_000;

beforeAll(async () => {
  t = await startEduserver(() => clock);
  clients = t.clients;
  typing = await t.collect(OUTPUT_TYPING_EVENT, outputTypingEventSchema);
  receipts = await t.collect(OUTPUT_RECEIPT_EVENT, outputReceiptEventSchema);
  toDevice = await t.collect(OUTPUT_SEND_TO_DEVICE_EVENT, outputSendToDeviceEventSchema);
});
afterAll(() => t?.close());

describe.each(["local", "http"])("over %s", (transport) => {
  const room = `!typing-${transport}:test.local`;
  it("publishes a start with its expiry, a renewal, and a stop", async () => {
    const c = clients[transport]!;
    typing.length = 0;
    await c.performTyping({ body: { roomId: room, userId: "@a:test.local", typing: true, timeoutMs: 20_000 } });
    await c.performTyping({ body: { roomId: room, userId: "@a:test.local", typing: true, timeoutMs: 30_000 } });
    await c.performTyping({ body: { roomId: room, userId: "@a:test.local", typing: false } });
    await until("three typing messages", () => typing.length === 3);
    expect(typing).toEqual([
      { roomId: room, userId: "@a:test.local", typing: true, expireTs: clock + 20_000 },
      { roomId: room, userId: "@a:test.local", typing: true, expireTs: clock + 30_000 },
      { roomId: room, userId: "@a:test.local", typing: false, expireTs: null },
    ]);
  });

  it("caps the timeout at 120 s", async () => {
    typing.length = 0;
    await clients[transport]!.performTyping({ body: { roomId: room, userId: "@b:test.local", typing: true, timeoutMs: 3_600_000 } });
    await until("the start", () => typing.length === 1);
    expect(typing[0]!.expireTs).toBe(clock + MAX_TYPING_TIMEOUT_MS);
    await clients[transport]!.performTyping({ body: { roomId: room, userId: "@b:test.local", typing: false } });
  });

  it("publishes a receipt with the server's ts, threaded or not", async () => {
    receipts.length = 0;
    const c = clients[transport]!;
    const { body } = await c.performReceipt({ body: { roomId: room, userId: "@a:test.local", receiptType: "m.read", eventId: "$e1" } });
    expect(body.ts).toBe(clock);
    await c.performReceipt({ body: { roomId: room, userId: "@a:test.local", receiptType: "m.read.private", eventId: "$e2", threadId: "main" } });
    await until("two receipts", () => receipts.length === 2);
    expect(receipts).toEqual([
      { roomId: room, userId: "@a:test.local", receiptType: "m.read", eventId: "$e1", threadId: null, ts: clock },
      { roomId: room, userId: "@a:test.local", receiptType: "m.read.private", eventId: "$e2", threadId: "main", ts: clock },
    ]);
  });

  it("publishes one to-device message per (user, device or *), the same messageId for a retried transaction", async () => {
    toDevice.length = 0;
    const c = clients[transport]!;
    const send = { sender: "@a:test.local", senderDeviceId: "ADEV", txnId: `t-${transport}`, type: "m.room_key_request" };
    const messages = { "@b:test.local": { BDEV: { n: 1 } }, "@c:test.local": { "*": { n: 2 } } };
    await c.performSendToDevice({ body: { ...send, messages } });
    await c.performSendToDevice({ body: { ...send, messages } });
    await c.performSendToDevice({ body: { ...send, txnId: `u-${transport}`, messages: { "@b:test.local": { BDEV: { n: 3 } } } } });
    await c.performSendToDevice({ body: { ...send, type: "m.other", messages: { "@b:test.local": { BDEV: { n: 4 } } } } });
    await until("six to-device messages", () => toDevice.length === 6);
    const [b1, c1, b2, c2, b3, b4] = toDevice;
    expect({ ...b1, messageId: "" }).toEqual({ sender: "@a:test.local", userId: "@b:test.local", deviceId: "BDEV", type: "m.room_key_request", content: { n: 1 }, messageId: "" });
    expect(c1).toMatchObject({ userId: "@c:test.local", deviceId: "*", content: { n: 2 } });
    expect([b2!.messageId, c1!.messageId, c2!.messageId]).toEqual([b1!.messageId, b1!.messageId, b1!.messageId]);
    // Another transaction, or the same transaction ID on another type's path: other messages.
    expect(b3!.messageId).not.toBe(b1!.messageId);
    expect(b4!.messageId).not.toBe(b1!.messageId);
  });

  it("refuses a receipt type that is not one", async () => {
    const c = clients[transport]!;
    // m.fully_read is account data, never a receipt.
    await expect(c.performReceipt({ body: { roomId: room, userId: "@a:test.local", receiptType: "m.fully_read" as "m.read", eventId: "$e1" } })).rejects.toThrow();
  });
});

it("a timeout that runs out publishes a stop; a renewal before it keeps the user typing", async () => {
  const room = "!timeout:test.local";
  typing.length = 0;
  await t.edu.api.performTyping({ body: { roomId: room, userId: "@c:test.local", typing: true, timeoutMs: 100 } } as never);
  // Renewed before it ran out: the first timer must not end it.
  await t.edu.api.performTyping({ body: { roomId: room, userId: "@c:test.local", typing: true, timeoutMs: 1500 } } as never);
  await new Promise((r) => setTimeout(r, 400));
  expect(typing.filter((t) => !t.typing)).toEqual([]);
  await until("the stop", () => typing.some((t) => !t.typing));
  expect(typing.at(-1)).toEqual({ roomId: room, userId: "@c:test.local", typing: false, expireTs: null });
});

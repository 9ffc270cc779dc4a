// Pieces both implementations share: payload encoding, subject patterns, running one delivery.
import type { StreamMessage } from "./types.js";

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_CONCURRENCY = 64;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePayload(payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  const json = JSON.stringify(payload);
  if (json === undefined) throw new TypeError("stream payload must be JSON-serialisable or a Uint8Array");
  return encoder.encode(json);
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

/** A NATS subject pattern as an anchored regular expression (`*` one token, `>` one or more). */
export function subjectPattern(pattern: string): RegExp {
  const tokens = pattern.split(".").map((t, i, all) => {
    if (t === "*") return "[^.]+";
    if (t === ">" && i === all.length - 1) return ".+";
    return t.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  });
  return new RegExp(`^${tokens.join("\\.")}$`);
}

export function subjectMatches(pattern: string, subject: string): boolean {
  return subjectPattern(pattern).test(subject);
}

export function validateStreamName(name: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`invalid stream or consumer name "${name}"`);
}

/** Delay before retrying after a thrown handler error: 100 ms doubling up to 30 s. */
export function backoffMs(deliveryCount: number): number {
  return Math.min(100 * 2 ** Math.max(0, deliveryCount - 1), 30_000);
}

export type Outcome = { ok: true } | { ok: false; delayMs: number; error: unknown };

/** A message whose nak() is recorded and read once the handler settles. */
export class Delivery implements StreamMessage {
  nakDelay: number | undefined;
  constructor(
    readonly stream: string,
    readonly subject: string,
    readonly seq: number,
    readonly msgId: string | undefined,
    readonly deliveryCount: number,
    readonly data: Uint8Array,
  ) {}
  json<T = unknown>(): T {
    return decodeJson<T>(this.data);
  }
  nak(delayMs = 0): void {
    this.nakDelay = Math.max(0, delayMs);
  }
}

export class AckTimeout extends Error {
  constructor(ms: number) {
    super(`handler did not settle within ackWait (${ms} ms)`);
  }
}

/**
 * Run the handler once. Not settling within ackWaitMs counts as a failure (the delivery is
 * redelivered right away; the late result is ignored), as an ack timeout does in JetStream.
 */
export async function runDelivery(
  handler: (m: StreamMessage) => Promise<void> | void,
  msg: Delivery,
  ackWaitMs: number,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, delayMs: 0, error: new AckTimeout(ackWaitMs) }), ackWaitMs);
  });
  const run = (async (): Promise<Outcome> => {
    try {
      await handler(msg);
    } catch (error) {
      return { ok: false, delayMs: msg.nakDelay ?? backoffMs(msg.deliveryCount), error };
    }
    if (msg.nakDelay !== undefined) return { ok: false, delayMs: msg.nakDelay, error: new Error("nak") };
    return { ok: true };
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each (stream, durable) pair once, in first-seen order. */
export function uniqueConsumers(list: Array<{ stream: string; durable: string }>): Array<{ stream: string; durable: string }> {
  const seen = new Map<string, { stream: string; durable: string }>();
  for (const c of list) seen.set(`${c.stream}\u0000${c.durable}`, c);
  return [...seen.values()];
}

/**
 * The `to_device` section of /sync (client-server API, "Send-to-Device messaging"): the syncing
 * device's messages after its token's to-device position, oldest first, at most 100 an answer.
 * A token is the device's acknowledgement: syncing with it deletes the messages at or before its
 * position, so a client that syncs again from an older token (its answer was lost) gets them
 * again. With more than 100 waiting, next_batch stops at the last one given and the rest come
 * with the next /sync, which then answers at once.
 */
import type { SyncStore } from "../storage";

/** Messages in one answer (as Synapse). */
export const TO_DEVICE_LIMIT = 100;

export interface ToDeviceSection {
  events: { sender: string; type: string; content: Record<string, unknown> }[];
  /** The to-device position of next_batch. */
  pos: number;
  /** True when messages were left for the next answer. */
  more: boolean;
}

export async function readToDevice(
  store: Pick<SyncStore, "toDevice">,
  q: { userId: string; deviceId: string; since: number },
): Promise<ToDeviceSection> {
  const { now, messages } = await store.toDevice.toDeviceFor({ userId: q.userId, deviceId: q.deviceId, ack: q.since, limit: TO_DEVICE_LIMIT });
  const more = messages.length === TO_DEVICE_LIMIT;
  // A token from ahead of us (a restored backup) counts as now: nothing between is skipped twice.
  const pos = more ? messages[messages.length - 1]!.pos : Math.max(now, q.since);
  return { events: messages.map((m) => ({ sender: m.sender, type: m.type, content: m.content })), pos, more };
}

/** An answer that left messages behind must not be taken for "nothing new" by the next poll. */
export function hasMoreToDevice(res: { to_device: { events: unknown[] } }): boolean {
  return res.to_device.events.length >= TO_DEVICE_LIMIT;
}

/**
 * What keyserver publishes, for syncapi (device_lists in /sync, GET /keys/changes) and later
 * federationsender (m.device_list_update). One subject per user (the user ID base64url-encoded:
 * user IDs hold dots, which split NATS subject tokens), so one user's changes arrive in order.
 *
 * Delivery is at-least-once: a consumer records "this user's keys changed at position N", which
 * a repeat only moves later — a client then asks once more for keys it already has.
 */
import { z } from "zod";

export const OUTPUT_KEY_CHANGE_EVENT = "OutputKeyChangeEvent";

export const outputKeyChangeEventStream = { name: OUTPUT_KEY_CHANGE_EVENT, subjects: [`${OUTPUT_KEY_CHANGE_EVENT}.*`] };

export const keyChangeSubject = (userId: string) =>
  `${OUTPUT_KEY_CHANGE_EVENT}.${Buffer.from(userId, "utf8").toString("base64url")}`;

/** A device's identity keys were uploaded, replaced, or deleted with the device. */
export interface OutputKeyChangeEvent {
  userId: string;
  deviceId: string;
  /** The device and its keys are gone (logout, DELETE /devices). */
  deleted: boolean;
  /**
   * With deleted: the device never had identity keys, so no device list changed; told all the
   * same, because what else was kept for the device (its to-device messages) must go with it.
   */
  hadNoKeys?: boolean;
}

export const outputKeyChangeEventSchema: z.ZodType<OutputKeyChangeEvent> = z.object({
  userId: z.string(),
  deviceId: z.string(),
  deleted: z.boolean(),
  hadNoKeys: z.boolean().optional(),
});

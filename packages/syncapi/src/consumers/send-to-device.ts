/**
 * eduserver's OutputSendToDeviceEvent: each message stored for its recipient's devices — the one
 * named if the user has it (a message to a device that does not exist is dropped, as Synapse
 * does; it could never be acknowledged), every device they have for "*" (asked of userapi now,
 * so the list is the one when it is stored) — then the user is woken, in every syncapi process.
 * A (device, messageId) is stored once, so a redelivery or a retried transaction wakes nobody.
 *
 * And keyserver's OutputKeyChangeEvent: a deleted device's messages go with it.
 */
import type { OutputSendToDeviceEvent } from "@dendrite-ts/eduserver";
import type { OutputKeyChangeEvent } from "@dendrite-ts/keyserver";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { Wake } from "../notifier";
import type { SyncStore } from "../storage";
import type { WakeBus } from "../wake-bus";

export function createSendToDeviceHandler(deps: {
  store: Pick<SyncStore, "toDevice">;
  userapi: Pick<UserapiForSync, "queryDevices">;
  wake(what: Wake): void;
  bus?: Pick<WakeBus, "notice" | "wakeLocal">;
}): (msg: OutputSendToDeviceEvent) => Promise<void> {
  return async (msg) => {
    const { devices } = (await deps.userapi.queryDevices({ body: { userId: msg.userId } })).body as { devices: { deviceId: string }[] };
    const has = devices.map((d) => d.deviceId);
    const deviceIds = msg.deviceId === "*" ? has : has.filter((d) => d === msg.deviceId);
    if (deviceIds.length === 0) return;
    const what: Wake = { users: [msg.userId] };
    const pos = await deps.store.toDevice.insertToDevice(
      { userId: msg.userId, deviceIds, messageId: msg.messageId, sender: msg.sender, type: msg.type, content: msg.content },
      deps.bus?.notice(what),
    );
    if (pos === undefined) return;
    if (deps.bus) deps.bus.wakeLocal(what);
    else deps.wake(what);
  };
}

export function createDeviceDeletedHandler(deps: { store: Pick<SyncStore, "toDevice"> }): (msg: OutputKeyChangeEvent) => Promise<void> {
  return async (msg) => {
    if (msg.deleted) await deps.store.toDevice.deleteDeviceMessages(msg.userId, msg.deviceId);
  };
}

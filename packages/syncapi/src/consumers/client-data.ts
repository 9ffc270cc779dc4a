/**
 * The OutputClientData consumer: account-data changes from userapi, stored at our own
 * account-data position. userapi's streamPos guards the upsert, so a redelivered or older
 * message changes nothing and wakes nobody.
 */
import type { OutputClientData } from "@dendrite-ts/userapi";
import type { Wake } from "../notifier";
import type { SyncStore } from "../storage";
import { writeTransaction } from "./write-transaction";

export function createClientDataHandler(deps: { store: SyncStore; wake(what: Wake): void }): (msg: OutputClientData) => Promise<void> {
  return async (msg) => {
    if (msg.kind !== "account_data") return;
    const changed = await writeTransaction(deps.store, async (tx) => {
      const pos = await tx.accountData.upsertAccountData({
        userId: msg.userId,
        roomId: msg.roomId ?? "",
        type: msg.type,
        content: msg.content,
        sourcePos: msg.streamPos,
      });
      if (pos === undefined) return false;
      await tx.positions.bumpPosition("account_data", pos);
      return true;
    });
    if (changed) deps.wake({ users: [msg.userId] });
  };
}

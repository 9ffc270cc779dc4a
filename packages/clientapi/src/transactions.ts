/**
 * Idempotent sends (PUT …/send/{type}/{txnId}, PUT …/redact/{id}/{txnId}; PUT /sendToDevice keeps
 * its own guarantee, see routing/send-to-device.ts). For events the guarantee is the
 * roomserver's: it records each client transaction (room, sender, device, transaction ID, event
 * type) in the same database transaction as the event, handles a room's events one at a time,
 * and answers a repeat with the first event's ID — across retries, concurrent duplicates and
 * crashes of any process. So a send costs no statement here.
 *
 * What this adds, in memory, is what must hold before the roomserver is asked: a retransmission
 * of a transaction this process has completed is answered at once, without the checks a fresh
 * request goes through first (the rate limit; membership, if the sender has since left), and
 * concurrent duplicates share the first request's send rather than each taking a rate-limit
 * token. A failed request is not remembered: the client may fix things and retry the txnId.
 * After a restart the first retransmission goes through those checks again; if they pass, the
 * roomserver answers it with the first event.
 */

export interface TxnKey {
  userId: string;
  deviceId: string;
  endpoint: "send" | "redact" | "sendToDevice";
  /** "" for sendToDevice. */
  roomId: string;
  /** The event type: part of the transaction's path, and of the roomserver's key. */
  eventType: string;
  txnId: string;
}

export interface TransactionStore {
  /** The event ID of the transaction: a known one, or the one `send` produces now. */
  once(key: TxnKey, send: () => Promise<string>): Promise<string>;
}

export interface TransactionStoreOptions {
  /** Completed transactions kept (least recently used go first). */
  maxEntries?: number;
  /** How long a completed transaction is kept, ms (clients retry within minutes). */
  retainMs?: number;
  now?: () => number;
}

export function createTransactionStore(opts: TransactionStoreOptions = {}): TransactionStore {
  const maxEntries = opts.maxEntries ?? 20_000;
  const retainMs = opts.retainMs ?? 3600_000;
  const now = opts.now ?? Date.now;
  const completed = new Map<string, { eventId: string; at: number }>();
  const inFlight = new Map<string, Promise<string>>();

  const keyOf = (k: TxnKey) => JSON.stringify([k.userId, k.deviceId, k.endpoint, k.roomId, k.eventType, k.txnId]);

  function remember(key: string, eventId: string): void {
    completed.delete(key);
    completed.set(key, { eventId, at: now() });
    while (completed.size > maxEntries) completed.delete(completed.keys().next().value as string);
  }

  return {
    async once(k, send) {
      const key = keyOf(k);
      for (;;) {
        const done = completed.get(key);
        if (done) {
          if (now() - done.at <= retainMs) return done.eventId;
          completed.delete(key);
        }
        const pending = inFlight.get(key);
        if (!pending) break;
        // The first request failed: a duplicate tries for itself, as a fresh request would.
        await pending.catch(() => undefined);
      }
      const attempt = send();
      inFlight.set(key, attempt);
      try {
        const eventId = await attempt;
        remember(key, eventId);
        return eventId;
      } finally {
        inFlight.delete(key);
      }
    },
  };
}

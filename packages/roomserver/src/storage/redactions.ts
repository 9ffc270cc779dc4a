/**
 * Queries on `roomserver.redactions`. A redaction may arrive before the event it redacts, so
 * both directions are looked up: "is this new event already redacted?" and "does this
 * redaction target something we hold?".
 */
import { eq } from "drizzle-orm";
import type { Executor } from "./db";
import { redactions } from "./schema";

export type RedactionRow = typeof redactions.$inferSelect;

export interface RedactionQueries {
  insertRedaction(redactionEventId: string, redactsEventId: string): Promise<void>;
  redactionsOf(redactsEventId: string): Promise<RedactionRow[]>;
  redaction(redactionEventId: string): Promise<RedactionRow | undefined>;
  markValidated(redactionEventId: string): Promise<void>;
}

export function redactionQueries(db: Executor): RedactionQueries {
  return {
    async insertRedaction(redactionEventId, redactsEventId) {
      await db.insert(redactions).values({ redactionEventId, redactsEventId }).onConflictDoNothing();
    },
    async redactionsOf(redactsEventId) {
      return db.select().from(redactions).where(eq(redactions.redactsEventId, redactsEventId));
    },
    async redaction(redactionEventId) {
      const [row] = await db.select().from(redactions).where(eq(redactions.redactionEventId, redactionEventId));
      return row;
    },
    async markValidated(redactionEventId) {
      await db.update(redactions).set({ validated: true }).where(eq(redactions.redactionEventId, redactionEventId));
    },
  };
}

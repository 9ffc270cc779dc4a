/** The `clientapi.reports` table: reports users made, and the admin API's pages of them. */
import type { Sql } from "@dendrite-ts/runtime";

export type ReportKind = "event" | "room" | "user";

export interface NewReport {
  kind: ReportKind;
  reporter: string;
  roomId?: string;
  eventId?: string;
  eventSender?: string;
  targetUserId?: string;
  reason?: string;
  receivedTs: number;
}

export interface Report extends NewReport {
  id: number;
}

export interface ReportPage {
  reports: Report[];
  total: number;
}

export interface ReportStore {
  add(r: NewReport): Promise<number>;
  /** Newest first (dir b) or oldest first, skipping `from` of them; filtered by reporter or room. */
  page(kind: ReportKind, q: { from: number; limit: number; dir: "b" | "f"; reporter?: string; roomId?: string }): Promise<ReportPage>;
}

interface Row {
  id: string;
  kind: ReportKind;
  reporter: string;
  room_id: string | null;
  event_id: string | null;
  event_sender: string | null;
  target_user_id: string | null;
  reason: string | null;
  received_ts: string;
  total: string;
}

export function createReportStore(sql: Sql): ReportStore {
  return {
    async add(r) {
      const [row] = await sql<{ id: string }[]>`
        INSERT INTO clientapi.reports (kind, reporter, room_id, event_id, event_sender, target_user_id, reason, received_ts)
        VALUES (${r.kind}, ${r.reporter}, ${r.roomId ?? null}, ${r.eventId ?? null}, ${r.eventSender ?? null}, ${r.targetUserId ?? null}, ${r.reason ?? null}, ${r.receivedTs})
        RETURNING id`;
      return Number(row!.id);
    },
    async page(kind, q) {
      const rows = await sql<Row[]>`
        SELECT *, count(*) OVER () AS total FROM clientapi.reports
        WHERE kind = ${kind}
          ${q.reporter !== undefined ? sql`AND reporter = ${q.reporter}` : sql``}
          ${q.roomId !== undefined ? sql`AND room_id = ${q.roomId}` : sql``}
        ORDER BY id ${q.dir === "b" ? sql`DESC` : sql`ASC`}
        OFFSET ${q.from} LIMIT ${q.limit}`;
      const total = rows[0] ? Number(rows[0].total) : (await sql<{ n: string }[]>`SELECT count(*) AS n FROM clientapi.reports WHERE kind = ${kind}
          ${q.reporter !== undefined ? sql`AND reporter = ${q.reporter}` : sql``}
          ${q.roomId !== undefined ? sql`AND room_id = ${q.roomId}` : sql``}`)[0]!.n;
      return {
        total: Number(total),
        reports: rows.map((r) => ({
          id: Number(r.id),
          kind: r.kind,
          reporter: r.reporter,
          receivedTs: Number(r.received_ts),
          ...(r.room_id !== null ? { roomId: r.room_id } : {}),
          ...(r.event_id !== null ? { eventId: r.event_id } : {}),
          ...(r.event_sender !== null ? { eventSender: r.event_sender } : {}),
          ...(r.target_user_id !== null ? { targetUserId: r.target_user_id } : {}),
          ...(r.reason !== null ? { reason: r.reason } : {}),
        })),
      };
    },
  };
}

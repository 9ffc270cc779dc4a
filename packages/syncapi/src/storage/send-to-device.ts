/**
 * `send_to_device`: to-device messages from eduserver's OutputSendToDeviceEvent, one row per
 * recipient device, at a position of their own stream (`syncapi.send_to_device_pos`, the sixth
 * part of a sync token). Written as receipts are: under a lock held to commit, the position bumped
 * in the same statement, so a reader's token never skips a message committed later. A row stays
 * until its device syncs with a token at or past it (the spec: kept until acknowledged), or the
 * device is deleted.
 */
import type { Sql } from "@dendrite-ts/runtime";
import type { Notice } from "./hot-path";
import { num, type Raw } from "./raw";

export interface ToDeviceMessage {
  sender: string;
  type: string;
  content: Record<string, unknown>;
  pos: number;
}

/**
 * Stores a message for each of `deviceIds` (in that order) at the next positions; a (device,
 * messageId) stored before is left alone. The last new position, or undefined when nothing was
 * new (a redelivery or a retried transaction: nobody is woken).
 */
export async function insertToDevice(
  sql: Sql,
  m: { userId: string; deviceIds: string[]; messageId: string; sender: string; type: string; content: Record<string, unknown> },
  notice?: Notice,
): Promise<number | undefined> {
  const rows = await sql`
    WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext('syncapi.send_to_device_writers')) AS locked),
    w AS (
      INSERT INTO syncapi.send_to_device (pos, user_id, device_id, message_id, sender, type, content)
      SELECT nextval('syncapi.send_to_device_pos'), ${m.userId}::text, d.device_id, ${m.messageId}::text, ${m.sender}::text, ${m.type}::text, ${JSON.stringify(m.content)}::text::jsonb
      FROM lock, unnest(${m.deviceIds}::text[]) WITH ORDINALITY AS d(device_id, n)
      ORDER BY d.n
      ON CONFLICT (user_id, device_id, message_id) DO NOTHING
      RETURNING pos
    ),
    bump AS (
      UPDATE syncapi.stream_positions sp SET pos = GREATEST(sp.pos, (SELECT max(pos) FROM w))
      WHERE sp.name = 'send_to_device' AND EXISTS (SELECT 1 FROM w) RETURNING sp.pos
    )
    SELECT (SELECT max(pos) FROM w) AS pos, (SELECT count(*) FROM bump) AS bumped
      ${notice ? sql`, pg_notify(${notice.channel}::text, ${notice.payload}::text)` : sql``}
    WHERE EXISTS (SELECT 1 FROM w)`;
  return rows[0] ? num(rows[0].pos) : undefined;
}

/**
 * One statement: forgets the device's messages at or before `ack` (the client's token says it
 * has them), and reads the stream's position and, as of it, the first `limit` messages after
 * `ack`, oldest first.
 */
export async function toDeviceFor(
  sql: Sql,
  q: { userId: string; deviceId: string; ack: number; limit: number },
): Promise<{ now: number; messages: ToDeviceMessage[] }> {
  const rows = await sql`
    WITH acked AS (
      DELETE FROM syncapi.send_to_device
      WHERE user_id = ${q.userId}::text AND device_id = ${q.deviceId}::text AND pos <= ${q.ack}::int8
    ),
    sp AS MATERIALIZED (SELECT coalesce(max(pos), 0)::int8 AS now FROM syncapi.stream_positions WHERE name = 'send_to_device')
    SELECT sp.now, m.sender, m.type, m.content, m.pos
    FROM sp LEFT JOIN LATERAL (
      SELECT sender, type, content, pos FROM syncapi.send_to_device
      WHERE user_id = ${q.userId}::text AND device_id = ${q.deviceId}::text AND pos > ${q.ack}::int8 AND pos <= sp.now
      ORDER BY pos LIMIT ${q.limit}::int4
    ) m ON true
    ORDER BY m.pos`;
  const now = rows[0] ? num(rows[0].now) : 0;
  const messages = (rows as unknown as Raw[])
    .filter((r) => r.pos !== null)
    .map((r) => ({ sender: r.sender as string, type: r.type as string, content: r.content as Record<string, unknown>, pos: num(r.pos) }));
  return { now, messages };
}

/** A deleted device's messages go with it (a new device given the same ID must not read them). */
export async function deleteDeviceMessages(sql: Sql, userId: string, deviceId: string): Promise<void> {
  await sql`DELETE FROM syncapi.send_to_device WHERE user_id = ${userId}::text AND device_id = ${deviceId}::text`;
}

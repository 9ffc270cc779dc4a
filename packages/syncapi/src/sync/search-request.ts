/**
 * POST /search (search.yaml): the request body checked, and the `next_batch` token. The token
 * names the ordering, where the last page stopped, and the group it is scoped to (a group's
 * next_batch pages within that room or sender, as does the top-level one it then returns).
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";
import type { SearchCursor } from "../storage";
import { roomEventFilterSchema } from "./filter";

const KEYS = ["content.body", "content.name", "content.topic"] as const;
const count = z.number().int().min(0);

const roomEventsCriteria = z
  .object({
    search_term: z.string(),
    keys: z.array(z.enum(KEYS)).optional(),
    filter: roomEventFilterSchema.optional(),
    order_by: z.enum(["recent", "rank"]).optional(),
    event_context: z
      .object({ before_limit: count.optional(), after_limit: count.optional(), include_profile: z.boolean().optional() })
      .passthrough()
      .optional(),
    include_state: z.boolean().optional(),
    groupings: z
      .object({ group_by: z.array(z.object({ key: z.enum(["room_id", "sender"]) }).passthrough()).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

// room_events is the only category the spec defines: another is refused, not silently skipped.
const searchBody = z.object({ search_categories: z.object({ room_events: roomEventsCriteria.optional() }).strict() }).passthrough();

export type RoomEventsCriteria = z.infer<typeof roomEventsCriteria>;
export type GroupKey = "room_id" | "sender";

export function parseSearchBody(body: unknown): RoomEventsCriteria {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new MatrixError("M_NOT_JSON", "The body must be a JSON object");
  const r = searchBody.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.join(".");
    if (issue.code === "unrecognized_keys") throw new MatrixError("M_INVALID_PARAM", `Unknown search category: ${issue.keys.join(", ")}`);
    if (issue.code === "invalid_type" && issue.received === "undefined") throw new MatrixError("M_MISSING_PARAM", `Missing ${where}`);
    throw new MatrixError("M_BAD_JSON", `Invalid ${where || "body"}: ${issue.message}`);
  }
  const criteria = r.data.search_categories.room_events;
  if (!criteria) throw new MatrixError("M_MISSING_PARAM", "No search category given (room_events)");
  return criteria;
}

export interface SearchToken {
  order: "rank" | "recent";
  cursor: SearchCursor;
  group?: { key: GroupKey; value: string };
}

const tokenShape = z
  .object({
    o: z.enum(["rank", "recent"]),
    // rank: a float4 as PostgreSQL prints it; recent: origin_server_ts.
    k: z.string().regex(/^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i),
    p: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    g: z.tuple([z.enum(["room_id", "sender"]), z.string().min(1)]).optional(),
  })
  .strict();

export function formatSearchToken(t: SearchToken): string {
  const raw = { o: t.order, k: t.cursor.key, p: t.cursor.pos, ...(t.group ? { g: [t.group.key, t.group.value] } : {}) };
  return Buffer.from(JSON.stringify(raw)).toString("base64url");
}

/** A next_batch from an earlier answer to the same request; anything else is 400. */
export function parseSearchToken(raw: string, order: "rank" | "recent"): SearchToken {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const r = tokenShape.safeParse(value);
  if (!r.success) throw new MatrixError("M_INVALID_PARAM", "Invalid next_batch");
  if (r.data.o !== order) throw new MatrixError("M_INVALID_PARAM", "next_batch belongs to a search with another order_by");
  const [key, groupValue] = r.data.g ?? [];
  return { order: r.data.o, cursor: { key: r.data.k, pos: r.data.p }, ...(key && groupValue ? { group: { key, value: groupValue } } : {}) };
}

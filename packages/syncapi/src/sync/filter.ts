/**
 * Filters (client-server API, "Filtering"; filter.yaml, sync_filter.yaml,
 * room_event_filter.yaml): validated leniently (unknown keys kept), applied in memory for
 * account data and presence, and turned into SQL by storage for timelines.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import { z } from "zod";

const strings = z.array(z.string());
// The spec's patterns (event_filter.yaml, room_event_filter.yaml): an ID of the wrong kind would
// silently match nothing, so it is refused where the filter is given.
const userIds = z.array(z.string().startsWith("@", "must be a user ID"));
const roomIds = z.array(z.string().startsWith("!", "must be a room ID"));

/** The three filter shapes, with the given checks on user and room ID lists. */
function filterSchemas(users: z.ZodType<string[]>, rooms: z.ZodType<string[]>) {
  const event = z
    .object({
      limit: z.number().int().min(0).optional(),
      types: strings.optional(),
      not_types: strings.optional(),
      senders: users.optional(),
      not_senders: users.optional(),
    })
    .passthrough();
  const roomEvent = event
    .extend({
      rooms: rooms.optional(),
      not_rooms: rooms.optional(),
      contains_url: z.boolean().optional(),
      lazy_load_members: z.boolean().optional(),
      include_redundant_members: z.boolean().optional(),
      unread_thread_notifications: z.boolean().optional(),
    })
    .passthrough();
  const filter = z
    .object({
      event_fields: strings.optional(),
      event_format: z.enum(["client", "federation"]).optional(),
      presence: event.optional(),
      account_data: event.optional(),
      room: z
        .object({
          rooms: rooms.optional(),
          not_rooms: rooms.optional(),
          include_leave: z.boolean().optional(),
          ephemeral: roomEvent.optional(),
          state: roomEvent.optional(),
          timeline: roomEvent.optional(),
          account_data: roomEvent.optional(),
        })
        .passthrough()
        .optional(),
    })
    .passthrough();
  return { event, roomEvent, filter };
}

const given = filterSchemas(userIds, roomIds);
export const eventFilterSchema = given.event;
export const roomEventFilterSchema = given.roomEvent;
export const filterSchema = given.filter;
/**
 * A stored filter is read back as it was accepted: one uploaded before the ID patterns were
 * checked may hold an entry of the wrong kind, which matches nothing, as it always did — its
 * /sync must not start failing.
 */
export const storedFilterSchema = filterSchemas(strings, strings).filter;

export type EventFilter = z.infer<typeof eventFilterSchema>;
export type RoomEventFilter = z.infer<typeof roomEventFilterSchema>;
export type Filter = z.infer<typeof filterSchema>;

/** Validates a filter object; problems are `errcode` (M_BAD_JSON on upload, M_INVALID_PARAM in a query). */
export function validateFilter<T>(schema: z.ZodType<T>, value: unknown, errcode: "M_BAD_JSON" | "M_INVALID_PARAM"): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MatrixError(errcode, `Invalid filter: ${issue ? `${issue.path.join(".") || "filter"}: ${issue.message}` : "bad shape"}`);
  }
  return r.data;
}

/** A JSON filter from a query parameter. */
export function parseFilterParam<T>(schema: z.ZodType<T>, raw: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new MatrixError("M_INVALID_PARAM", "filter is not valid JSON");
  }
  return validateFilter(schema, value, "M_INVALID_PARAM");
}

/** `*` matches any run of characters (spec: types and not_types). */
export function matchesPattern(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const re = new RegExp(`^${pattern.split("*").map(escapeRe).join(".*")}$`);
  return re.test(value);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Applies type/sender lists to an event-shaped value (not the limit). */
export function eventMatches(f: EventFilter | undefined, ev: { type: string; sender?: string }): boolean {
  if (!f) return true;
  if (f.not_types?.some((p) => matchesPattern(p, ev.type))) return false;
  if (f.types && !f.types.some((p) => matchesPattern(p, ev.type))) return false;
  if (ev.sender !== undefined) {
    if (f.not_senders?.includes(ev.sender)) return false;
    if (f.senders && !f.senders.includes(ev.sender)) return false;
  }
  return true;
}

/** Room lists of a room filter: not_rooms wins over rooms. */
export function roomAllowed(f: { rooms?: string[]; not_rooms?: string[] } | undefined, roomId: string): boolean {
  if (!f) return true;
  if (f.not_rooms?.includes(roomId)) return false;
  if (f.rooms && !f.rooms.includes(roomId)) return false;
  return true;
}

/**
 * Every list of a RoomEventFilter (not the limit) on an event held in memory: what storage's SQL
 * condition does for timelines, for the state sections that are filtered after reading.
 */
export function roomEventMatches(f: RoomEventFilter | undefined, ev: { type: string; sender: string; roomId: string; containsUrl: boolean }): boolean {
  if (!f) return true;
  if (!eventMatches(f, ev) || !roomAllowed(f, ev.roomId)) return false;
  return f.contains_url === undefined || f.contains_url === ev.containsUrl;
}

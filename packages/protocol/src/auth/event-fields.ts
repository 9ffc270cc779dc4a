/**
 * Lenient reads of received events. Auth rules run over plain JSON objects of any room version,
 * so every accessor tolerates missing fields, wrong types and unknown keys: it answers
 * `undefined` (or an empty value) and lets the rule decide what that means.
 */

import { isValidUserId as isValidHistoricalUserId } from "../ids/user-id";

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function stringField(obj: unknown, key: string): string | undefined {
  if (!isObject(obj)) return undefined;
  const v = obj[key];
  return typeof v === "string" ? v : undefined;
}

export function eventType(ev: object): string | undefined {
  return stringField(ev, "type");
}

export function eventSender(ev: object): string | undefined {
  return stringField(ev, "sender");
}

export function eventRoomId(ev: object): string | undefined {
  return stringField(ev, "room_id");
}

/** `undefined` when the event is not a state event (no `state_key` at all). */
export function eventStateKey(ev: object): string | undefined {
  return stringField(ev, "state_key");
}

export function hasStateKey(ev: object): boolean {
  return isObject(ev) && "state_key" in ev && ev.state_key !== undefined;
}

export function eventContent(ev: object): JsonObject {
  const c = (ev as JsonObject).content;
  return isObject(c) ? c : {};
}

export function contentString(ev: object, key: string): string | undefined {
  return stringField(eventContent(ev), key);
}

export function membershipOf(ev: object | undefined): string | undefined {
  return ev === undefined ? undefined : contentString(ev, "membership");
}

export function joinRuleOf(ev: object | undefined): string | undefined {
  return ev === undefined ? undefined : contentString(ev, "join_rule");
}

/** v1/v2 events carry their own `event_id`; later versions do not. */
export function eventIdField(ev: object): string | undefined {
  return stringField(ev, "event_id");
}

/**
 * Event IDs referenced by `prev_events`/`auth_events`: v1/v2 list `[eventId, {sha256}]` pairs,
 * v3+ plain IDs. Both shapes are read so a mislabelled event is still judged on what it says.
 */
export function eventRefs(ev: object, key: "prev_events" | "auth_events"): string[] {
  const refs = (ev as JsonObject)[key];
  if (!Array.isArray(refs)) return [];
  const ids: string[] = [];
  for (const ref of refs) {
    if (typeof ref === "string") ids.push(ref);
    else if (Array.isArray(ref) && typeof ref[0] === "string") ids.push(ref[0]);
  }
  return ids;
}

/** The raw `prev_events` length, whatever the entries look like. */
export function prevEventCount(ev: object): number {
  const refs = (ev as JsonObject).prev_events;
  return Array.isArray(refs) ? refs.length : 0;
}

/** The server part of a user, room or (v1/v2) event ID: everything after the first colon. */
export function domainOf(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const i = id.indexOf(":");
  return i < 0 ? undefined : id.slice(i + 1);
}

/** A user ID as received events may carry it (historical grammar accepted). */
export function isValidUserId(s: unknown): s is string {
  return typeof s === "string" && isValidHistoricalUserId(s);
}

/**
 * PUT /state/m.room.canonical_alias (room_state.yaml): aliases the event newly lists must be
 * valid (400 M_INVALID_PARAM) and point to this room (400 M_BAD_ALIAS); aliases already in the
 * current event, or being removed, are not checked. Our own aliases resolve through the
 * roomserver; another server's cannot be resolved without federation, so a new one is refused
 * (M_BAD_ALIAS) rather than listed unchecked. createRoom's initial_state is held to the same.
 */
import { MatrixError, isValidRoomAlias, roomAliasServerName, type RoomAlias } from "@dendrite-ts/protocol";
import type { RouteContext } from "./context";

export async function checkCanonicalAliasContent(ctx: RouteContext, roomId: string, content: Record<string, unknown>): Promise<void> {
  const aliases = listedAliases(content);
  if (aliases.length === 0) return;
  const { body } = await ctx.roomserver.queryCurrentState({ body: { roomId, stateTuples: [{ type: "m.room.canonical_alias", stateKey: "" }] } });
  const current = body.stateEvents[0]?.content as Record<string, unknown> | undefined;
  const present = new Set(current ? lenientAliases(current) : []);
  for (const alias of aliases) {
    if (present.has(alias)) continue;
    if (roomAliasServerName(alias as RoomAlias) !== ctx.serverName) {
      throw new MatrixError("M_BAD_ALIAS", `The alias ${alias} is on another server and cannot be checked`);
    }
    const { body: found } = await ctx.roomserver.resolveRoomAlias({ body: { alias } });
    if (found.roomId !== roomId) throw new MatrixError("M_BAD_ALIAS", `The alias ${alias} does not point to this room`);
  }
}

/**
 * createRoom's initial_state m.room.canonical_alias (`at` locates it in the request): the room
 * does not exist yet, so the only alias that can point to it is the one room_alias_name makes.
 */
export function checkInitialCanonicalAliasContent(content: Record<string, unknown>, ownAlias: string | undefined, at: string): void {
  for (const alias of listedAliases(content, at)) {
    if (alias !== ownAlias) throw new MatrixError("M_BAD_ALIAS", `The alias ${alias} does not point to the new room`);
  }
}

/** `alias` and `alt_aliases` of the new content, refused unless well formed. */
function listedAliases(content: Record<string, unknown>, at = "body"): string[] {
  const invalid = (field: string, why: string): never => {
    throw new MatrixError("M_INVALID_PARAM", `${at}.${field}: ${why}`);
  };
  const out: string[] = [];
  // The schema reads an absent, null or empty alias alike as "no canonical alias".
  if (content.alias !== undefined && content.alias !== null && content.alias !== "") {
    if (typeof content.alias !== "string" || !isValidRoomAlias(content.alias)) invalid("alias", `${JSON.stringify(content.alias)} is not a room alias`);
    out.push(content.alias as string);
  }
  if (content.alt_aliases !== undefined && content.alt_aliases !== null) {
    if (!Array.isArray(content.alt_aliases)) invalid("alt_aliases", "must be an array of room aliases");
    (content.alt_aliases as unknown[]).forEach((a, i) => {
      if (typeof a !== "string" || !isValidRoomAlias(a)) invalid(`alt_aliases.${i}`, `${JSON.stringify(a)} is not a room alias`);
      out.push(a as string);
    });
  }
  return [...new Set(out)];
}

/** The aliases an existing event lists, whatever else it holds. */
function lenientAliases(content: Record<string, unknown>): string[] {
  const alt = Array.isArray(content.alt_aliases) ? content.alt_aliases : [];
  return [content.alias, ...alt].filter((a): a is string => typeof a === "string");
}

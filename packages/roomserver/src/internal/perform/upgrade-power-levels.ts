/**
 * Power levels around a room upgrade: the replacement room's (at first with the upgrader raised
 * high enough to copy every transferable state event and the bans, then the real ones), and the
 * old room's, restricted so nobody keeps talking there.
 */

type Content = Record<string, unknown>;

/** An integer level, or a string of one (allowed before v10), as a number; anything else undefined. */
function levelOf(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

/** Levels written as strings become integers (v10+ rooms reject string levels). */
function withIntegerLevels(content: Content): Content {
  const out: Content = { ...content };
  for (const [k, v] of Object.entries(content)) {
    if (typeof v === "string" && levelOf(v) !== undefined) out[k] = levelOf(v);
    else if ((k === "users" || k === "events" || k === "notifications") && v !== null && typeof v === "object" && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v as Content).map(([kk, vv]) => [kk, typeof vv === "string" ? (levelOf(vv) ?? vv) : vv]));
    }
  }
  return out;
}

/** The highest level any copied state event or ban in the new room needs (as Synapse computes it). */
function levelNeededToCopy(content: Content): number {
  const events = content.events !== null && typeof content.events === "object" ? Object.values(content.events as Content) : [];
  const levels = [levelOf(content.state_default) ?? 50, levelOf(content.ban) ?? 50, ...events.map((v) => levelOf(v) ?? 0)];
  return Math.max(...levels);
}

export interface ReplacementPowerLevels {
  /** The new room's first power levels: the old ones, the upgrader raised where they must be. */
  initial: Content;
  /** The real power levels, sent once the state is copied; undefined when `initial` is them. */
  final: Content | undefined;
}

/**
 * `oldContent`: the old room's power levels; `power`: the upgrader's level there (Infinity for a
 * v12 creator). `creators`: who is a creator of a v12+ replacement (infinite power, not listed),
 * undefined for earlier versions.
 */
export function replacementPowerLevels(upgrader: string, oldContent: Content, power: number, creators: readonly string[] | undefined): ReplacementPowerLevels {
  const content = withIntegerLevels(oldContent);
  const users = { ...((content.users ?? {}) as Record<string, number>) };
  if (creators !== undefined) {
    // v12+: creators have infinite power and must not be listed; nothing to raise.
    for (const c of creators) delete users[c];
    const real = { ...content, users };
    return { initial: real, final: undefined };
  }
  const needed = levelNeededToCopy(content);
  // From a v12 room the upgrader may have had infinite power: the top level instead.
  const own = Number.isFinite(power) ? Math.max(power, users[upgrader] ?? 0) : Math.max(100, needed);
  const real = { ...content, users: { ...users, [upgrader]: own } };
  if (own >= needed) return { initial: real, final: undefined };
  return { initial: { ...content, users: { ...users, [upgrader]: needed } }, final: real };
}

/** The old room's power levels with sending and inviting raised (room_upgrades.md, step 6). */
export function silencedPowerLevels(oldContent: Content): Content {
  const usersDefault = levelOf(oldContent.users_default) ?? 0;
  const restricted = Math.max(50, usersDefault + 1);
  return { ...oldContent, events_default: restricted, invite: restricted };
}

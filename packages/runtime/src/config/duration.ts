/**
 * Durations in config are written the way Dendrite's Go config wrote them ("168h", "30s",
 * "1h30m", "500ms"; also "7d") and parsed to milliseconds. A bare number means milliseconds.
 */
import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const [, n, unit] of s.matchAll(PART)) total += Number(n) * UNIT_MS[unit!]!;
  return Math.round(total);
}

/** A duration field: accepts "168h" or a number of ms, yields ms. */
export const durationSchema = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `is not a duration. Fix: write a number with a unit, e.g. "500ms", "30s", "5m", "168h", "7d" or "1h30m"`,
    });
    return z.NEVER;
  }
  return ms;
});

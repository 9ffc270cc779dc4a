/**
 * A token bucket per key (user ID, or IP for unauthenticated routes): `threshold` requests in a
 * burst, one more every `cooloffMs`. Over the limit: 429 M_LIMIT_EXCEEDED with retry_after_ms.
 * In memory, per process: a limit against floods, not an exact quota.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { RateLimitConfig } from "./deps";

export type RateLimit = (key: string) => void;

export function createRateLimiter(config: RateLimitConfig, now: () => number): RateLimit {
  if (!config.enabled) return () => {};
  const buckets = new Map<string, { tokens: number; at: number }>();
  const capacity = config.threshold;
  const refillMs = Math.max(1, config.cooloffMs);
  return (key) => {
    const t = now();
    const b = buckets.get(key) ?? { tokens: capacity, at: t };
    b.tokens = Math.min(capacity, b.tokens + (t - b.at) / refillMs);
    b.at = t;
    if (b.tokens < 1) {
      buckets.set(key, b);
      throw new MatrixError("M_LIMIT_EXCEEDED", "Too many requests", { retry_after_ms: Math.ceil((1 - b.tokens) * refillMs) });
    }
    b.tokens -= 1;
    buckets.set(key, b);
    // Forget full buckets now and then so the map does not grow with every IP ever seen.
    if (buckets.size > 10_000) for (const [k, v] of buckets) if (v.tokens >= capacity - 1) buckets.delete(k);
  };
}

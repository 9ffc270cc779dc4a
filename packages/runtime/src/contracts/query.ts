/**
 * Query strings the Matrix way, for both adapters: a list is the key repeated (`?ver=1&ver=2`,
 * as in make_join), an object is JSON (as `filter` in /sync), everything else its string form.
 * ts-rest's own encoder writes `ver[0]=1`, which fastify (and other homeservers) do not read as a
 * list. `serverQuery` gives what fastify's parser makes of the result, so the local client feeds
 * implementations exactly what the HTTP path would.
 */
export function encodeQuery(query: unknown): string {
  if (!query || typeof query !== "object") return "";
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === undefined) continue;
      sp.append(k, scalar(item));
    }
  }
  return sp.toString();
}

function scalar(v: unknown): string {
  if (v === null) return "";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Repeated keys become arrays; every value a string. */
export function serverQuery(query: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(encodeQuery(query))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

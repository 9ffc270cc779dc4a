/**
 * The filter's `event_fields` (filter.yaml): keep only the listed dot-separated paths of each
 * event (`content.body`; `\.` and `\\` escape a dot and a backslash inside a key: appendices,
 * "Dot-separated property paths"). Absent: every field.
 */
type Json = Record<string, unknown>;

function splitPath(path: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    // `\.` and `\\` are a literal dot and backslash; any other backslash stands for itself.
    if (c === "\\" && (path[i + 1] === "." || path[i + 1] === "\\")) {
      cur += path[i + 1];
      i++;
    } else if (c === ".") {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function copyPath(from: Json, to: Json, parts: string[]): void {
  const [head, ...rest] = parts;
  if (head === undefined || !Object.hasOwn(from, head)) return;
  const v = from[head];
  if (rest.length === 0) {
    to[head] = v;
    return;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return;
  const child = (typeof to[head] === "object" && to[head] !== null ? to[head] : {}) as Json;
  copyPath(v as Json, child, rest);
  // Only a path that exists makes its parents: no `"content": {}` for an event without content.body.
  if (Object.keys(child).length > 0) to[head] = child;
}

export function applyEventFields<T extends Json>(events: T[], fields: string[] | undefined): Json[] {
  if (!fields) return events;
  const paths = fields.map(splitPath);
  return events.map((ev) => {
    const out: Json = {};
    for (const p of paths) copyPath(ev, out, p);
    return out;
  });
}

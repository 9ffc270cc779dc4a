/**
 * ConfigError: every problem in one message, each naming the key path, the bad value, and what
 * to do about it — so a person can fix the whole file in one go.
 */
import type { ZodIssue } from "zod";

export interface ConfigProblem {
  /** Dotted key path, e.g. `global.database.connection_string` ("" for the whole file). */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `Invalid configuration (${source}), ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
        problems.map((p) => `  - ${p.path || "(top level)"}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  if (s.length > 60) s = s.slice(0, 57) + "...";
  const kind = v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : `a ${typeof v}`;
  return `${s} (${kind})`;
}

export function valueAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

const TYPES: Record<string, { word: string; fix: string }> = {
  string: { word: "text", fix: 'write text; quote it if it looks like a number or true/false, e.g. "12"' },
  number: { word: "a number", fix: "write a number without quotes" },
  boolean: { word: "true or false", fix: "write true or false without quotes" },
  object: { word: "a mapping", fix: "write indented `key: value` lines under it" },
  array: { word: "a list", fix: "write `- item` lines under it, or [a, b]" },
};
const typeOf = (t: string) => TYPES[t] ?? { word: t, fix: `write ${t}` };

/** Examples for keys that have no default, used when they are missing. */
const REQUIRED_EXAMPLES: Record<string, string> = {
  global: 'global:\n    server_name: "example.org"',
  "global.server_name": 'server_name: "example.org" under global: (the name in your users\' IDs)',
};

/** One zod issue → one problem a person can act on. `knownKeys` finds keys beside a typo. */
export function problemFromIssue(
  issue: ZodIssue,
  input: unknown,
  knownKeys: (path: ReadonlyArray<string | number>) => string[],
  origin: (path: string) => string | undefined,
): ConfigProblem[] {
  const pathStr = issue.path.join(".");
  const value = valueAt(input, issue.path);
  const from = origin(pathStr);
  const got = `${describeValue(value)}${from ? ` [from ${from}]` : ""}`;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => {
        const keys = knownKeys(issue.path);
        const guess = closest(k, keys);
        const full = [...issue.path, k].join(".");
        const src = origin(full);
        const fix = guess
          ? `did you mean "${guess}"? Otherwise remove it`
          : `remove it (known keys here: ${keys.join(", ") || "none"})`;
        return { path: full, message: `unknown key${src ? ` (set by ${src})` : ""}. Fix: ${fix}` };
      });
    case "invalid_type": {
      const t = typeOf(issue.expected);
      if (issue.received === "undefined") {
        const ex = REQUIRED_EXAMPLES[pathStr];
        return [{ path: pathStr, message: `is required but missing. Fix: add ${ex ?? `it (${t.word})`}` }];
      }
      return [{ path: pathStr, message: `expected ${t.word}, got ${got}. Fix: ${t.fix}` }];
    }
    case "invalid_enum_value":
      return [
        {
          path: pathStr,
          message: `${got} is not allowed. Fix: use one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}`,
        },
      ];
    default:
      // Our own messages say "is not …. Fix: …"; put the value in front.
      if (issue.message.includes("Fix:")) {
        const scalar = value !== undefined && (value === null || typeof value !== "object");
        return [{ path: pathStr, message: `${scalar ? got + " " : ""}${issue.message}` }];
      }
      return [{ path: pathStr, message: `${got}: ${issue.message}. Fix: correct the value` }];
  }
}

/** The known key nearest to a typo (edit distance ≤ 3), if any. */
function closest(k: string, keys: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const c of keys) {
    const d = editDistance(k.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * loadConfig: YAML file (or text) → defaults ← file ← environment ← overrides → validated
 * DendriteConfig. Any problem anywhere throws one ConfigError listing all of them.
 */
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { configSchema, type DendriteConfig, type DendriteConfigInput } from "./schema";
import { ConfigError, problemFromIssue, type ConfigProblem } from "./errors";
import { envOverrides } from "./env";
import { keysAt, schemaAt } from "./schema-walk";
import { z } from "zod";

export type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export interface LoadConfigOptions {
  /** Path of dendrite.yaml. */
  path?: string;
  /** YAML text instead of a file (tests, generated configs). */
  yaml?: string;
  /** Environment to read DENDRITE_* overrides from; process.env when omitted. */
  env?: Record<string, string | undefined>;
  /** Applied last, e.g. by tests or CLI flags. */
  overrides?: DeepPartial<DendriteConfigInput>;
}

export function loadConfig(opts: LoadConfigOptions = {}): DendriteConfig {
  const source = opts.path ?? (opts.yaml !== undefined ? "inline YAML" : "no config file");
  let text = opts.yaml ?? "";
  if (opts.path !== undefined && opts.yaml === undefined) {
    try {
      text = readFileSync(opts.path, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ConfigError(source, [
        {
          path: "",
          message: `cannot read the file (${code ?? String(e)}). Fix: check the path, or write a default one with \`generate-config\``,
        },
      ]);
    }
  }

  const fromFile = parseYaml(text, source);
  const env = envOverrides(opts.env ?? process.env, configSchema);
  if (env.problems.length) throw new ConfigError(source, env.problems);
  const merged = deepMerge(deepMerge(fromFile, env.tree), (opts.overrides ?? {}) as Record<string, unknown>);

  dropEmptySections(merged, []);
  const result = configSchema.safeParse(merged);
  if (result.success) return result.data;
  const origin = (path: string) => {
    for (let p = path; p; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
      const o = env.origins.get(p);
      if (o) return `environment variable ${o}`;
    }
    return undefined;
  };
  const problems = result.error.issues.flatMap((i) =>
    problemFromIssue(i, merged, (p) => keysAt(configSchema, p), origin),
  );
  throw new ConfigError(source, problems);
}

function parseYaml(text: string, source: string): Record<string, unknown> {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    // Only the first: later syntax errors are usually echoes of it.
    const problems: ConfigProblem[] = doc.errors.slice(0, 1).map((e) => {
      const pos = e.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : "somewhere";
      const what = e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? e.message;
      return {
        path: "",
        message: `YAML syntax error at ${where}: ${what}. Fix: check indentation (spaces, not tabs), colons and quotes there${doc.errors.length > 1 ? ` (${doc.errors.length - 1} more error(s) follow from it)` : ""}`,
      };
    });
    throw new ConfigError(source, problems);
  }
  const js: unknown = doc.toJS();
  if (js === null || js === undefined) return {};
  if (typeof js !== "object" || Array.isArray(js)) {
    throw new ConfigError(source, [
      { path: "", message: `the file must be a mapping of sections (global:, logging:, …), not ${Array.isArray(js) ? "a list" : "a single value"}` },
    ]);
  }
  return js as Record<string, unknown>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Mappings merge key by key; lists and scalars replace. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/**
 * A section whose keys are all commented out reads as null in YAML (`well_known:` alone).
 * Treat it as absent so its defaults apply, instead of "expected a mapping, got null".
 */
function dropEmptySections(node: Record<string, unknown>, path: string[]): void {
  for (const [k, v] of Object.entries(node)) {
    const p = [...path, k];
    if (v === null && schemaAt(configSchema, p) instanceof z.ZodObject) delete node[k];
    else if (isPlainObject(v)) dropEmptySections(v, p);
  }
}

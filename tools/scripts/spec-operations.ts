/**
 * Writes tools/spec-data/client-server-operations.json: every operation of the Matrix
 * client-server API (its OpenAPI files) reduced to what a junk-input test needs — method, full
 * path, path and query parameter names, the request body's top-level properties and their
 * types. Run when the spec moves:
 *
 *   node --import tsx tools/scripts/spec-operations.ts <matrix-spec checkout>
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";

export interface SpecOperation {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** With the API's base path, parameters as `{name}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Top-level body properties → JSON type ("string", "object" …); null when there is no JSON body. */
  body: Record<string, string> | null;
}

type Yaml = Record<string, unknown>;

/** A schema with `$ref`s to other files and `allOf` merged, as far as the top-level properties go. */
function resolve(schema: unknown, dir: string, depth = 0): Yaml {
  if (typeof schema !== "object" || schema === null || depth > 5) return {};
  const s = schema as Yaml;
  if (typeof s.$ref === "string") {
    const [file] = s.$ref.split("#");
    if (!file) return {};
    const path = join(dir, file);
    try {
      return resolve(parse(readFileSync(path, "utf8")), dirname(path), depth + 1);
    } catch {
      return {}; // a schema outside the client-server files: its shape is not needed here
    }
  }
  if (Array.isArray(s.allOf)) {
    const properties: Yaml = {};
    for (const part of s.allOf) Object.assign(properties, resolve(part, dir, depth + 1).properties ?? {});
    return { type: "object", properties };
  }
  return s;
}

function typeOf(schema: Yaml): string {
  const t = schema.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t) && typeof t[0] === "string") return t[0];
  return schema.properties ? "object" : "string";
}

export function specOperations(specDir: string): SpecOperation[] {
  const apiDir = join(specDir, "data", "api", "client-server");
  const ops: SpecOperation[] = [];
  for (const name of readdirSync(apiDir).filter((n) => n.endsWith(".yaml")).sort()) {
    const doc = parse(readFileSync(join(apiDir, name), "utf8")) as Yaml;
    const servers = doc.servers as Array<{ variables?: { basePath?: { default?: string } } }> | undefined;
    const base = servers?.[0]?.variables?.basePath?.default ?? "/_matrix/client/v3";
    for (const [rawPath, item] of Object.entries((doc.paths ?? {}) as Record<string, Yaml>)) {
      for (const method of ["get", "put", "post", "delete"] as const) {
        const op = item[method] as Yaml | undefined;
        if (!op) continue;
        const params = ((op.parameters ?? []) as Yaml[]).map((p) => resolve(p, apiDir));
        const named = (where: string) => params.filter((p) => p.in === where).map((p) => String(p.name));
        const content = (op.requestBody as Yaml | undefined)?.content as Record<string, Yaml> | undefined;
        const jsonSchema = content?.["application/json"]?.schema;
        let body: Record<string, string> | null = null;
        if (jsonSchema !== undefined) {
          body = {};
          const props = (resolve(jsonSchema, apiDir).properties ?? {}) as Record<string, unknown>;
          for (const [k, v] of Object.entries(props)) body[k] = typeOf(resolve(v, apiDir));
        }
        ops.push({ method: method.toUpperCase() as SpecOperation["method"], path: base + rawPath.trim(), pathParams: named("path"), queryParams: named("query"), body });
      }
    }
  }
  return ops;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const specDir = process.argv[2];
  if (!specDir) throw new Error("usage: spec-operations.ts <matrix-spec checkout>");
  const out = join(import.meta.dirname, "..", "spec-data", "client-server-operations.json");
  const ops = specOperations(specDir);
  writeFileSync(out, `[\n${ops.map((o) => `  ${JSON.stringify(o)}`).join(",\n")}\n]\n`);
  console.log(`${ops.length} operations → ${out}`);
}

/**
 * Environment overrides. Any key of dendrite.yaml can be set from the environment:
 *
 *   DENDRITE_<SECTION>__<KEY>[__<KEY>…]=<value>
 *
 * `DENDRITE_` prefix, key names upper- or lower-case, a double underscore between levels (a single
 * underscore is part of a key name). The value is read as a YAML scalar or flow collection:
 *
 *   DENDRITE_GLOBAL__SERVER_NAME=example.org
 *   DENDRITE_GLOBAL__DATABASE__CONNECTION_STRING=postgres://dendrite@db/dendrite
 *   DENDRITE_GLOBAL__JETSTREAM__ADDRESSES='[nats://n1:4222, nats://n2:4222]'
 *   DENDRITE_GLOBAL__REGISTRATION__OPEN=true
 *   DENDRITE_ROOMSERVER__LISTEN__INTERNAL=0.0.0.0:7770
 *   DENDRITE_LOGGING__LEVEL=debug
 *   DENDRITE_GLOBAL__FEDERATION__SERVER_NAME_MAP='{"hs2:8448": "http://127.0.0.1:8448"}'
 *
 * Keys that are text stay text ("12" for default_room_version). Map keys that are not plain names
 * (server names with ':' or '.') cannot be spelled in a variable name: set the whole map, as in
 * the last example. Variables without a `__` (e.g. DENDRITE_CONFIG) are not config keys.
 * An override for a key that does not exist is reported like an unknown key in the file.
 */
import YAML from "yaml";
import type { z } from "zod";
import { expectsString } from "./schema-walk";
import type { ConfigProblem } from "./errors";

export interface EnvOverrides {
  tree: Record<string, unknown>;
  /** Dotted key path → variable name, so errors can say where a bad value came from. */
  origins: Map<string, string>;
  problems: ConfigProblem[];
}

export function envOverrides(env: Record<string, string | undefined>, schema: z.ZodTypeAny): EnvOverrides {
  const tree: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (raw === undefined || !name.startsWith("DENDRITE_") || !name.includes("__")) continue;
    const path = name.slice("DENDRITE_".length).toLowerCase().split("__");
    if (path.some((p) => p === "")) {
      problems.push({ path: name, message: `environment variable has an empty key between "__". Fix: e.g. DENDRITE_GLOBAL__SERVER_NAME` });
      continue;
    }
    let value: unknown = raw;
    if (!expectsString(schema, path)) {
      try {
        value = YAML.parse(raw);
      } catch {
        value = raw;
      }
    }
    let node = tree;
    for (const k of path.slice(0, -1)) {
      const next = node[k];
      node = (next && typeof next === "object" ? next : (node[k] = {})) as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
    origins.set(path.join("."), name);
  }
  return { tree, origins, problems };
}

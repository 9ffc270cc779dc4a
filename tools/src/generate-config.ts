/**
 * generate-config: writes a commented dendrite.yaml (the one the schema is tested against).
 *   generate-config [--server-name NAME] [--polylith] [--data-dir DIR] [-o FILE]
 */
import { existsSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { defaultConfigYaml } from "@dendrite-ts/runtime";

const USAGE = `Usage: generate-config [--server-name NAME] [--polylith] [--data-dir DIR] [-o FILE]

  --server-name NAME   the server name in user IDs (default localhost:8008)
  --polylith           listeners per component, external PostgreSQL and NATS
  --data-dir DIR       where the embedded PostgreSQL and media live (default ./data)
  -o, --output FILE    write here instead of standard output (never overwrites)
`;

function main(): void {
  const { values } = parseArgs({
    options: {
      "server-name": { type: "string", default: "localhost:8008" },
      polylith: { type: "boolean", default: false },
      "data-dir": { type: "string", default: "./data" },
      output: { type: "string", short: "o" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const yaml = defaultConfigYaml({
    serverName: values["server-name"] ?? "localhost:8008",
    polylith: values.polylith ?? false,
    dataDir: values["data-dir"] ?? "./data",
  });
  if (!values.output) return void process.stdout.write(yaml);
  if (existsSync(values.output)) throw new Error(`${values.output} exists; not overwriting it`);
  writeFileSync(values.output, yaml, { mode: 0o600 });
  process.stderr.write(`wrote ${values.output}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`generate-config: ${(e as Error).message}\n\n${USAGE}`);
  process.exit(1);
}

/**
 * The monolith's flags. Other tools (test harnesses, benchmarks) start it exactly this way, so
 * these names are stable: --config, --data-dir, --http-port, --server-name, --open-registration.
 * Flags win over the config file.
 */
import { parseArgs } from "node:util";

export interface MonolithFlags {
  config?: string;
  dataDir: string;
  httpPort?: number;
  serverName?: string;
  openRegistration: boolean;
  help: boolean;
}

export const USAGE = `Usage: dendrite-monolith [flags]   (npm start -- [flags])

  --config FILE          dendrite.yaml to use (default: <data-dir>/dendrite.yaml, created on first run)
  --data-dir DIR         where the first run writes its config, key and database (default ./data)
  --http-port N          port to serve the client, federation and key APIs on (default 8008)
  --server-name NAME     server name for a new config (default localhost:<port>)
  --open-registration    let anyone register (m.login.dummy); for tests and private servers
  -h, --help             this text
`;

export function parseMonolithFlags(argv: readonly string[]): MonolithFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: "string" },
      "data-dir": { type: "string", default: "./data" },
      "http-port": { type: "string" },
      "server-name": { type: "string" },
      "open-registration": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  let httpPort: number | undefined;
  if (values["http-port"] !== undefined) {
    httpPort = Number(values["http-port"]);
    if (!/^\d{1,5}$/.test(values["http-port"]) || httpPort > 65535) {
      throw new Error(`--http-port must be a port number (0-65535), got "${values["http-port"]}"`);
    }
  }
  return {
    ...(values.config !== undefined ? { config: values.config } : {}),
    dataDir: values["data-dir"] ?? "./data",
    ...(httpPort !== undefined ? { httpPort } : {}),
    ...(values["server-name"] !== undefined ? { serverName: values["server-name"] } : {}),
    openRegistration: values["open-registration"] ?? false,
    help: values.help ?? false,
  };
}

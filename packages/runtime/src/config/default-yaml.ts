/**
 * The commented default `dendrite.yaml` that `generate-config` writes. A test loads it, so it
 * always matches the schema.
 */
import { COMPONENT_NAMES, DEFAULT_DENY_NETWORKS } from "./schema";

export interface DefaultConfigOptions {
  serverName: string;
  /** Per-component listeners and internal URLs, external PostgreSQL and NATS. */
  polylith?: boolean;
  /** Where the monolith keeps its embedded PostgreSQL and media (default "./data"). */
  dataDir?: string;
}

const q = (s: string) => JSON.stringify(s);

export function defaultConfigYaml(opts: DefaultConfigOptions): string {
  const dataDir = opts.dataDir ?? "./data";
  const poly = opts.polylith ?? false;
  const database = poly
    ? `  database:
    # One PostgreSQL for every component (a component may override it with its own database:).
    connection_string: "postgres://dendrite:dendrite@127.0.0.1:5432/dendrite"
    max_connections: 10`
    : `  database:
    # A PostgreSQL the server starts and stops itself; its files live here.
    # For an external server instead: connection_string: "postgres://user:pass@host/db"
    embedded:
      data_dir: ${q(`${dataDir}/postgres`)}
    max_connections: 10`;
  const jetstream = poly
    ? `  jetstream:
    # NATS JetStream servers carrying the log streams between components.
    addresses: ["nats://127.0.0.1:4222"]
    topic_prefix: "Dendrite"`
    : `  jetstream:
    # Empty: the embedded log, stored in the database. List NATS servers to use JetStream.
    addresses: []
    topic_prefix: "Dendrite"`;

  const components = COMPONENT_NAMES.map((name, i) => {
    const port = 7771 + i;
    const publicPort = { clientapi: 8071, syncapi: 8073, federationapi: 8072, mediaapi: 8074 }[name as string];
    const lines = [`${name}:`];
    if (poly) {
      lines.push(`  listen:`, `    internal: "127.0.0.1:${port}"`);
      if (publicPort) lines.push(`    public: "0.0.0.0:${publicPort}"`);
      lines.push(`  internal_url: "http://127.0.0.1:${port}"`);
    }
    if (name === "roomserver") {
      lines.push(`  # Recent events kept parsed in memory (~5 KB each), least recently used out first.`, `  event_cache_entries: 10000`);
    }
    if (name === "userapi") {
      lines.push(
        `  notifications:`,
        `    # true: push rules are evaluated for every message, giving unread counts in /sync and`,
        `    # GET /notifications. Off by default for now: it costs ~10 statements a message.`,
        `    enabled: false`,
      );
    }
    if (name === "mediaapi") {
      lines.push(
        `  base_path: ${q(`${dataDir}/media`)}`,
        `  max_file_size_bytes: 10485760`,
        `  url_previews:`,
        `    # true: GET /media/preview_url fetches the pages and images users link to (Element asks`,
        `    # for every link in unencrypted rooms). Off by default, as in Synapse. The fetches never`,
        `    # connect to deny_networks (default: the same list as federation.deny_networks).`,
        `    enabled: false`,
        `    # Exceptions to deny_networks, e.g. an intranet whose pages may be previewed:`,
        `    #   allow_networks: ["10.1.2.0/24"]`,
        `    allow_networks: []`,
      );
    }
    if (name === "clientapi") {
      lines.push(`  rate_limiting:`, `    enabled: true`, `    threshold: 5`, `    cooloff: "500ms"`);
      lines.push(
        `  user_directory:`,
        `    # true: the user directory search finds members of every room; false: only of rooms the`,
        `    # searcher is in and of public rooms (join rule public or history world_readable).`,
        `    search_all_users: false`,
        `  # TURN servers for calls (GET /voip/turnServer); none by default. With coturn's`,
        `  # static-auth-secret, set shared_secret; or a fixed username and password.`,
        `  turn:`,
        `    uris: []`,
        `    # uris: ["turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp"]`,
        `    # shared_secret: "…"`,
        `    user_lifetime: "24h"`,
      );
    }
    return lines.length === 1 ? `${name}: {}` : lines.join("\n");
  }).join("\n\n");

  return `# dendrite-ts configuration.
# Any key can also be set from the environment: DENDRITE_<SECTION>__<KEY>…, a double underscore
# between levels, e.g. DENDRITE_GLOBAL__SERVER_NAME=example.org or DENDRITE_LOGGING__LEVEL=debug.
# Durations are written like "500ms", "30s", "5m", "168h", "7d".

global:
  # The name in your users' IDs (@alice:<server_name>). It cannot be changed later.
  server_name: ${q(opts.serverName)}
  # The ed25519 signing key (PEM; write one with generate-keys). Dendrite key files work as-is.
  private_key: "matrix_key.pem"
  # Keys this server signed with before, so others can still verify old events.
  old_private_keys: []
  #  - path: "old_matrix_key.pem"     # or public_key: "<unpadded base64>"
  #    key_id: "ed25519:old"
  #    expired_ts: 1700000000000
  # How long other servers may cache our signing key.
  key_validity_period: "168h"
${database}
${jetstream}
  well_known:
    # Delegation: answer /.well-known/matrix/server with this host:port (omit if not delegating).
    # server_name: "matrix.example.org:443"
    # Clients: answer /.well-known/matrix/client with this base URL (omit to answer 404).
    # client_name: "https://matrix.example.org"
    # Who to contact about this server, for /.well-known/matrix/support (omit to answer 404).
    # support:
    #   contacts:
    #     - { role: "m.role.admin", matrix_id: "@admin:example.org", email_address: "admin@example.org" }
    #   support_page: "https://example.org/support"
  # Notary servers trusted to vouch for other servers' keys (none by default). For example:
  #  - server_name: "matrix.org"
  #    keys: { "ed25519:auto": "Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw" }
  trusted_key_servers: []
  federation:
    # server name → base URL, skipping discovery (for federation tests on loopback).
    server_name_map: {}
    # tls_ca_file: "/etc/ssl/my-ca.pem"
    skip_tls_verify: false
    # Outbound federation requests (.well-known, SRV targets, key fetches, notaries) never connect
    # to these networks, so a server name pointing at 127.0.0.1, your LAN or a cloud metadata
    # address (169.254.169.254) gets nowhere. Every address a name resolves to is checked, at
    # connection time; IPv4-mapped IPv6 (::ffff:10.0.0.1) counts as its IPv4 address. The
    # defaults are private, loopback, link-local, CGNAT, multicast, unique-local and other
    # reserved ranges (Synapse's ip_range_blacklist and a few more). server_name_map targets are
    # exempt: the admin wrote them. Notaries in trusted_key_servers are not.
    deny_networks:
${DEFAULT_DENY_NETWORKS.map((n) => `      - ${q(n)}`).join("\n")}
    # Exceptions to deny_networks, e.g. a partner server or a notary on your own network:
    #   allow_networks: ["10.1.2.0/24"]
    allow_networks: []
  registration:
    # Anyone may register when true. Otherwise use shared_secret (admin API) or tokens.
    open: false
    # shared_secret: "change me"
    # tokens: ["invite-code-1"]
  # Room version for new rooms ("1" … "12").
  default_room_version: "12"

${poly ? "# Polylith: each component listens on its own address (below); the front proxy of\n# `polylith all` serves every public path on this one.\npolylith:\n  listen: \"0.0.0.0:8008\"" : "monolith:\n  # Client, federation and media APIs on one port.\n  listen: \"0.0.0.0:8008\""}

# Per-component sections: database (override), listen { internal, public } and internal_url are
# used by the polylith; the rest are the component's own options.
${components}

logging:
  level: "info"      # trace, debug, info, warn, error, fatal, silent
  format: "json"     # json (one object a line) or pretty (for a terminal)

metrics:
  enabled: false
  # Serve /metrics on its own listener instead of the public one:
  # listen: "127.0.0.1:9090"
`;
}

import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, DEFAULT_DENY_NETWORKS, defaultConfigYaml, loadConfig, parseDuration } from "../../src/config";

const MINIMAL = "global:\n  server_name: example.org\n";

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("fills defaults from a minimal file", () => {
    const c = loadConfig({ yaml: MINIMAL, env: {} });
    expect(c.global.server_name).toBe("example.org");
    expect(c.global.key_validity_period).toBe(168 * 3600 * 1000);
    expect(c.global.database).toEqual({ embedded: { data_dir: "./data/postgres" }, max_connections: 10 });
    expect(c.global.jetstream).toEqual({ addresses: [], topic_prefix: "Dendrite" });
    expect(c.global.default_room_version).toBe("12");
    expect(c.global.registration.open).toBe(false);
    expect(c.global.federation.skip_tls_verify).toBe(false);
    expect(c.logging).toEqual({ level: "info", format: "json" });
    expect(c.metrics.enabled).toBe(false);
    expect(c.roomserver.listen).toEqual({});
    expect(c.roomserver.event_cache_entries).toBe(10_000);
    expect(c.clientapi.user_directory).toEqual({ search_all_users: false });
    expect(c.mediaapi.max_file_size_bytes).toBe(10 * 1024 * 1024);
    expect(c.monolith.listen).toBe("0.0.0.0:8008");
  });

  it("reads a file from disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const path = join(dir, "dendrite.yaml");
    writeFileSync(path, MINIMAL + "logging:\n  level: debug\n");
    expect(loadConfig({ path, env: {} }).logging.level).toBe("debug");
  });

  it("names a missing file and what to do", () => {
    const [p] = problems(() => loadConfig({ path: "/nonexistent/dendrite.yaml", env: {} }));
    expect(p).toMatch(/cannot read the file \(ENOENT\).*generate-config/);
  });

  it("reports bad YAML with line and column", () => {
    const [p, ...rest] = problems(() => loadConfig({ yaml: "global:\n  server_name: a\n   bad: [\n", env: {} }));
    expect(rest).toEqual([]);
    expect(p).toMatch(/YAML syntax error at line 2, column \d+: .*Fix: check indentation/);
  });

  it("reports duplicate keys as YAML errors", () => {
    const [p] = problems(() => loadConfig({ yaml: "global:\n  server_name: a\n  server_name: b\n", env: {} }));
    expect(p).toMatch(/line 3, column 3/);
  });

  it("rejects a file that is not a mapping", () => {
    expect(problems(() => loadConfig({ yaml: "- a\n- b\n", env: {} }))[0]).toMatch(/must be a mapping of sections/);
  });

  it("reports wrong types with key path, bad value and fix", () => {
    const ps = problems(() =>
      loadConfig({
        yaml: "global:\n  server_name: 42\n  registration:\n    open: \"yes\"\n  old_private_keys: {}\n",
        env: {},
      }),
    );
    expect(ps).toEqual([
      'global.server_name: expected text, got 42 (a number). Fix: write text; quote it if it looks like a number or true/false, e.g. "12"',
      'global.old_private_keys: expected a list, got {} (a mapping). Fix: write `- item` lines under it, or [a, b]',
      'global.registration.open: expected true or false, got "yes" (a string). Fix: write true or false without quotes',
    ]);
  });

  it("reports every problem at once: bad durations, enums, addresses, refinements", () => {
    const ps = problems(() =>
      loadConfig({
        yaml: [
          "global:",
          "  server_name: 'bad name!'",
          "  key_validity_period: forever",
          "  default_room_version: '99'",
          "  database: { connection_string: 'postgres://x/y', embedded: { data_dir: d } }",
          "  old_private_keys: [{ key_id: 'ed25519:a', expired_ts: 1 }]",
          "logging: { level: loud }",
          "roomserver: { listen: { internal: nope } }",
        ].join("\n"),
        env: {},
      }),
    );
    expect(ps).toHaveLength(7);
    expect(ps).toContain(
      'global.key_validity_period: "forever" (a string) is not a duration. Fix: write a number with a unit, e.g. "500ms", "30s", "5m", "168h", "7d" or "1h30m"',
    );
    expect(ps).toContain('logging.level: "loud" (a string) is not allowed. Fix: use one of "trace", "debug", "info", "warn", "error", "fatal", "silent"');
    expect(ps.find((p) => p.startsWith("global.server_name:"))).toMatch(/"bad name!" \(a string\) is not a Matrix server name\. Fix:/);
    expect(ps.find((p) => p.startsWith("global.default_room_version:"))).toMatch(/"99" .* is not a supported room version\. Fix: use one of 1, 2/);
    expect(ps.find((p) => p.startsWith("global.database:"))).toMatch(/sets both connection_string and embedded\. Fix: keep one/);
    expect(ps.find((p) => p.startsWith("global.old_private_keys.0:"))).toMatch(/exactly one of path .* or public_key/);
    expect(ps.find((p) => p.startsWith("roomserver.listen.internal:"))).toMatch(/"nope" .* is not host:port\. Fix:/);
  });

  it("takes a support document for /.well-known/matrix/support, and names what an entry lacks", () => {
    const ok = loadConfig({
      yaml: MINIMAL + "  well_known:\n    support:\n      contacts: [{ role: m.role.admin, email_address: a@example.org }]\n",
      env: {},
    });
    expect(ok.global.well_known.support).toEqual({ contacts: [{ role: "m.role.admin", email_address: "a@example.org" }] });
    const ps = problems(() =>
      loadConfig({
        yaml: MINIMAL + "  well_known:\n    support:\n      contacts: [{ role: m.role.admin }, { role: x, email_address: nope }]\n",
        env: {},
      }),
    );
    expect(ps.find((p) => p.startsWith("global.well_known.support.contacts.0"))).toMatch(/needs a matrix_id or an email_address/);
    expect(ps.find((p) => p.startsWith("global.well_known.support.contacts.1.email_address"))).toMatch(/is not an email address/);
    expect(problems(() => loadConfig({ yaml: MINIMAL + "  well_known:\n    support: {}\n", env: {} }))[0]).toMatch(/needs contacts or a support_page/);
  });

  it("keeps push-rule notifications off unless userapi.notifications.enabled", () => {
    expect(loadConfig({ yaml: MINIMAL, env: {} }).userapi.notifications.enabled).toBe(false);
    expect(loadConfig({ yaml: MINIMAL, env: { DENDRITE_USERAPI__NOTIFICATIONS__ENABLED: "true" } }).userapi.notifications.enabled).toBe(true);
    expect(loadConfig({ yaml: defaultConfigYaml({ serverName: "a.example" }), env: {} }).userapi.notifications.enabled).toBe(false);
  });

  it("takes TURN servers with a shared secret or a fixed login, and names what is missing", () => {
    const ok = loadConfig({ yaml: MINIMAL + "clientapi:\n  turn: { uris: ['turn:t.example.org'], shared_secret: x, user_lifetime: 1h }\n", env: {} });
    expect(ok.clientapi.turn).toEqual({ uris: ["turn:t.example.org"], shared_secret: "x", user_lifetime: 3_600_000 });
    expect(loadConfig({ yaml: MINIMAL, env: {} }).clientapi.turn).toEqual({ uris: [], user_lifetime: 86_400_000 });
    const p = (turn: string) => problems(() => loadConfig({ yaml: MINIMAL + `clientapi:\n  turn: ${turn}\n`, env: {} })).join("\n");
    expect(p("{ uris: ['turn:t.example.org'] }")).toMatch(/lists uris but no credentials/);
    expect(p("{ uris: ['turn:t'], shared_secret: x, username: u, password: p }")).toMatch(/sets both shared_secret and username/);
    expect(p("{ uris: ['http://t'], shared_secret: x }")).toMatch(/is not a TURN URI/);
  });

  it("reports unknown keys with the nearest known key", () => {
    const ps = problems(() =>
      loadConfig({ yaml: MINIMAL + "  databse: {}\nclientapi:\n  listen: { publik: ':8008' }\nfrobnicator: {}\n", env: {} }),
    );
    expect(ps).toEqual([
      'global.databse: unknown key. Fix: did you mean "database"? Otherwise remove it',
      'clientapi.listen.publik: unknown key. Fix: did you mean "public"? Otherwise remove it',
      expect.stringMatching(/^frobnicator: unknown key\. Fix: remove it \(known keys here: global, monolith, .*logging, metrics\)$/),
    ]);
  });

  it("says what to add when server_name is missing", () => {
    expect(problems(() => loadConfig({ yaml: "", env: {} }))).toEqual([
      'global: is required but missing. Fix: add global:\n    server_name: "example.org"',
    ]);
    expect(problems(() => loadConfig({ yaml: "global: {}", env: {} }))[0]).toMatch(
      /^global\.server_name: is required but missing\. Fix: add server_name: "example.org"/,
    );
  });

  it("treats a section with only comments as absent", () => {
    const c = loadConfig({ yaml: MINIMAL + "  well_known:\n    # client_name: x\nlogging:\n", env: {} });
    expect(c.global.well_known).toEqual({});
    expect(c.logging.level).toBe("info");
  });

  it("accepts a room version written as a YAML number", () => {
    expect(loadConfig({ yaml: MINIMAL + "  default_room_version: 11\n", env: {} }).global.default_room_version).toBe("11");
  });

  it("applies overrides last", () => {
    const c = loadConfig({
      yaml: MINIMAL,
      env: { DENDRITE_LOGGING__LEVEL: "warn" },
      overrides: { logging: { level: "error" }, global: { key_validity_period: "1h" } },
    });
    expect(c.logging.level).toBe("error");
    expect(c.global.key_validity_period).toBe(3_600_000);
  });
});

describe("environment overrides", () => {
  it("sets any key, nested by double underscores, values read as YAML", () => {
    const c = loadConfig({
      yaml: MINIMAL,
      env: {
        DENDRITE_GLOBAL__SERVER_NAME: "other.example",
        DENDRITE_GLOBAL__REGISTRATION__OPEN: "true",
        DENDRITE_GLOBAL__JETSTREAM__ADDRESSES: "[nats://a:4222, nats://b:4222]",
        DENDRITE_GLOBAL__DATABASE__CONNECTION_STRING: "postgres://u@db/dendrite",
        DENDRITE_GLOBAL__DEFAULT_ROOM_VERSION: "10",
        DENDRITE_GLOBAL__FEDERATION__SERVER_NAME_MAP: '{"hs2:8448": "http://127.0.0.1:8448"}',
        DENDRITE_MEDIAAPI__MAX_FILE_SIZE_BYTES: "2048",
        DENDRITE_ROOMSERVER__EVENT_CACHE_ENTRIES: "50000",
        DENDRITE_CLIENTAPI__USER_DIRECTORY__SEARCH_ALL_USERS: "true",
        dendrite_roomserver__listen__internal: "127.0.0.1:7770", // not our prefix: ignored
        DENDRITE_ROOMSERVER__LISTEN__INTERNAL: "127.0.0.1:7771",
        DENDRITE_CONFIG: "/etc/dendrite.yaml", // no "__": not a key
        PATH: "/usr/bin",
      },
    });
    expect(c.global.server_name).toBe("other.example");
    expect(c.global.registration.open).toBe(true);
    expect(c.global.jetstream.addresses).toEqual(["nats://a:4222", "nats://b:4222"]);
    expect(c.global.database.connection_string).toBe("postgres://u@db/dendrite");
    expect(c.global.database.embedded).toBeUndefined();
    expect(c.global.default_room_version).toBe("10");
    expect(c.global.federation.server_name_map).toEqual({ "hs2:8448": "http://127.0.0.1:8448" });
    expect(c.mediaapi.max_file_size_bytes).toBe(2048);
    expect(c.roomserver.listen.internal).toBe("127.0.0.1:7771");
    expect(c.roomserver.event_cache_entries).toBe(50_000);
    expect(c.clientapi.user_directory.search_all_users).toBe(true);
  });

  it("names the variable when its value or key is wrong", () => {
    const ps = problems(() =>
      loadConfig({ yaml: MINIMAL, env: { DENDRITE_METRICS__ENABLED: "maybe", DENDRITE_LOGGING__LEVL: "debug" } }),
    );
    expect(ps).toEqual([
      'logging.levl: unknown key (set by environment variable DENDRITE_LOGGING__LEVL). Fix: did you mean "level"? Otherwise remove it',
      'metrics.enabled: expected true or false, got "maybe" (a string) [from environment variable DENDRITE_METRICS__ENABLED]. Fix: write true or false without quotes',
    ]);
  });

  it("rejects an empty level in a variable name", () => {
    expect(problems(() => loadConfig({ yaml: MINIMAL, env: { DENDRITE_GLOBAL____X: "1" } }))[0]).toMatch(
      /DENDRITE_GLOBAL____X: .*empty key/,
    );
  });
});

describe("defaultConfigYaml", () => {
  it.each([false, true])("loads cleanly (polylith=%s)", (polylith) => {
    const yaml = defaultConfigYaml({ serverName: "hs1.example", polylith, dataDir: "/var/lib/dendrite" });
    expect(yaml).toContain("# ");
    const c = loadConfig({ yaml, env: {} });
    expect(c.global.server_name).toBe("hs1.example");
    if (polylith) {
      expect(c.roomserver.internal_url).toBe("http://127.0.0.1:7775");
      expect(c.clientapi.listen.public).toBe("0.0.0.0:8071");
      expect(c.global.jetstream.addresses).toEqual(["nats://127.0.0.1:4222"]);
      expect(c.global.database.connection_string).toMatch(/^postgres:/);
    } else {
      expect(c.global.database.embedded).toEqual({ data_dir: "/var/lib/dendrite/postgres" });
      expect(c.mediaapi.base_path).toBe("/var/lib/dendrite/media");
      expect(c.roomserver.internal_url).toBeUndefined();
    }
  });
});

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["168h", 604_800_000],
    ["7d", 604_800_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
  ])("%s → %d ms", (s, ms) => expect(parseDuration(s)).toBe(ms));
  it.each(["", "forever", "10", "5 m", "h"])("rejects %j", (s) => expect(parseDuration(s)).toBeUndefined());
});

describe("mediaapi.url_previews", () => {
  it("is off by default (as Synapse's url_preview_enabled), with the default deny list; the default YAML says the same", () => {
    const c = loadConfig({ yaml: MINIMAL, env: {} });
    expect(c.mediaapi.url_previews).toEqual({ enabled: false, deny_networks: [...DEFAULT_DENY_NETWORKS], allow_networks: [] });
    const generated = loadConfig({ yaml: defaultConfigYaml({ serverName: "a.example" }), env: {} });
    expect(generated.mediaapi.url_previews).toEqual({ enabled: false, deny_networks: [...DEFAULT_DENY_NETWORKS], allow_networks: [] });
  });

  it("is turned on, and its networks checked", () => {
    const c = loadConfig({ yaml: MINIMAL + "mediaapi:\n  url_previews:\n    enabled: true\n    allow_networks: [\"10.1.2.0/24\"]\n", env: {} });
    expect(c.mediaapi.url_previews.enabled).toBe(true);
    expect(c.mediaapi.url_previews.allow_networks).toEqual(["10.1.2.0/24"]);
    expect(() => loadConfig({ yaml: MINIMAL + "mediaapi:\n  url_previews:\n    deny_networks: [\"nonsense\"]\n", env: {} })).toThrow(/not an IP network/);
  });
});

describe("federation.deny_networks / allow_networks", () => {
  it("defaults to the private and reserved ranges, no exceptions; the default YAML writes the same list", () => {
    const c = loadConfig({ yaml: MINIMAL, env: {} });
    expect(c.global.federation.deny_networks).toEqual([...DEFAULT_DENY_NETWORKS]);
    for (const n of ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10"]) {
      expect(c.global.federation.deny_networks).toContain(n);
    }
    expect(c.global.federation.allow_networks).toEqual([]);
    const generated = loadConfig({ yaml: defaultConfigYaml({ serverName: "a.example" }), env: {} });
    expect(generated.global.federation.deny_networks).toEqual([...DEFAULT_DENY_NETWORKS]);
    expect(generated.global.federation.allow_networks).toEqual([]);
    expect(generated.clientapi.user_directory.search_all_users).toBe(false);
  });

  it("takes CIDRs and single addresses, from the file or the environment", () => {
    const c = loadConfig({
      yaml: MINIMAL + "  federation:\n    deny_networks: [\"10.0.0.0/8\", \"fd00::/8\", \"192.0.2.7\"]\n",
      env: { DENDRITE_GLOBAL__FEDERATION__ALLOW_NETWORKS: '["127.0.0.0/8", "::1/128"]' },
    });
    expect(c.global.federation.deny_networks).toEqual(["10.0.0.0/8", "fd00::/8", "192.0.2.7"]);
    expect(c.global.federation.allow_networks).toEqual(["127.0.0.0/8", "::1/128"]);
  });

  it("names a bad entry and the fix", () => {
    const ps = problems(() =>
      loadConfig({ yaml: MINIMAL + "  federation:\n    deny_networks: [\"10.0.0.0/33\", \"example.org\"]\n    allow_networks: [\"::/129\"]\n", env: {} }),
    );
    expect(ps).toEqual([
      expect.stringMatching(/^global\.federation\.deny_networks\.0: .*is not an IP network\. Fix: write a CIDR/),
      expect.stringMatching(/^global\.federation\.deny_networks\.1: .*is not an IP network/),
      expect.stringMatching(/^global\.federation\.allow_networks\.0: .*is not an IP network/),
    ]);
  });
});

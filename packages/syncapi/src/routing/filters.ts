/**
 * POST/GET /user/{userId}/filter(/{filterId}) (filter.yaml): a user stores and reads their own
 * filters only (403 otherwise); /sync resolves `filter` as an ID or inline JSON.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { SyncStore } from "../storage";
import { filterSchema, parseFilterParam, storedFilterSchema, validateFilter, type Filter } from "../sync/filter";
import { authenticate, CLIENT_PREFIXES, pathParam } from "./common";

export function registerFilterRoutes(server: HttpServer, deps: { store: SyncStore; userapi: Pick<UserapiForSync, "queryAccessToken"> }): void {
  const own = async (req: { headers: Record<string, string | string[] | undefined>; query: unknown; params: unknown }) => {
    const who = await authenticate(req, deps.userapi);
    if (pathParam(req.params, "userId") !== who.userId) throw new MatrixError("M_FORBIDDEN", "Cannot use filters of other users");
    return who;
  };
  for (const prefix of CLIENT_PREFIXES) {
    server.post(`${prefix}/user/:userId/filter`, async (req) => {
      const who = await own(req);
      if (typeof req.body !== "object" || req.body === null || Array.isArray(req.body)) throw new MatrixError("M_NOT_JSON", "The filter must be a JSON object");
      const filter = validateFilter(filterSchema, req.body, "M_BAD_JSON");
      const id = await deps.store.filters.insertFilter(who.userId, filter);
      return { filter_id: String(id) };
    });
    server.get(`${prefix}/user/:userId/filter/:filterId`, async (req) => {
      const who = await own(req);
      const raw = pathParam(req.params, "filterId");
      const filter = /^\d{1,15}$/.test(raw) ? await deps.store.filters.getFilter(who.userId, Number(raw)) : undefined;
      if (!filter) throw new MatrixError("M_NOT_FOUND", "No such filter");
      return filter;
    });
  }
}

/** The `filter` query parameter of /sync: inline JSON (starts with `{`) or a stored filter's ID. */
export async function resolveSyncFilter(store: SyncStore, userId: string, raw: string | undefined, cache?: FilterCache): Promise<Filter> {
  if (raw === undefined) return {};
  if (raw.trimStart().startsWith("{")) return parseFilterParam(filterSchema, raw);
  if (!/^\d{1,15}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", "Invalid filter ID");
  const key = `${userId}\n${raw}`;
  const cached = cache?.get(key);
  if (cached) return cached;
  const stored = await store.filters.getFilter(userId, Number(raw));
  if (!stored) throw new MatrixError("M_NOT_FOUND", "No such filter");
  const filter = validateFilter(storedFilterSchema, stored, "M_INVALID_PARAM");
  cache?.set(key, filter);
  return filter;
}

/**
 * Stored filters by owner and ID, so a client syncing with a filter ID does not read it on
 * every request. Safe across processes: a stored filter is never changed or deleted, and a
 * miss (a filter not there yet) is not remembered. Least recently used first out.
 */
export class FilterCache {
  private readonly entries = new Map<string, Filter>();
  constructor(private readonly max = 1024) {}
  get(key: string): Filter | undefined {
    const f = this.entries.get(key);
    if (f) {
      this.entries.delete(key);
      this.entries.set(key, f);
    }
    return f;
  }
  set(key: string, filter: Filter): void {
    this.entries.delete(key);
    this.entries.set(key, filter);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

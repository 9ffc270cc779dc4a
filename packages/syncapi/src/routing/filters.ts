/**
 * POST/GET /user/{userId}/filter(/{filterId}) (filter.yaml): a user stores and reads their own
 * filters only (403 otherwise); /sync resolves `filter` as an ID or inline JSON.
 */
import { MatrixError } from "@dendrite-ts/protocol";
import type { HttpServer } from "@dendrite-ts/runtime";
import type { UserapiForSync } from "@dendrite-ts/userapi";
import type { SyncStore } from "../storage";
import { filterSchema, parseFilterParam, validateFilter, type Filter } from "../sync/filter";
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
export async function resolveSyncFilter(store: SyncStore, userId: string, raw: string | undefined): Promise<Filter> {
  if (raw === undefined) return {};
  if (raw.trimStart().startsWith("{")) return parseFilterParam(filterSchema, raw);
  if (!/^\d{1,15}$/.test(raw)) throw new MatrixError("M_INVALID_PARAM", "Invalid filter ID");
  const stored = await store.filters.getFilter(userId, Number(raw));
  if (!stored) throw new MatrixError("M_NOT_FOUND", "No such filter");
  return validateFilter(filterSchema, stored, "M_INVALID_PARAM");
}

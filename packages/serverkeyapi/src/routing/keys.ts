/**
 * The public key routes (server-server API, "Retrieving server keys"): our keys and the notary
 * queries. They call the serverkeyapi through its client, so they work the same mounted in the
 * monolith or in a polylith process that reaches the serverkeyapi over HTTP. (Tier-1
 * federationapi will own these paths; until then the apps mount them from here.)
 */
import { isValidServerName, MatrixError } from "@dendrite-ts/protocol";
import type { ContractClient, HttpServer } from "@dendrite-ts/runtime";
import { publicKeyQuerySchema, type ServerKeyContract } from "../api";
import { MAX_NOTARY_SERVERS } from "../internal/notary";

/** What the public routes need of the serverkeyapi. */
export type KeyPublisher = Pick<ContractClient<ServerKeyContract>, "ownKeys" | "notaryQuery">;

function parseMinimum(raw: unknown): number | null {
  if (raw === undefined) return null;
  if (typeof raw !== "string" || !/^\d{1,16}$/.test(raw)) {
    throw new MatrixError("M_INVALID_PARAM", "minimum_valid_until_ts must be a non-negative integer");
  }
  return Number(raw);
}

export function registerKeyRoutes(server: HttpServer, keys: KeyPublisher): void {
  // The key ID path segment was dropped from the spec; older servers still send it.
  for (const path of ["/_matrix/key/v2/server", "/_matrix/key/v2/server/:keyId"]) {
    server.get(path, async (_req, reply) => reply.send((await keys.ownKeys()).body));
  }

  server.get<{ Params: { serverName: string }; Querystring: Record<string, unknown> }>(
    "/_matrix/key/v2/query/:serverName",
    async (req, reply) => {
      const { serverName } = req.params;
      if (!isValidServerName(serverName)) throw new MatrixError("M_INVALID_PARAM", "Invalid server name");
      const minimum = parseMinimum(req.query["minimum_valid_until_ts"]);
      const { body } = await keys.notaryQuery({ body: { servers: [{ server_name: serverName, minimum_valid_until_ts: minimum }] } });
      return reply.send(body);
    },
  );

  server.post("/_matrix/key/v2/query", async (req, reply) => {
    const parsed = publicKeyQuerySchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MatrixError("M_BAD_JSON", `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
    }
    const entries = Object.entries(parsed.data.server_keys);
    if (entries.length > MAX_NOTARY_SERVERS) {
      throw new MatrixError("M_INVALID_PARAM", `At most ${MAX_NOTARY_SERVERS} servers per query`);
    }
    const servers = entries
      .filter(([name]) => isValidServerName(name))
      .map(([name, criteria]) => {
        // Per key ID minimums collapse to one per server; a key without one means "now".
        const mins = Object.values(criteria).map((c) => c.minimum_valid_until_ts);
        const all = mins.length > 0 && mins.every((m): m is number => m !== undefined);
        return { server_name: name, minimum_valid_until_ts: all ? Math.max(...mins) : null };
      });
    const { body } = await keys.notaryQuery({ body: { servers } });
    return reply.send(body);
  });
}

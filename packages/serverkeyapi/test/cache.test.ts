/**
 * The key cache: stored keys are used while valid long enough, refetched when stale, capped at
 * 7 days, fetched once for concurrent askers, and not re-asked within the refetch interval.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { localClient } from "@dendrite-ts/runtime";
import { createServerKeyApi, registerKeyRoutes, serverKeyContract } from "../src/index";
import { fakeClock, logger, startNode, stopNode, type Node, type NodeOptions } from "./harness";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("key cache", () => {
  const map: Record<string, string> = {};
  const clock = fakeClock();
  let hits = 0;
  let a: Node, b: Node, long: Node, slowA: Node;

  const counted = (): NodeOptions["routes"] => (server, { api }) => {
    server.addHook("onRequest", async (req) => {
      if (req.url.startsWith("/_matrix/key/v2/server")) hits++;
    });
    registerKeyRoutes(server, localClient(serverKeyContract, api));
  };

  beforeAll(async () => {
    b = await startNode({ name: "b.test", map, now: clock.now, validityMs: HOUR, routes: counted() });
    long = await startNode({ name: "long.test", map, now: clock.now, validityMs: 30 * DAY });
    a = await startNode({ name: "a.test", map, now: clock.now });
    slowA = await startNode({ name: "slow-a.test", map, now: clock.now, minRefetchIntervalMs: 60_000 });
  });
  afterAll(async () => Promise.all([a, b, long, slowA].map(stopNode)));
  beforeEach(() => void (hits = 0));

  const ask = async (node: Node, server: string, keyId: string, min: number) =>
    (
      await localClient(serverKeyContract, node.api).queryPublicKeys({
        body: { requests: [{ server_name: server, key_id: keyId, minimum_valid_until_ts: min }] },
      })
    ).body.keys;

  it("uses the stored key while it is valid long enough, refetches when stale", async () => {
    const first = await ask(a, "b.test", b.key.keyId, clock.now());
    expect(first[0]?.valid_until_ts).toBe(clock.now() + HOUR);
    expect(hits).toBe(1);

    clock.advance(HOUR / 2);
    await ask(a, "b.test", b.key.keyId, clock.now());
    expect(hits).toBe(1); // still valid: no request

    clock.advance(HOUR); // past valid_until_ts
    const again = await ask(a, "b.test", b.key.keyId, clock.now());
    expect(hits).toBe(2);
    expect(again[0]?.valid_until_ts).toBe(clock.now() + HOUR);
    const [row] = await a.db.sql<{ valid_until_ts: string }[]>`SELECT valid_until_ts FROM serverkeyapi.server_keys WHERE server_name = 'b.test'`;
    expect(Number(row?.valid_until_ts)).toBe(clock.now() + HOUR);
  });

  it("a minimum beyond what is stored triggers a fetch; a minimum in the past does not", async () => {
    await ask(a, "b.test", b.key.keyId, 0);
    expect(hits).toBe(0);
    await ask(a, "b.test", b.key.keyId, clock.now() + 2 * HOUR);
    expect(hits).toBe(1);
  });

  it("caps valid_until_ts at 7 days after fetching", async () => {
    const keys = await ask(a, "long.test", long.key.keyId, clock.now());
    expect(keys[0]?.valid_until_ts).toBe(clock.now() + 7 * DAY);
  });

  it("coalesces concurrent fetches for the same server", async () => {
    clock.advance(2 * HOUR); // everything stored for b.test is stale now
    const results = await Promise.all(Array.from({ length: 5 }, () => ask(a, "b.test", b.key.keyId, clock.now())));
    expect(hits).toBe(1);
    for (const r of results) expect(r).toHaveLength(1);
  });

  it("does not ask the same server again within the refetch interval", async () => {
    await ask(slowA, "b.test", "ed25519:unknown", clock.now());
    await ask(slowA, "b.test", "ed25519:unknown", clock.now());
    expect(hits).toBe(1);
    clock.advance(61_000);
    await ask(slowA, "b.test", "ed25519:unknown", clock.now());
    expect(hits).toBe(2);
  });

  it("survives a restart: a new instance on the same database uses the stored key", async () => {
    const again = await createServerKeyApi({
      db: a.db,
      config: { server_name: "a.test", key_validity_period: HOUR, trusted_key_servers: [], federation: { server_name_map: map } },
      signingKey: a.key,
      oldKeys: [],
      logger,
      now: clock.now,
    });
    const keys = (
      await localClient(serverKeyContract, again).queryPublicKeys({
        body: { requests: [{ server_name: "b.test", key_id: b.key.keyId, minimum_valid_until_ts: 0 }] },
      })
    ).body.keys;
    expect(keys).toHaveLength(1);
    expect(hits).toBe(0);
  });

  it("two instances on one database (polylith replicas) fetch and store concurrently without errors", async () => {
    clock.advance(2 * HOUR);
    const replica = () =>
      createServerKeyApi({
        db: a.db,
        config: { server_name: "a.test", key_validity_period: HOUR, trusted_key_servers: [], federation: { server_name_map: map } },
        signingKey: a.key,
        oldKeys: [],
        logger,
        now: clock.now,
        minRefetchIntervalMs: 0,
      });
    const [r1, r2] = await Promise.all([replica(), replica()]);
    const results = await Promise.all(
      [r1, r2, r1, r2].map((api) =>
        localClient(serverKeyContract, api).queryPublicKeys({
          body: { requests: [{ server_name: "b.test", key_id: b.key.keyId, minimum_valid_until_ts: clock.now() }] },
        }),
      ),
    );
    for (const r of results) expect(r.body.keys[0]?.valid_until_ts).toBe(clock.now() + HOUR);
    expect(hits).toBe(2); // one per replica: coalescing is per process
  });
});

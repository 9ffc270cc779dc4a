// Test helpers for every package's vitest suites (`@dendrite-ts/runtime/testing`); kept out of
// the main entry so production code never loads vitest.
import { describe, it } from "vitest";
import type { AppRouter } from "@ts-rest/core";
import { HOW_TO_RUN_SERVICE_TESTS, testServices } from "./database/test-database.js";
import { httpClient, localClient, mountContract, type ContractClient, type ContractImpl } from "./contracts/index.js";
import { closeServer, createHttpServer, listen } from "./http/server.js";
import { createLogger } from "./logging.js";

export { HOW_TO_RUN_SERVICE_TESTS, openTestDatabase, testServices, type TestServices } from "./database/test-database.js";

type Service = "postgres" | "nats";
const ENV: Record<Service, string> = { postgres: "DENDRITE_TEST_POSTGRES_URL", nats: "DENDRITE_TEST_NATS_URL" };

/**
 * `describe` for tests that need an external service. Missing service: the suite is skipped
 * with a message saying how to run it — or fails when DENDRITE_TEST_REQUIRE_SERVICES=1.
 */
function describeWith(service: Service, name: string, body: (url: string) => void): void {
  const services = testServices();
  const url = service === "postgres" ? services.postgresUrl : services.natsUrl;
  if (url) {
    describe(name, () => body(url));
    return;
  }
  if (services.require) {
    describe(name, () => {
      it(`needs ${ENV[service]}`, () => {
        throw new Error(`DENDRITE_TEST_REQUIRE_SERVICES=1 but ${ENV[service]} is not set`);
      });
    });
    return;
  }
  const message = `skipped "${name}": ${ENV[service]} is not set; to run it, ${HOW_TO_RUN_SERVICE_TESTS}`;
  console.info(message);
  describe.skip(`${name} (skipped: set ${ENV[service]})`, () => body(""));
}

/** Tests that need an external PostgreSQL (most need only openTestDatabase(), which always works). */
export function describeWithPostgres(name: string, body: (postgresUrl: string) => void): void {
  describeWith("postgres", name, body);
}

/** Tests that need NATS JetStream. */
export function describeWithNats(name: string, body: (natsUrl: string) => void): void {
  describeWith("nats", name, body);
}

/** A contract's two clients for a test: in-process, and over HTTP against it mounted on a server of its own. */
export interface BothWays<C extends AppRouter> {
  local: ContractClient<C>;
  http: ContractClient<C>;
  /** Stops the HTTP server (the implementation is the caller's). */
  close(): Promise<void>;
}

/** Serves `impl` over HTTP on a free loopback port, as the polylith does, and hands out both clients. */
export async function serveBothWays<C extends AppRouter>(contract: C, impl: ContractImpl<C>): Promise<BothWays<C>> {
  const server = createHttpServer({ logger: createLogger({ level: "silent" }) });
  await mountContract(server, contract, impl);
  const { url } = await listen(server, "127.0.0.1:0");
  return { local: localClient(contract, impl), http: httpClient(contract, url), close: () => closeServer(server, 1000) };
}

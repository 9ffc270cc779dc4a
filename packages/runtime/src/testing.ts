// Test helpers for every package's vitest suites (`@dendrite-ts/runtime/testing`); kept out of
// the main entry so production code never loads vitest.
import { describe, it } from "vitest";
import { HOW_TO_RUN_SERVICE_TESTS, testServices } from "./database/test-database.js";

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

// The client type must be exactly what ts-rest's initClient gives: code never knows which adapter it holds.
import { describe, expectTypeOf, it } from "vitest";
import { initClient } from "@ts-rest/core";
import { httpClient, localClient } from "../../src/contracts";
import { exampleContract, exampleImpl } from "./example-contract";

describe("client types", () => {
  it("localClient and httpClient have initClient's type", () => {
    const reference = initClient(exampleContract, { baseUrl: "http://x" });
    expectTypeOf(localClient(exampleContract, exampleImpl)).toEqualTypeOf(reference);
    expectTypeOf(httpClient(exampleContract, "http://x")).toEqualTypeOf(reference);
  });
});

/**
 * One contract call in-process (`localClient`) and over HTTP (`httpClient` + `mountContract` on
 * loopback): latency p50/p99 and calls per second, in one run. Prints figures; asserts nothing.
 */
import { initContract } from "@ts-rest/core";
import { z } from "zod";
import {
  closeServer,
  createHttpServer,
  createLogger,
  httpClient,
  listen,
  localClient,
  mountContract,
  type ContractImpl,
} from "@dendrite-ts/runtime";

const c = initContract();
const contract = c.router({
  queryMembership: {
    method: "POST",
    path: "/rooms/:roomId/membership",
    pathParams: z.object({ roomId: z.string() }),
    body: z.object({ userId: z.string() }),
    responses: { 200: z.object({ roomId: z.string(), userId: z.string(), membership: z.string() }) },
  },
});
const impl: ContractImpl<typeof contract> = {
  queryMembership: async ({ params, body }) => ({
    status: 200,
    body: { roomId: params.roomId, userId: body.userId, membership: "join" },
  }),
};

type Client = ReturnType<typeof localClient<typeof contract>>;

async function measure(name: string, client: Client, n: number) {
  const call = () => client.queryMembership({ params: { roomId: "!room:example.org" }, body: { userId: "@alice:example.org" } });
  for (let i = 0; i < 200; i++) await call(); // warm up
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await call();
    times.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  console.log(
    `${name.padEnd(32)} p50 ${(q(0.5) * 1000).toFixed(1).padStart(7)} µs   p99 ${(q(0.99) * 1000).toFixed(1).padStart(7)} µs   ${Math.round((n / total) * 1000).toLocaleString("en-US").padStart(8)} calls/s (sequential)`,
  );
}

const server = createHttpServer({ logger: createLogger({ level: "silent", format: "json" }) });
await mountContract(server, contract, impl);
const { url } = await listen(server, "127.0.0.1:0");
console.log("\ncontract call: in-process vs HTTP on loopback");
await measure("localClient (in-process)", localClient(contract, impl), 20_000);
await measure("httpClient + mountContract", httpClient(contract, url), 3_000);
await closeServer(server);

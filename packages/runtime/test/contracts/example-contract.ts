// A small contract exercising what the adapters must agree on.
import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { MatrixError } from "@dendrite-ts/protocol";
import type { ContractImpl } from "../../src/contracts";

const c = initContract();

export const exampleContract = c.router({
  getThing: {
    method: "GET",
    path: "/_internal/example/things/:thingId",
    query: z.object({ limit: z.coerce.number().int().min(1).optional(), tag: z.string().optional() }),
    responses: { 200: z.object({ id: z.string(), limit: z.number().nullable(), tag: z.string().nullable() }) },
  },
  createThing: {
    method: "POST",
    path: "/_internal/example/things",
    body: z.object({ name: z.string(), size: z.number().int(), meta: z.object({ colour: z.string() }).optional() }),
    responses: { 201: z.object({ id: z.string(), name: z.string(), size: z.number() }) },
  },
  missing: {
    method: "GET",
    path: "/_internal/example/missing/:what",
    responses: { 200: z.object({}) },
  },
  broken: {
    method: "POST",
    path: "/_internal/example/broken",
    body: z.object({}),
    responses: { 200: z.object({}) },
  },
  limited: {
    method: "GET",
    path: "/_internal/example/limited",
    responses: { 200: z.object({}), 429: z.object({ errcode: z.string(), error: z.string(), retry_after_ms: z.number() }) },
  },
  versions: {
    method: "GET",
    path: "/_internal/example/versions",
    // A repeated query key arrives as a list only when repeated: accept one value too.
    query: z.object({ ver: z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(z.string())).optional() }),
    responses: { 200: z.object({ ver: z.array(z.string()) }) },
  },
  nested: {
    echoHeader: {
      method: "GET",
      path: "/_internal/example/echo-header",
      headers: z.object({ "x-trace": z.string() }),
      responses: { 200: z.object({ trace: z.string() }) },
    },
  },
});

export const exampleImpl: ContractImpl<typeof exampleContract> = {
  async getThing({ params, query }) {
    return { status: 200, body: { id: params.thingId, limit: query.limit ?? null, tag: query.tag ?? null } };
  },
  async createThing({ body }) {
    return { status: 201, body: { id: `t-${body.name}`, name: body.name, size: body.size } };
  },
  async missing({ params }) {
    throw new MatrixError("M_NOT_FOUND", `No ${params.what} here`);
  },
  async broken() {
    throw new Error("database exploded");
  },
  async limited() {
    // Returned, not thrown: callers must see the same MatrixError either way.
    return { status: 429, body: { errcode: "M_LIMIT_EXCEEDED", error: "Slow down", retry_after_ms: 1500 } };
  },
  async versions({ query }) {
    return { status: 200, body: { ver: query.ver ?? [] } };
  },
  nested: {
    async echoHeader({ headers }) {
      return { status: 200, body: { trace: headers["x-trace"] } };
    },
  },
};

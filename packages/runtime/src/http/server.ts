/**
 * A fastify instance set up for Matrix: every error is `{ errcode, error }` with the right status,
 * CORS headers on every response (client-server API, "Web Browser Clients"), OPTIONS answered for
 * every path, 404 vs 405 M_UNRECOGNIZED, request IDs in the logs, per-route metrics and
 * `GET /metrics`.
 */
import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import type { Logger } from "../logging";
import type { Metrics } from "../metrics";
import { mapError } from "./errors";
import { findUnstorableText } from "./storable-text";
import { lazyChildLogger } from "./lazy-request-logger";

export type HttpServer = FastifyInstance;

export interface CreateHttpServerOptions {
  logger: Logger;
  /** When given: request count/latency per route, and `GET /metrics` (unless `metricsPath: false`). */
  metrics?: Metrics;
  /** Largest accepted request body; larger → 413 M_TOO_LARGE. Default 1 MiB (media raises it). */
  bodyLimitBytes?: number;
  /** Where to serve the metrics; `false` to serve them elsewhere (e.g. a separate listener). */
  metricsPath?: string | false;
}

export const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, POST, PUT, DELETE, OPTIONS",
  "access-control-allow-headers": "X-Requested-With, Content-Type, Authorization",
} as const;

/**
 * Request IDs for log lines: a random prefix per server and a counter. Unique within a process's
 * logs and across restarts, and cheaper than random bytes per request: a server profile under
 * chat load put that OpenSSL call at ~30 µs a request (2 µs in a tight loop: it runs cold).
 */
function requestIds(): () => string {
  const prefix = randomBytes(4).toString("base64url");
  let n = 0;
  return () => `${prefix}${(n++).toString(36)}`;
}

export function createHttpServer(opts: CreateHttpServerOptions): HttpServer {
  const server = Fastify({
    logger: opts.logger.child({ component: "http" }),
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    genReqId: requestIds(),
    requestIdLogLabel: "req_id",
    requestIdHeader: false,
    // One line per request from onResponse below instead of fastify's two.
    disableRequestLogging: true,
    // Matrix IDs and event IDs contain ':' and '$'; allow long path segments.
    maxParamLength: 1000,
    // Errors met before routing (a path whose percent-encoding is not UTF-8) answer as Matrix
    // errors too; fastify's own body would carry no errcode. No hook has run: CORS is set here.
    frameworkErrors: (err, _req, frameworkReply) => {
      const reply = frameworkReply as unknown as FastifyReply;
      const error = err.code === "FST_ERR_BAD_URL"
        ? new MatrixError("M_INVALID_PARAM", "The request path is not valid percent-encoded UTF-8")
        : new MatrixError("M_UNKNOWN", "Bad request", {}, 400);
      void reply.status(error.status).headers(CORS_HEADERS).send(error.toJSON());
    },
    clientErrorHandler: answerUnparsableRequest,
  }) as unknown as FastifyInstance;

  server.setChildLoggerFactory(lazyChildLogger);
  const knownPaths = trackRoutes(server);
  if (opts.metrics) labelRoutes(server);

  // Clients "should supply a Content-Type header of application/json for all requests with JSON
  // bodies, but this is not required" (client-server API, API standards): a body under any other
  // type (curl -d sends form encoding) or none is read as JSON too, as Synapse does; an empty one
  // is no body. Media uploads, which take raw bodies, will bring their own parser.
  const json = server.getDefaultJsonParser("error", "error");
  server.removeContentTypeParser("text/plain");
  server.addContentTypeParser("*", { parseAs: "string" }, (req, body, done) => {
    if ((body as string).trim() === "") return done(null, undefined);
    return json(req, body as string, done);
  });

  // Callback-style hooks: they run on every request, and an async one costs a promise each.
  server.addHook("onRequest", (_req, reply, done) => {
    reply.headers(CORS_HEADERS);
    done();
  });

  // Refused before any handler sees it: text storage cannot hold (storable-text.ts).
  server.addHook("preValidation", (req, _reply, done) => {
    const inParams = findUnstorableText(req.params, "path") ?? findUnstorableText(req.query, "query");
    if (inParams) return done(new MatrixError("M_INVALID_PARAM", `${inParams.path}: ${inParams.reason}`));
    const inBody = findUnstorableText(req.body, "body");
    if (inBody) return done(new MatrixError("M_BAD_JSON", `${inBody.path}: ${inBody.reason}`));
    done();
  });

  // Preflight (and any OPTIONS) for every path: CORS headers are already set by the hook.
  server.route({
    method: "OPTIONS",
    url: "*",
    config: { corsPreflight: true },
    handler: async (_req, reply) => reply.status(204).send(),
  });

  server.setErrorHandler((err, req, reply) => {
    const { error, internal } = mapError(err);
    if (internal) req.log.error({ err }, "request failed");
    else req.log.debug({ errcode: error.errcode, msg: error.message }, "request rejected");
    return reply.status(error.status).send(error.toJSON());
  });

  server.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "/";
    const allowed = knownPaths.methodsFor(path);
    if (allowed.length > 0) {
      return reply
        .status(405)
        .header("allow", allowed.join(", "))
        .send(new MatrixError("M_UNRECOGNIZED", `Method ${req.method} not allowed on ${path}`, {}, 405).toJSON());
    }
    return reply.status(404).send(new MatrixError("M_UNRECOGNIZED", "Unrecognized request").toJSON());
  });

  server.addHook("onResponse", (req, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    if (opts.metrics) {
      const labels = { method: req.method, route: routeLabel(req), status: String(reply.statusCode) };
      opts.metrics.httpRequests.inc(labels);
      opts.metrics.httpDuration.observe(labels, seconds);
    }
    req.log.info(
      { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(seconds * 1000 * 10) / 10 },
      "request",
    );
    done();
  });

  if (opts.metrics && opts.metricsPath !== false) {
    const m = opts.metrics;
    server.get(opts.metricsPath ?? "/metrics", async (_req, reply) => {
      reply.header("content-type", m.contentType);
      return m.text();
    });
  }
  return server;
}

/**
 * A request Node's HTTP parser rejects (URL and headers over its 16 KiB, a malformed request
 * line) never reaches fastify: answered here as a Matrix error too, then the connection closes.
 */
function answerUnparsableRequest(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const error =
    err.code === "HPE_HEADER_OVERFLOW"
      ? new MatrixError("M_TOO_LARGE", "The request's URL and headers are too large", {}, 431)
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? new MatrixError("M_UNKNOWN", "The request was not received in time", {}, 408)
        : new MatrixError("M_UNKNOWN", "Malformed HTTP request", {}, 400);
  const body = JSON.stringify(error.toJSON());
  const cors = Object.entries(CORS_HEADERS).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${cors}connection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

/** The route pattern a request matched, set by labelRoutes. */
const ROUTE_LABEL = Symbol("routeLabel");

/**
 * Each route tags its requests with its pattern (not the concrete URL) so metric label sets
 * stay bounded. Read per request, `req.routeOptions` builds and freezes an object each time:
 * ~15 µs a request in a server profile, more than the metrics it labels.
 */
function labelRoutes(server: FastifyInstance): void {
  server.addHook("onRoute", (route) => {
    if ((route.config as { corsPreflight?: boolean } | undefined)?.corsPreflight) return;
    const label = route.url;
    const tag = (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      (req as unknown as Record<symbol, string>)[ROUTE_LABEL] = label;
      done();
    };
    route.onRequest = route.onRequest === undefined ? [tag] : [...[route.onRequest].flat(), tag];
  });
}

/** The matched route's pattern; preflights and requests no route matched share one label each. */
function routeLabel(req: FastifyRequest): string {
  return (req as unknown as Record<symbol, string | undefined>)[ROUTE_LABEL] ?? (req.method === "OPTIONS" ? "options" : "unmatched");
}

/** Remembers every registered route so a miss can tell 404 (no such path) from 405 (wrong method). */
function trackRoutes(server: FastifyInstance) {
  const routes: Array<{ re: RegExp; methods: string[] }> = [];
  server.addHook("onRoute", (route) => {
    if (route.url === "*" && route.method === "OPTIONS") return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ re: patternToRegExp(route.url), methods: methods.map((m) => m.toUpperCase()) });
  });
  return {
    methodsFor(path: string): string[] {
      let decoded = path;
      try {
        decoded = decodeURI(path);
      } catch {
        /* keep raw */
      }
      const out = new Set<string>();
      for (const r of routes) if (r.re.test(path) || r.re.test(decoded)) r.methods.forEach((m) => out.add(m));
      return [...out];
    },
  };
}

/** find-my-way patterns: `:name` one segment (optionally `:name(regex)`), `*` the rest. */
function patternToRegExp(url: string): RegExp {
  let re = "";
  for (let i = 0; i < url.length; i++) {
    const c = url[i]!;
    if (c === ":" && url[i + 1] !== ":") {
      let j = i + 1;
      while (j < url.length && /[A-Za-z0-9_]/.test(url[j]!)) j++;
      if (url[j] === "(") {
        const close = url.indexOf(")", j);
        re += url.slice(j, close + 1).replace(/^\(\^?/, "(").replace(/\$\)$/, ")");
        j = close + 1;
      } else re += "[^/]+";
      i = j - 1;
    } else if (c === ":" ) {
      re += ":";
      i++;
    } else if (c === "*") re += ".*";
    else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}/?$`);
}

/** Listens on "host:port" (":port" or "port" → all interfaces); returns the bound address. */
export async function listen(server: HttpServer, address: string): Promise<{ host: string; port: number; url: string }> {
  const { host, port } = parseListenAddress(address);
  await server.listen({ host, port });
  const a = server.server.address();
  const bound = typeof a === "object" && a ? a.port : port;
  const shown = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return { host, port: bound, url: `http://${shown}:${bound}` };
}

export function parseListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d+)$/.exec(address.trim());
  if (!m) throw new Error(`listen address "${address}" is not host:port (e.g. "127.0.0.1:8008" or ":8008")`);
  const host = m[1] ?? (m[2] || "0.0.0.0");
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`listen address "${address}": port ${port} is above 65535`);
  return { host, port };
}

/**
 * Stops accepting connections, lets in-flight requests finish (up to `timeoutMs`), then closes.
 * Idempotent enough for shutdown paths that may run twice.
 */
export async function closeServer(server: HttpServer, timeoutMs = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.server.closeAllConnections?.();
      resolve();
    }, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([server.close(), forced]);
  } finally {
    clearTimeout(timer);
  }
}


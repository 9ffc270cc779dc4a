/**
 * The polylith's public front door: one address that forwards each public path to the process
 * of the component that serves it. A route is a path prefix or a pattern; patterns are checked
 * first (they carve single endpoints such as /rooms/{id}/messages out of a prefix), then the
 * longest matching prefix wins; no match → 404 M_UNRECOGNIZED.
 */
import http from "node:http";

export interface Route {
  /** Path prefix, e.g. "/_matrix/key/"; or a pattern over the whole path. */
  readonly prefix?: string;
  readonly pattern?: RegExp;
  /** Base URL of the component process, e.g. "http://127.0.0.1:7781". */
  readonly target: string;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

export function routeFor(routes: readonly Route[], path: string): Route | undefined {
  const byPattern = routes.find((r) => r.pattern?.test(path));
  if (byPattern) return byPattern;
  let best: Route | undefined;
  for (const route of routes) {
    const prefix = route.prefix;
    if (prefix !== undefined && path.startsWith(prefix) && (best?.prefix === undefined || prefix.length > best.prefix.length)) {
      best = route;
    }
  }
  return best;
}

function sendError(res: http.ServerResponse, status: number, errcode: string, error: string): void {
  res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
  res.end(JSON.stringify({ errcode, error }));
}

export function createFrontProxy(routes: readonly Route[]): http.Server {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const route = routeFor(routes, path);
    if (!route) return sendError(res, 404, "M_UNRECOGNIZED", "Unrecognized request");
    const target = new URL(req.url ?? "/", route.target);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    const upstream = http.request(target, { method: req.method, headers, agent }, (up) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) sendError(res, 502, "M_UNKNOWN", `Component at ${route.target} is unreachable`);
      else res.destroy();
    });
    req.pipe(upstream);
  });
}

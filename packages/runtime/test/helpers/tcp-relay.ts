// A TCP relay to PostgreSQL that a test can cut (every connection dropped, new ones refused)
// and restore on the same port: a real outage for whoever connects through it.
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { unixSocketOf } from "../../src/database/database";

/** A relay to the test database that can be cut and restored on the same port. */
export async function relay(targetUrl: string) {
  const { url, socketPath } = unixSocketOf(targetUrl);
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = socketPath ? netConnect(socketPath) : netConnect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server!.close(() => resolve());
    });
  await up();
  const viaRelay = new URL(url);
  viaRelay.hostname = "127.0.0.1";
  viaRelay.port = String(port);
  return { url: viaRelay.toString(), up, down };
}


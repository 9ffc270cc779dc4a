/**
 * Waits until every component process accepts connections on its address, so that `polylith all`
 * opens its front door only when each path has someone behind it (a client's first /sync would
 * otherwise get 502 from a syncapi still starting).
 */
import { connect } from "node:net";
import { reachableOfListen } from "./components/addresses";

export interface ListeningLog {
  info(obj: object, msg: string): void;
}

function accepts(address: string): Promise<boolean> {
  const { host, port } = reachableOfListen(address);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/** Polls every address until all accept; logs the ones still missing every 10 s. `cancelled` stops the wait. */
export async function waitUntilListening(
  addresses: ReadonlyMap<string, string>,
  log: ListeningLog,
  cancelled: () => boolean = () => false,
): Promise<void> {
  const waiting = new Map(addresses);
  let lastReport = Date.now();
  while (waiting.size > 0 && !cancelled()) {
    for (const [name, address] of waiting) if (await accepts(address)) waiting.delete(name);
    if (waiting.size === 0) return;
    if (Date.now() - lastReport >= 10_000) {
      log.info({ waitingFor: [...waiting.keys()] }, "waiting for components to listen");
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Where a component process listens and how the others reach it, from its config section. */
import { parseListenAddress, type ComponentName, type DendriteConfig } from "@dendrite-ts/runtime";

export function internalListen(config: DendriteConfig, name: ComponentName): string {
  const address = config[name].listen.internal;
  if (!address) throw new Error(`${name}.listen.internal is not set: the polylith needs an address for each component`);
  return address;
}

export function publicListen(config: DendriteConfig, name: ComponentName): string {
  const address = config[name].listen.public;
  if (!address) throw new Error(`${name}.listen.public is not set: the polylith needs a public address for ${name}`);
  return address;
}

/** Host and port that reach a "host:port" listener from this machine (0.0.0.0 / :: via loopback). */
function reachableOfListen(address: string): { host: string; port: number } {
  const { host, port } = parseListenAddress(address);
  return { host: host === "0.0.0.0" || host === "" ? "127.0.0.1" : host === "::" ? "::1" : host, port };
}

/** A URL that reaches "host:port" from this machine. */
export function urlOfListen(address: string): string {
  const { host, port } = reachableOfListen(address);
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** How other processes reach a component's internal API: internal_url, else its listen address. */
export function internalUrl(config: DendriteConfig, name: ComponentName): string {
  return config[name].internal_url ?? urlOfListen(internalListen(config, name));
}

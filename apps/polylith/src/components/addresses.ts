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

/** A URL that reaches "host:port" from this machine (0.0.0.0 / :: listeners via loopback). */
export function urlOfListen(address: string): string {
  const { host, port } = parseListenAddress(address);
  const reachable = host === "0.0.0.0" || host === "" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
  return `http://${reachable}:${port}`;
}

/** How other processes reach a component's internal API: internal_url, else its listen address. */
export function internalUrl(config: DendriteConfig, name: ComponentName): string {
  return config[name].internal_url ?? urlOfListen(internalListen(config, name));
}

/**
 * Which IP addresses outbound requests (federation, URL previews) may connect to (config
 * `federation.deny_networks` / `federation.allow_networks`, Synapse's `ip_range_blacklist` /
 * `ip_range_whitelist`). Server names come from untrusted input, so without this anyone could
 * make us send requests to 127.0.0.1, the LAN or a cloud metadata service.
 *
 * An address is refused when it lies in a denied network and in no allowed one. As in Synapse,
 * an IPv6 address that carries an IPv4 address — IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible
 * (`::a.b.c.d`), 6to4 (`2002:AABB:CCDD::/48`) or NAT64 (`64:ff9b::a.b.c.d`) — is judged by that
 * IPv4 address too, and the unspecified addresses (`0.0.0.0`, `::`, which reach the local host)
 * are always denied.
 */
import { isIP } from "node:net";

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  /** As written in the config. */
  text: string;
  family: 4 | 6;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
}

/** The default deny list is the config schema's (Synapse's default `ip_range_blacklist` and more). */
export { DEFAULT_DENY_NETWORKS } from "../config/schema.js";

/** Always denied, whatever deny_networks says (allow_networks can still let them through). */
const ALWAYS_DENIED = ["0.0.0.0/32", "::/128"];

const bitsOf = (family: 4 | 6) => (family === 4 ? 32 : 128);

function v4Value(s: string): bigint {
  return s.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6Value(text: string): bigint {
  let s = text;
  if (s.includes(".")) {
    // A trailing dotted quad becomes two hex groups.
    const at = s.lastIndexOf(":");
    const v = v4Value(s.slice(at + 1));
    s = `${s.slice(0, at + 1)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  let groups: string[];
  if (s.includes("::")) {
    const [l = "", r = ""] = s.split("::");
    const left = l === "" ? [] : l.split(":");
    const right = r === "" ? [] : r.split(":");
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  } else groups = s.split(":");
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An IPv4 or IPv6 address (brackets and a zone ID are dropped); undefined when it is neither. */
export function parseIp(text: string): IpAddress | undefined {
  let s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return { family: 4, value: v4Value(s) };
  if (family === 6) return { family: 6, value: v6Value(s) };
  return undefined;
}

export class NetworkSyntaxError extends Error {
  constructor(text: string) {
    super(`"${text}" is not an IP network. Fix: write a CIDR such as "10.0.0.0/8" or "fd00::/8", or a single address`);
    this.name = "NetworkSyntaxError";
  }
}

/** "10.0.0.0/8", "fe80::/10", or a single address (/32, /128). Host bits may be set (they are ignored). */
export function parseCidr(text: string): Cidr {
  const [addr = "", len, ...rest] = text.trim().split("/");
  const ip = addr.includes("[") || addr.includes("%") ? undefined : parseIp(addr);
  if (ip === undefined || rest.length > 0) throw new NetworkSyntaxError(text);
  const bits = bitsOf(ip.family);
  const prefix = len === undefined ? bits : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) throw new NetworkSyntaxError(text);
  const shift = BigInt(bits - prefix);
  return { text, family: ip.family, network: (ip.value >> shift) << shift, prefix };
}

export function cidrContains(c: Cidr, ip: IpAddress): boolean {
  if (c.family !== ip.family) return false;
  const shift = BigInt(bitsOf(c.family) - c.prefix);
  return ip.value >> shift === c.network >> shift;
}

const LOW32 = 0xffffffffn;
const EMBEDDING: readonly { prefix: Cidr; extract: (v: bigint) => bigint }[] = [
  { prefix: parseCidr("::ffff:0:0/96"), extract: (v) => v & LOW32 }, // IPv4-mapped
  { prefix: parseCidr("::/96"), extract: (v) => v & LOW32 }, // IPv4-compatible (deprecated)
  { prefix: parseCidr("64:ff9b::/96"), extract: (v) => v & LOW32 }, // NAT64 well-known prefix
  { prefix: parseCidr("2002::/16"), extract: (v) => (v >> 80n) & LOW32 }, // 6to4
];

/** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(ip: IpAddress): IpAddress | undefined {
  if (ip.family !== 6) return undefined;
  const e = EMBEDDING.find((x) => cidrContains(x.prefix, ip));
  return e === undefined ? undefined : { family: 4, value: e.extract(ip.value) };
}

export type NetworkVerdict = { allowed: true } | { allowed: false; rule: string };

export interface NetworkPolicy {
  /** May we connect to this address? Anything that is not an IP address is refused. */
  check(address: string): NetworkVerdict;
}

export interface NetworkPolicyOptions {
  deny: readonly string[];
  allow?: readonly string[];
}

/** Throws NetworkSyntaxError for an entry that is not a network. */
export function createNetworkPolicy(opts: NetworkPolicyOptions): NetworkPolicy {
  const deny = [...opts.deny, ...ALWAYS_DENIED].map(parseCidr);
  const allow = (opts.allow ?? []).map(parseCidr);
  return {
    check(address) {
      const ip = parseIp(address);
      if (ip === undefined) return { allowed: false, rule: "not an IP address" };
      const v4 = embeddedIpv4(ip);
      const forms = v4 === undefined ? [ip] : [ip, v4];
      const denied = deny.find((c) => forms.some((f) => cidrContains(c, f)));
      if (denied === undefined) return { allowed: true };
      if (allow.some((c) => forms.some((f) => cidrContains(c, f)))) return { allowed: true };
      return { allowed: false, rule: denied.text };
    },
  };
}

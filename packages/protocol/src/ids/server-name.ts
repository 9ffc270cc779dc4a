/**
 * Server names (appendices, "Server Name"): `hostname [":" port]` where hostname is a dotted
 * IPv4 literal, a bracketed IPv6 literal or a DNS name. Case-sensitive.
 */
import { isIPv6 } from "node:net";
import { InvalidIdentifierError, schemaFromParser } from "./common";

export type ServerName = string & { readonly __brand: "ServerName" };

const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
const DOTTED_DIGITS = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]{2,45}$/;
const PORT = /^\d{1,5}$/;

function hostError(host: string): string | undefined {
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return "unterminated IPv6 literal";
    const ip = host.slice(1, -1);
    return IPV6_CHARS.test(ip) && isIPv6(ip) ? undefined : "bad IPv6 literal";
  }
  // Four dotted numbers are an IPv4 literal, whose parts must each be 0–255.
  if (DOTTED_DIGITS.test(host)) {
    return host.split(".").every((part) => Number(part) <= 255) ? undefined : "IPv4 part above 255";
  }
  return DNS_NAME.test(host) ? undefined : "bad DNS name";
}

function serverNameError(s: string): string | undefined {
  if (s.length === 0) return "empty";
  // The port follows the last `:` outside an IPv6 literal's brackets.
  const close = s.lastIndexOf("]");
  const colon = s.indexOf(":", close + 1);
  if (colon === -1) return hostError(s);
  if (!PORT.test(s.slice(colon + 1))) return "bad port";
  return hostError(s.slice(0, colon));
}

export function isValidServerName(s: string): boolean {
  return serverNameError(s) === undefined;
}

export function parseServerName(s: string): ServerName {
  const reason = serverNameError(s);
  if (reason !== undefined) throw new InvalidIdentifierError("server name", s, reason);
  return s as ServerName;
}

/** The host (brackets kept for IPv6) and the port when one is given. */
export function splitServerName(name: ServerName): { host: string; port: number | undefined } {
  const close = name.lastIndexOf("]");
  const colon = name.indexOf(":", close + 1);
  if (colon === -1) return { host: name, port: undefined };
  return { host: name.slice(0, colon), port: Number(name.slice(colon + 1)) };
}

export const serverNameSchema = schemaFromParser(parseServerName, "server name");

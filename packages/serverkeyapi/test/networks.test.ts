/** federation.deny_networks / allow_networks: address and CIDR parsing, range matching. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "@dendrite-ts/runtime";
import { DEFAULT_DENY_NETWORKS } from "../src/index";
import { cidrContains, createNetworkPolicy, embeddedIpv4, NetworkSyntaxError, parseCidr, parseIp } from "../src/http/networks";

const byDefault = createNetworkPolicy({ deny: DEFAULT_DENY_NETWORKS });
const denied = (p: ReturnType<typeof createNetworkPolicy>, a: string) => !p.check(a).allowed;

describe("parsing", () => {
  it.each([
    ["1.2.3.4", 4, 0x01020304n],
    ["255.255.255.255", 4, 0xffffffffn],
    ["::", 6, 0n],
    ["::1", 6, 1n],
    ["[::1]", 6, 1n],
    ["fe80::1%eth0", 6, 0xfe80n << 112n | 1n],
    ["2001:db8::8:800:200c:417a", 6, 0x20010db80000000000080800200c417an],
    ["::ffff:127.0.0.1", 6, 0xffff7f000001n],
    ["::ffff:7f00:1", 6, 0xffff7f000001n],
    ["1:2:3:4:5:6:7:8", 6, 0x00010002000300040005000600070008n],
    ["1:2:3:4:5:6:1.2.3.4", 6, 0x00010002000300040005000601020304n],
  ])("%s", (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each(["", "example.org", "1.2.3", "01.2.3.4", "256.0.0.1", "1:2:3:4:5:6:7:8:9", "::g"])("%j is not an address", (t) => {
    expect(parseIp(t)).toBeUndefined();
  });

  it("parses CIDRs (host bits ignored, single addresses as /32 and /128)", () => {
    expect(parseCidr("10.1.2.3/8")).toMatchObject({ family: 4, network: 0x0a000000n, prefix: 8 });
    expect(parseCidr("192.0.2.7")).toMatchObject({ family: 4, prefix: 32 });
    expect(parseCidr("fe80::/10")).toMatchObject({ family: 6, network: 0xfe80n << 112n, prefix: 10 });
    expect(parseCidr("::1")).toMatchObject({ family: 6, network: 1n, prefix: 128 });
    expect(parseCidr("0.0.0.0/0")).toMatchObject({ prefix: 0, network: 0n });
  });

  it.each(["10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8/8", "example.org/8", "[::1]/128", "fe80::%eth0/10", "10.0.0.0/x"])(
    "%j is not a network",
    (t) => {
      expect(() => parseCidr(t)).toThrow(NetworkSyntaxError);
    },
  );
});

describe("CIDR edges", () => {
  const inside = (cidr: string, addr: string) => cidrContains(parseCidr(cidr), parseIp(addr)!);

  it.each([
    ["10.0.0.0/8", "10.0.0.0", true],
    ["10.0.0.0/8", "10.255.255.255", true],
    ["10.0.0.0/8", "9.255.255.255", false],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["172.16.0.0/12", "172.31.255.255", true],
    ["172.16.0.0/12", "172.32.0.0", false],
    ["172.16.0.0/12", "172.15.255.255", false],
    ["100.64.0.0/10", "100.127.255.255", true],
    ["100.64.0.0/10", "100.128.0.0", false],
    ["192.0.2.7/32", "192.0.2.7", true],
    ["192.0.2.7/32", "192.0.2.8", false],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["fc00::/7", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true],
    ["fc00::/7", "fe00::", false],
    ["fc00::/7", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false],
    ["fe80::/10", "febf::1", true],
    ["fe80::/10", "fec0::", false],
    ["::1/128", "::1", true],
    ["::1/128", "::2", false],
    ["::/0", "2606:4700::1111", true],
  ])("%s contains %s: %s", (cidr, addr, expected) => {
    expect(inside(cidr, addr)).toBe(expected);
  });

  it("never matches across families", () => {
    expect(inside("0.0.0.0/0", "::1")).toBe(false);
    expect(inside("::/0", "127.0.0.1")).toBe(false);
  });

  it("finds the IPv4 address inside mapped, compatible, NAT64 and 6to4 addresses", () => {
    const v4 = (a: string) => embeddedIpv4(parseIp(a)!);
    expect(v4("::ffff:127.0.0.1")).toEqual(parseIp("127.0.0.1"));
    expect(v4("::ffff:a9fe:a9fe")).toEqual(parseIp("169.254.169.254"));
    expect(v4("::10.0.0.1")).toEqual(parseIp("10.0.0.1"));
    expect(v4("64:ff9b::192.168.1.1")).toEqual(parseIp("192.168.1.1"));
    expect(v4("2002:7f00:1::1")).toEqual(parseIp("127.0.0.1"));
    expect(v4("2606:4700::1111")).toBeUndefined();
    expect(v4("127.0.0.1")).toBeUndefined();
  });
});

describe("the default policy", () => {
  it.each([
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.255",
    "255.255.255.255",
    "192.0.2.1",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fe80::1%lo",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",
    "ff02::1",
    "2001:db8::1",
    // IPv4 inside IPv6
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",
    "64:ff9b::10.0.0.1",
    "2002:a00:1::",
    "2002:c0a8:101::1",
  ])("denies %s", (a) => {
    expect(byDefault.check(a)).toEqual({ allowed: false, rule: expect.any(String) });
  });

  it.each(["1.1.1.1", "8.8.8.8", "93.184.216.34", "11.0.0.0", "172.32.0.1", "100.128.0.1", "223.255.255.255", "2606:4700:4700::1111", "2a00:1450::1", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1"])(
    "allows %s",
    (a) => {
      expect(byDefault.check(a)).toEqual({ allowed: true });
    },
  );

  it("names the rule that denied", () => {
    expect(byDefault.check("169.254.169.254")).toEqual({ allowed: false, rule: "169.254.0.0/16" });
    expect(byDefault.check("::ffff:127.0.0.1")).toEqual({ allowed: false, rule: "127.0.0.0/8" });
  });

  it("refuses what is not an IP address", () => {
    expect(byDefault.check("localhost")).toEqual({ allowed: false, rule: "not an IP address" });
  });

  it("is what a config file gets when it names no networks", () => {
    const config = loadConfig({ yaml: "global:\n  server_name: example.org\n", env: {} });
    expect(config.global.federation.deny_networks).toEqual([...DEFAULT_DENY_NETWORKS]);
    expect(config.global.federation.allow_networks).toEqual([]);
  });
});

describe("allow_networks", () => {
  it("makes exceptions to deny_networks, for IPv4-mapped forms too", () => {
    const p = createNetworkPolicy({ deny: DEFAULT_DENY_NETWORKS, allow: ["127.0.0.0/8", "10.1.2.0/24"] });
    expect(denied(p, "127.0.0.1")).toBe(false);
    expect(denied(p, "::ffff:127.0.0.1")).toBe(false);
    expect(denied(p, "10.1.2.255")).toBe(false);
    expect(denied(p, "10.1.3.0")).toBe(true);
    expect(denied(p, "::1")).toBe(true); // IPv6 loopback is its own entry
    expect(denied(createNetworkPolicy({ deny: DEFAULT_DENY_NETWORKS, allow: ["::1"] }), "::1")).toBe(false);
  });

  it("an empty deny list still refuses the unspecified addresses", () => {
    const p = createNetworkPolicy({ deny: [] });
    expect(denied(p, "127.0.0.1")).toBe(false);
    expect(denied(p, "0.0.0.0")).toBe(true);
    expect(denied(p, "::")).toBe(true);
    expect(denied(p, "::ffff:0.0.0.0")).toBe(true);
  });

  it("a bad entry is an error", () => {
    expect(() => createNetworkPolicy({ deny: ["10.0.0.0/8"], allow: ["nope"] })).toThrow(/"nope" is not an IP network/);
  });
});

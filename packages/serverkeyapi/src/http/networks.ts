// The network policy lives in the runtime (the mediaapi's URL previews use it too).
export {
  cidrContains,
  createNetworkPolicy,
  DEFAULT_DENY_NETWORKS,
  embeddedIpv4,
  NetworkSyntaxError,
  parseCidr,
  parseIp,
  type Cidr,
  type IpAddress,
  type NetworkPolicy,
  type NetworkPolicyOptions,
  type NetworkVerdict,
} from "@dendrite-ts/runtime";

// What every internal operation needs, built once by createUserapi.
import type { UserapiStore } from "../storage";
import type { ScryptParams } from "./password";
import type { OutboxPublisher } from "@dendrite-ts/runtime";
import type { TokenCache } from "./token-cache";

export interface RegistrationConfig {
  /** Anyone may register (the m.login.dummy flow is offered). */
  open: boolean;
  /** Enables shared-secret registration (Synapse's /_synapse/admin/v1/register). */
  sharedSecret?: string;
  /** Registration tokens are accepted (the m.login.registration_token flow is offered). */
  tokensEnabled: boolean;
}

export interface Ctx {
  store: UserapiStore;
  serverName: string;
  registration: RegistrationConfig;
  scrypt: ScryptParams;
  outbox: OutboxPublisher;
  /** Token digest → owner, kept current by the store's change reports (token-cache.ts). */
  tokens: TokenCache;
  /** Milliseconds since the epoch; injectable so expiry is testable without waiting. */
  now(): number;
}

/**
 * The config file's `global.registration` section as the userapi sees it, and the registration
 * tokens it lists made real (created once, unlimited uses, never expiring) so both apps treat
 * a listed token the same way.
 */
import type { ContractClient } from "@dendrite-ts/runtime";
import type { UserapiContract } from "./api";
import type { RegistrationConfig } from "./internal/context";

export interface RegistrationSection {
  open: boolean;
  shared_secret?: string | undefined;
  tokens?: readonly string[] | undefined;
}

export function registrationFromConfig(section: RegistrationSection): RegistrationConfig {
  return {
    open: section.open,
    ...(section.shared_secret !== undefined ? { sharedSecret: section.shared_secret } : {}),
    tokensEnabled: (section.tokens?.length ?? 0) > 0,
  };
}

/** Creates each configured token that does not exist yet. */
export async function ensureConfiguredTokens(
  userapi: Pick<ContractClient<UserapiContract>, "listRegistrationTokens" | "createRegistrationToken">,
  tokens: readonly string[] = [],
): Promise<void> {
  if (tokens.length === 0) return;
  const { body } = await userapi.listRegistrationTokens({ body: {} });
  const existing = new Set((body as { tokens: { token: string }[] }).tokens.map((t) => t.token));
  for (const token of tokens) {
    if (!existing.has(token)) await userapi.createRegistrationToken({ body: { token, usesAllowed: null, expiryTs: null } });
  }
}

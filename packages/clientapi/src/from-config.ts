/**
 * The config file's sections as clientapi sees them, made in one place so the monolith and
 * every polylith clientapi process run with the same settings.
 */
import type { ClientapiConfig } from "./deps";

export interface ClientapiConfigSections {
  global: {
    default_room_version: string;
    well_known: {
      client_name?: string | undefined;
      support?: { contacts?: Array<{ role: string; matrix_id?: string | undefined; email_address?: string | undefined }> | undefined; support_page?: string | undefined } | undefined;
    };
  };
  clientapi: {
    rate_limiting: { enabled: boolean; threshold: number; cooloff: number };
    user_directory?: { search_all_users: boolean } | undefined;
    turn?:
      | { uris: string[]; shared_secret?: string | undefined; username?: string | undefined; password?: string | undefined; user_lifetime: number }
      | undefined;
  };
}

export function clientapiConfigFrom(config: ClientapiConfigSections): ClientapiConfig {
  const { global, clientapi } = config;
  const support = global.well_known.support;
  return {
    defaultRoomVersion: global.default_room_version,
    rateLimiting: {
      enabled: clientapi.rate_limiting.enabled,
      threshold: clientapi.rate_limiting.threshold,
      cooloffMs: clientapi.rate_limiting.cooloff,
    },
    userDirectory: { searchAllUsers: clientapi.user_directory?.search_all_users ?? false },
    ...(clientapi.turn !== undefined ? { turn: turnFrom(clientapi.turn) } : {}),
    wellKnown: {
      ...(global.well_known.client_name !== undefined ? { clientBaseUrl: global.well_known.client_name } : {}),
      ...(support !== undefined ? { support: supportDocument(support) } : {}),
    },
  };
}

type SupportSection = NonNullable<ClientapiConfigSections["global"]["well_known"]["support"]>;

/** The section as served: keys left unset in the file are left out. */
function supportDocument(s: SupportSection): NonNullable<NonNullable<ClientapiConfig["wellKnown"]>["support"]> {
  return {
    ...(s.contacts !== undefined
      ? {
          contacts: s.contacts.map((c) => ({
            role: c.role,
            ...(c.matrix_id !== undefined ? { matrix_id: c.matrix_id } : {}),
            ...(c.email_address !== undefined ? { email_address: c.email_address } : {}),
          })),
        }
      : {}),
    ...(s.support_page !== undefined ? { support_page: s.support_page } : {}),
  };
}

function turnFrom(t: NonNullable<ClientapiConfigSections["clientapi"]["turn"]>): NonNullable<ClientapiConfig["turn"]> {
  return {
    uris: t.uris,
    ...(t.shared_secret !== undefined ? { sharedSecret: t.shared_secret } : {}),
    ...(t.username !== undefined ? { username: t.username } : {}),
    ...(t.password !== undefined ? { password: t.password } : {}),
    userLifetimeMs: t.user_lifetime,
  };
}

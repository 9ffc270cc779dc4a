/**
 * create-account: makes an account on a running server through its shared-secret registration
 * API (`/_synapse/admin/v1/register`, as Synapse's register_new_matrix_user does), with the
 * secret from the config file.
 *   create-account --config FILE --username NAME [--password P] [--admin] [--url URL]
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { loadConfig, parseListenAddress } from "@dendrite-ts/runtime";
import { sharedSecretMac } from "@dendrite-ts/userapi";

const USAGE = `Usage: create-account --config FILE --username NAME [--password P] [--admin] [--url URL]

  --config FILE     the server's dendrite.yaml (for registration.shared_secret and the port)
  --username NAME   the localpart (alice for @alice:<server_name>)
  --password P      the password (default: a random one, printed)
  --admin           make the account a server admin
  --url URL         where the server answers (default http://127.0.0.1:<monolith.listen port>)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      admin: { type: "boolean", default: false },
      url: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  if (!values.config) throw new Error("--config FILE is required");
  if (!values.username) throw new Error("--username NAME is required");
  const config = loadConfig({ path: values.config });
  const secret = config.global.registration.shared_secret;
  if (!secret) throw new Error(`${values.config} sets no global.registration.shared_secret; add one and restart the server`);
  const listen = config.monolith.listen;
  const url = (values.url ?? `http://127.0.0.1:${parseListenAddress(listen).port}`).replace(/\/+$/, "");
  const password = values.password ?? randomBytes(12).toString("base64url");

  const endpoint = `${url}/_synapse/admin/v1/register`;
  const nonceRes = await fetch(endpoint).catch((e: Error) => {
    throw new Error(`cannot reach the server at ${url} (${e.message}); is it running? (--url to point elsewhere)`);
  });
  const { nonce } = (await nonceRes.json()) as { nonce?: string };
  if (!nonce) throw new Error(`${endpoint} gave no nonce (HTTP ${nonceRes.status})`);
  const admin = values.admin ?? false;
  const mac = sharedSecretMac(secret, { nonce, username: values.username, password, admin });
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ nonce, username: values.username, password, admin, mac }),
  });
  const body = (await res.json()) as { user_id?: string; errcode?: string; error?: string };
  if (!res.ok) throw new Error(`${body.errcode ?? res.status}: ${body.error ?? "registration failed"}`);
  process.stdout.write(`created ${body.user_id}${admin ? " (admin)" : ""}${values.password ? "" : ` with password ${password}`}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`create-account: ${e.message}\n\n${USAGE}`);
  process.exit(1);
});

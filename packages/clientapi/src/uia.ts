/**
 * User-interactive authentication (client-server API, "User-Interactive Authentication API").
 * userapi runs the sessions and stages; this sends its challenge back as the 401 body.
 */
import type { FastifyReply } from "fastify";
import type { UiaChallengeBody } from "@dendrite-ts/userapi";
import { z } from "zod";
import type { ClientUserapi } from "./deps";
import { ok } from "./call";

/** The `auth` dict of a request body: type and session known, the rest passed through. */
export const authDictSchema = z
  .object({ type: z.string().optional(), session: z.string().optional() })
  .passthrough()
  .optional();
export type AuthDict = z.infer<typeof authDictSchema>;

type Purpose = "register" | "delete_devices" | "change_password" | "deactivate" | "upload_signing_keys";

export type UiaOutcome = { done: true; session: string } | { done: false; challenge: UiaChallengeBody };

export async function runUia(
  userapi: Pick<ClientUserapi, "userInteractiveAuth">,
  purpose: Purpose,
  userId: string | undefined,
  auth: AuthDict,
): Promise<UiaOutcome> {
  const body = await ok(
    userapi.userInteractiveAuth({
      body: { purpose, ...(userId !== undefined ? { userId } : {}), ...(auth !== undefined ? { auth } : {}) },
    }),
  );
  return body.done ? { done: true, session: body.session } : { done: false, challenge: body.challenge };
}

/** Sends the challenge as the spec's 401 response. */
export function sendChallenge(reply: FastifyReply, challenge: UiaChallengeBody): FastifyReply {
  return reply.status(401).send(challenge);
}

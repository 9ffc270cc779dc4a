/**
 * Server administration (client-server API, admin.yaml): account moderation — GET/PUT
 * /v1/admin/lock/{userId} and /v1/admin/suspend/{userId} (v1.18) — and GET
 * /v3/admin/whois/{userId}. Authorisation comes before any look-up, so a non-admin learns nothing
 * about which accounts exist. Only local, active accounts, and never another admin (nor, for a
 * change, oneself). What a lock or suspension does is enforced elsewhere: userapi's token
 * resolution answers M_USER_LOCKED, clientapi's suspension.ts refuses what suspension forbids.
 */
import type { FastifyInstance } from "fastify";
import { isValidUserId, MatrixError, parseUserId, userIdServerName } from "@dendrite-ts/protocol";
import { z } from "zod";
import type { Requester } from "../auth";
import { ok } from "../call";
import { parseBody, parseParams } from "../validation";
import { clientRoute, type Req, type RouteContext } from "./context";

const V1 = ["/_matrix/client/v1"] as const;

/** The spec's flag name in each request and answer. */
const FLAGS = { lock: "locked", suspend: "suspended" } as const;

export function registerAdminModerationRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const requireAdmin = (me: Requester) => {
    if (!me.isAdmin) throw new MatrixError("M_FORBIDDEN", "Requesting user is not a server administrator.");
  };

  /** The path's user: a user ID of this server (400 M_INVALID_PARAM otherwise). */
  const localTarget = (req: Req): string => {
    const { userId } = parseParams(z.object({ userId: z.string() }), req.params);
    if (!isValidUserId(userId) || userIdServerName(parseUserId(userId)) !== ctx.serverName) {
      throw new MatrixError("M_INVALID_PARAM", "User does not belong to the local server.");
    }
    return userId;
  };

  /** An active local account (404 M_NOT_FOUND for an unknown or deactivated one). */
  const activeAccount = async (userId: string) => {
    const account = await ok(ctx.userapi.queryAccount({ body: { userId } })).catch((e: unknown) => {
      if (e instanceof MatrixError && e.errcode === "M_NOT_FOUND") return undefined;
      throw e;
    });
    if (!account || account.deactivated) throw new MatrixError("M_NOT_FOUND", "User not found.");
    return account;
  };

  for (const [action, flag] of Object.entries(FLAGS) as [keyof typeof FLAGS, (typeof FLAGS)[keyof typeof FLAGS]][]) {
    clientRoute(
      server,
      "GET",
      `/admin/${action}/:userId`,
      async (req) => {
        const me = await ctx.authenticate(req);
        requireAdmin(me);
        const userId = localTarget(req);
        const account = await activeAccount(userId);
        if (account.isAdmin && userId !== me.userId) throw new MatrixError("M_FORBIDDEN", "The target user is another server administrator.");
        return { [flag]: account[flag] };
      },
      V1,
    );

    clientRoute(
      server,
      "PUT",
      `/admin/${action}/:userId`,
      async (req) => {
        const me = await ctx.authenticate(req);
        requireAdmin(me);
        const userId = localTarget(req);
        const value = (parseBody(z.object({ [flag]: z.boolean() }), req.body) as Record<typeof flag, boolean>)[flag];
        if (userId === me.userId) throw new MatrixError("M_FORBIDDEN", `You cannot ${action} your own account.`);
        const account = await activeAccount(userId);
        if (account.isAdmin) throw new MatrixError("M_FORBIDDEN", "The target user is another server administrator.");
        const flags = await ok(ctx.userapi.setAccountModeration({ body: { userId, [flag]: value } }));
        return { [flag]: flags[flag] };
      },
      V1,
    );
  }

  // The spec lets this be the user's own or an admin's; devices and their last connection are
  // what userapi records (one session per device: we keep no per-token history).
  clientRoute(server, "GET", "/admin/whois/:userId", async (req) => {
    const me = await ctx.authenticate(req);
    const { userId: asked } = parseParams(z.object({ userId: z.string() }), req.params);
    if (asked !== me.userId) requireAdmin(me);
    const userId = localTarget(req);
    await activeAccount(userId);
    const { devices } = await ok(ctx.userapi.queryDevices({ body: { userId } }));
    return {
      user_id: userId,
      devices: Object.fromEntries(
        devices.map((d) => [
          d.deviceId,
          {
            sessions: [
              {
                connections:
                  d.lastSeenTs === null
                    ? []
                    : [
                        {
                          ...(d.lastSeenIp !== null ? { ip: d.lastSeenIp } : {}),
                          last_seen: d.lastSeenTs,
                          ...(d.lastSeenUserAgent !== null ? { user_agent: d.lastSeenUserAgent } : {}),
                        },
                      ],
              },
            ],
          },
        ]),
      ),
    };
  });
}

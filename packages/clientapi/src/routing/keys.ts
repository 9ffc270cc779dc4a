/**
 * POST /keys/upload, /keys/query and /keys/claim (keys.yaml, "End-to-End Encryption"): devices
 * publish identity, one-time and fallback keys, and others fetch them to encrypt to those
 * devices; /keys/query also gives users' cross-signing keys (cross-signing.ts uploads them). The shapes are checked here (400 M_BAD_JSON); the keyserver checks the rest and
 * stores the keys. Device keys go on as the client sent them, not as zod rebuilt them: their
 * signature covers every field.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ok } from "../call";
import { parseBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";

const signatures = z.record(z.record(z.string()));
const deviceKeys = z
  .object({
    user_id: z.string(),
    device_id: z.string(),
    algorithms: z.array(z.string()),
    keys: z.record(z.string()),
    signatures,
  })
  .passthrough();
/** A bare key (curve25519) or a signed key object (signed_curve25519). */
const oneTimeKey = z.union([z.string(), z.object({ key: z.string(), signatures }).passthrough()]);

const uploadBody = z.object({
  device_keys: deviceKeys.optional(),
  one_time_keys: z.record(oneTimeKey).optional(),
  fallback_keys: z.record(oneTimeKey).optional(),
});
const queryBody = z.object({
  device_keys: z.record(z.array(z.string())),
  timeout: z.number().int().optional(),
});
const claimBody = z.object({
  one_time_keys: z.record(z.record(z.string())),
  timeout: z.number().int().optional(),
});

type Raw = Record<string, Record<string, unknown> | undefined>;

export function registerKeyRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "POST", "/keys/upload", async (req) => {
    const me = await ctx.authenticate(req);
    parseBody(uploadBody, req.body);
    const raw = (req.body ?? {}) as Raw;
    const body = await ok(
      ctx.keyserver.performUploadKeys({
        body: {
          userId: me.userId,
          deviceId: me.deviceId,
          ...(raw.device_keys ? { deviceKeys: raw.device_keys } : {}),
          ...(raw.one_time_keys ? { oneTimeKeys: raw.one_time_keys as Record<string, string | Record<string, unknown>> } : {}),
          ...(raw.fallback_keys ? { fallbackKeys: raw.fallback_keys as Record<string, string | Record<string, unknown>> } : {}),
        },
      }),
    );
    return { one_time_key_counts: body.oneTimeKeyCounts };
  });

  clientRoute(server, "POST", "/keys/query", async (req) => {
    const me = await ctx.authenticate(req);
    const { device_keys } = parseBody(queryBody, req.body);
    const body = await ok(ctx.keyserver.queryKeys({ body: { deviceKeys: device_keys, requesterId: me.userId } }));
    // unsigned.device_display_name comes from userapi, which owns device names.
    for (const [userId, devices] of Object.entries(body.deviceKeys)) {
      if (Object.keys(devices).length === 0) continue;
      const names = new Map(
        (await ok(ctx.userapi.queryDevices({ body: { userId } }))).devices.map((d) => [d.deviceId, d.displayName] as const),
      );
      for (const [deviceId, keys] of Object.entries(devices)) {
        const name = names.get(deviceId);
        keys.unsigned = { ...(keys.unsigned as object | undefined), ...(name ? { device_display_name: name } : {}) };
      }
    }
    return {
      device_keys: body.deviceKeys,
      master_keys: body.masterKeys,
      self_signing_keys: body.selfSigningKeys,
      user_signing_keys: body.userSigningKeys,
      failures: body.failures,
    };
  });

  clientRoute(server, "POST", "/keys/claim", async (req) => {
    await ctx.authenticate(req);
    const { one_time_keys } = parseBody(claimBody, req.body);
    const body = await ok(ctx.keyserver.performClaimKeys({ body: { oneTimeKeys: one_time_keys } }));
    return { one_time_keys: body.oneTimeKeys, failures: body.failures };
  });
}

/**
 * A deleted device's keys go with it (logout, DELETE /devices, password change, deactivation):
 * others must stop encrypting to a device that will never read it. Called after userapi
 * deleted the devices; a retried DELETE /devices names them again, so keys a failed call left
 * behind are deleted then.
 */
export async function deleteDevicesKeys(ctx: Pick<RouteContext, "keyserver">, userId: string, deviceIds: string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  await ctx.keyserver.performDeleteDeviceKeys({ body: { userId, deviceIds } });
}

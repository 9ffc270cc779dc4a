/**
 * Device management (client-server API, "Device management"). Deleting devices needs
 * user-interactive auth, and deleting one that is already gone succeeds (both DELETE
 * /devices/{id} and /delete_devices); the device list is the user's own only.
 */
import type { FastifyInstance } from "fastify";
import type { Device } from "@dendrite-ts/userapi";
import { z } from "zod";
import { authDictSchema, runUia, sendChallenge } from "../uia";
import { parseBody, parseParams } from "../validation";
import { clientRoute, type RouteContext } from "./context";
import { ok } from "../call";
import { deleteDevicesKeys } from "./keys";

const deviceParams = z.object({ deviceId: z.string().min(1) });

function toClientDevice(d: Device) {
  return {
    device_id: d.deviceId,
    display_name: d.displayName ?? undefined,
    last_seen_ip: d.lastSeenIp ?? undefined,
    last_seen_ts: d.lastSeenTs ?? undefined,
  };
}

export function registerDeviceRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/devices", async (req) => {
    const me = await ctx.authenticate(req);
    const body = await ok(ctx.userapi.queryDevices({ body: { userId: me.userId } }));
    return { devices: body.devices.map(toClientDevice) };
  });

  clientRoute(server, "GET", "/devices/:deviceId", async (req) => {
    const me = await ctx.authenticate(req);
    const { deviceId } = parseParams(deviceParams, req.params);
    return toClientDevice(await ok(ctx.userapi.queryDevice({ body: { userId: me.userId, deviceId } })));
  });

  clientRoute(server, "PUT", "/devices/:deviceId", async (req) => {
    const me = await ctx.authenticate(req);
    const { deviceId } = parseParams(deviceParams, req.params);
    const body = parseBody(z.object({ display_name: z.string().max(255).optional() }), req.body);
    // Nothing to change still has to name a device of ours.
    if (body.display_name === undefined) await ctx.userapi.queryDevice({ body: { userId: me.userId, deviceId } });
    else await ctx.userapi.updateDevice({ body: { userId: me.userId, deviceId, displayName: body.display_name } });
    return {};
  });

  clientRoute(server, "DELETE", "/devices/:deviceId", async (req, reply) => {
    const me = await ctx.authenticate(req);
    const { deviceId } = parseParams(deviceParams, req.params);
    const body = parseBody(z.object({ auth: authDictSchema }), req.body);
    // UIA first, then 200 whether or not the device exists (the spec gives this endpoint no
    // 404): a client retrying a delete that went through is not told it failed.
    const uia = await runUia(ctx.userapi, "delete_devices", me.userId, body.auth);
    if (!uia.done) return sendChallenge(reply, uia.challenge);
    await ctx.userapi.deleteDevices({ body: { userId: me.userId, deviceIds: [deviceId] } });
    await deleteDevicesKeys(ctx, me.userId, [deviceId]);
    return {};
  });

  clientRoute(server, "POST", "/delete_devices", async (req, reply) => {
    const me = await ctx.authenticate(req);
    const body = parseBody(z.object({ devices: z.array(z.string()).max(1000), auth: authDictSchema }), req.body);
    const uia = await runUia(ctx.userapi, "delete_devices", me.userId, body.auth);
    if (!uia.done) return sendChallenge(reply, uia.challenge);
    await ctx.userapi.deleteDevices({ body: { userId: me.userId, deviceIds: body.devices } });
    await deleteDevicesKeys(ctx, me.userId, body.devices);
    return {};
  });
}

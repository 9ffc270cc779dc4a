/**
 * Pushers (client-server API, "Push Notifications" → "Client behaviour"): GET /pushers lists
 * the requester's pushers; POST /pushers/set creates or replaces one (keyed by app_id and
 * pushkey), or deletes it when `kind` is null. userapi keeps them, tied to the requester's
 * device (they go when it is logged out or deleted), and checks kind, data.url and lengths.
 * Nothing is sent to push gateways yet.
 */
import type { FastifyInstance } from "fastify";
import { MatrixError } from "@dendrite-ts/protocol";
import type { PusherBody } from "@dendrite-ts/userapi";
import { z } from "zod";
import { ok } from "../call";
import type { Requester } from "../auth";
import { jsonObject, parseBody, parseRequiredBody } from "../validation";
import { clientRoute, type RouteContext } from "./context";

/** Needed for every request; `kind` must be there, null or not. */
const ALWAYS = ["kind", "app_id", "pushkey"] as const;
/** Needed as well unless `kind` is null. */
const UNLESS_DELETING = ["app_display_name", "device_display_name", "lang", "data"] as const;

const setBody = z.object({
  kind: z.string().nullable(),
  app_id: z.string(),
  pushkey: z.string(),
  app_display_name: z.string().optional(),
  device_display_name: z.string().optional(),
  profile_tag: z.string().optional(),
  lang: z.string().optional(),
  data: jsonObject.optional(),
  append: z.boolean().optional(),
});

/** Spec guest access does not include push notifications. */
function refuseGuests(me: Requester): void {
  if (me.isGuest) throw new MatrixError("M_GUEST_ACCESS_FORBIDDEN", "Guests cannot use pushers");
}

/** The body with every required field checked present (M_MISSING_PARAM, all named), then typed (M_BAD_JSON). */
function parseSetBody(raw: unknown): z.output<typeof setBody> {
  const obj = parseRequiredBody(jsonObject, raw);
  const required = obj["kind"] === null ? ALWAYS : [...ALWAYS, ...UNLESS_DELETING];
  const missing = required.filter((k) => obj[k] === undefined);
  if (missing.length > 0) throw new MatrixError("M_MISSING_PARAM", `Missing parameters: ${missing.join(", ")}`);
  return parseBody(setBody, obj);
}

function toClient(p: PusherBody) {
  return {
    app_id: p.appId,
    pushkey: p.pushkey,
    kind: p.kind,
    app_display_name: p.appDisplayName,
    device_display_name: p.deviceDisplayName,
    ...(p.profileTag !== undefined ? { profile_tag: p.profileTag } : {}),
    lang: p.lang,
    data: p.data,
  };
}

export function registerPusherRoutes(server: FastifyInstance, ctx: RouteContext): void {
  clientRoute(server, "GET", "/pushers", async (req) => {
    const me = await ctx.authenticate(req);
    refuseGuests(me);
    const { pushers } = await ok(ctx.userapi.queryPushers({ body: { userId: me.userId } }));
    return { pushers: pushers.map(toClient) };
  });

  clientRoute(server, "POST", "/pushers/set", async (req) => {
    const me = await ctx.authenticate(req);
    refuseGuests(me);
    const b = parseSetBody(req.body);
    if (b.kind === null) {
      await ok(ctx.userapi.deletePusher({ body: { userId: me.userId, appId: b.app_id, pushkey: b.pushkey } }));
      return {};
    }
    const pusher: PusherBody = {
      appId: b.app_id,
      pushkey: b.pushkey,
      kind: b.kind,
      appDisplayName: b.app_display_name!,
      deviceDisplayName: b.device_display_name!,
      ...(b.profile_tag !== undefined ? { profileTag: b.profile_tag } : {}),
      lang: b.lang!,
      data: b.data!,
    };
    await ok(ctx.userapi.setPusher({ body: { userId: me.userId, deviceId: me.deviceId, pusher, append: b.append ?? false } }));
    return {};
  });
}

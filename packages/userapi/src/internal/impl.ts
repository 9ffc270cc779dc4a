// The contract's routes mapped onto the internal operations: validation happened in the
// adapter, errors are MatrixErrors thrown below, so each route is a one-liner.
import type { UserapiApi } from "../api";
import type { Ctx } from "./context";
import * as accounts from "./accounts";
import * as tokens from "./access-tokens";
import * as data from "./account-data";
import * as devices from "./devices";
import { setAccountModeration } from "./moderation";
import { listNotifications } from "./notifications/list";
import { createSession, passwordLogin } from "./login";
import * as profiles from "./profiles";
import * as pushers from "./pushers";
import * as regTokens from "./registration-tokens";
import * as sharedSecret from "./shared-secret";
import { userInteractiveAuth } from "./uia";

const ok = <T>(body: T) => ({ status: 200 as const, body });

export function userapiImpl(ctx: Ctx): UserapiApi {
  return {
    createAccount: async ({ body }) => ok(await accounts.createAccount(ctx, body)),
    checkUsernameAvailable: async ({ body }) => ok(await accounts.checkUsernameAvailable(ctx, body.username)),
    queryAccount: async ({ body }) => ok(await accounts.queryAccount(ctx, body.userId)),
    changePassword: async ({ body }) => ok(await accounts.changePassword(ctx, body)),
    deactivateAccount: async ({ body }) => ok(await accounts.deactivateAccount(ctx, body.userId)),
    setAccountModeration: async ({ body }) => ok(await setAccountModeration(ctx, body)),

    passwordLogin: async ({ body }) => {
      const { identifier, user, password, ...session } = body;
      return ok(await passwordLogin(ctx, { identifier, user, password }, session));
    },
    createSession: async ({ body }) => {
      const { userId, ...session } = body;
      return ok(await createSession(ctx, userId, session));
    },
    queryAccessToken: async ({ body }) => ok(await tokens.resolveAccessToken(ctx, body.accessToken, body.allowLocked)),
    logout: async ({ body }) => ok(await tokens.logout(ctx, body.accessToken)),
    logoutAll: async ({ body }) => ok(await tokens.logoutAll(ctx, body.userId)),

    queryDevices: async ({ body }) => ok({ devices: await devices.listDevices(ctx, body.userId) }),
    queryDevice: async ({ body }) => ok(await devices.getDevice(ctx, body.userId, body.deviceId)),
    updateDevice: async ({ body }) => {
      await devices.renameDevice(ctx, body.userId, body.deviceId, body.displayName);
      return ok({});
    },
    deleteDevices: async ({ body }) => ok(await devices.deleteDevices(ctx, body.userId, body.deviceIds)),
    markDeviceSeen: async ({ body }) => {
      await devices.markDeviceSeen(ctx, body);
      return ok({});
    },

    userInteractiveAuth: async ({ body }) => ok(await userInteractiveAuth(ctx, body)),
    registrationTokenValidity: async ({ body }) => ok(await regTokens.registrationTokenValidity(ctx, body.token)),
    createRegistrationToken: async ({ body }) => ok(await regTokens.createRegistrationToken(ctx, body)),
    listRegistrationTokens: async () => ok({ tokens: await regTokens.listRegistrationTokens(ctx) }),
    deleteRegistrationToken: async ({ body }) => {
      await regTokens.deleteRegistrationToken(ctx, body.token);
      return ok({});
    },
    sharedSecretNonce: async () => ok(await sharedSecret.sharedSecretNonce(ctx)),
    sharedSecretRegister: async ({ body }) => ok(await sharedSecret.sharedSecretRegister(ctx, body)),

    queryProfile: async ({ body }) => ok(await profiles.getProfile(ctx, body.userId)),
    queryProfileFields: async ({ body }) => ok({ fields: await profiles.getProfileFields(ctx, body.userId) }),
    queryProfileField: async ({ body }) => ok({ value: await profiles.getProfileField(ctx, body.userId, body.key) }),
    setProfileField: async ({ body }) => ok(await profiles.setProfileField(ctx, body.userId, body.key, body.value)),
    deleteProfileField: async ({ body }) => ok(await profiles.deleteProfileField(ctx, body.userId, body.key)),

    setAccountData: async ({ body }) => ok(await data.setAccountData(ctx, body)),
    queryAccountData: async ({ body }) => ok(await data.getAccountData(ctx, body)),
    queryAccountDataSince: async ({ body }) => ok(await data.accountDataSince(ctx, body)),
    queryTags: async ({ body }) => ok(await data.getTags(ctx, body)),
    setTag: async ({ body }) => {
      await data.setTag(ctx, body);
      return ok({});
    },
    deleteTag: async ({ body }) => {
      await data.deleteTag(ctx, body);
      return ok({});
    },

    setPusher: async ({ body }) => {
      await pushers.setPusher(ctx, body);
      return ok({});
    },
    deletePusher: async ({ body }) => {
      await pushers.deletePusher(ctx, body);
      return ok({});
    },
    queryPushers: async ({ body }) => ok({ pushers: await pushers.listPushers(ctx, body.userId) }),

    queryNotifications: async ({ body }) => ok(await listNotifications(ctx, body)),
  };
}

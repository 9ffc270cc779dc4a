/**
 * matrix-js-sdk as a real client for scenario tests: register (user-interactive auth with
 * m.login.dummy, as Element does on an open server), log in, run the sync loop, wait for what a
 * user would see.
 */
import * as sdk from "matrix-js-sdk";
import { logger as sdkLogger } from "matrix-js-sdk/lib/logger.js";

// The SDK logs every sync; tests read their own assertions instead.
(sdkLogger as unknown as { setLevel(level: string): void }).setLevel("silent");

export interface TestUser {
  readonly userId: string;
  readonly accessToken: string;
  readonly deviceId: string;
  readonly password: string;
  readonly client: sdk.MatrixClient;
}

/** Registers through the UIA flow: first request → 401 with a session, then m.login.dummy. */
export async function registerUser(baseUrl: string, username: string, password = `pw-${username}-secret`): Promise<TestUser> {
  const anon = sdk.createClient({ baseUrl });
  let session: string | undefined;
  try {
    await anon.registerRequest({ username, password });
  } catch (e) {
    const data = (e as { data?: { session?: string; flows?: unknown } }).data;
    if (!data?.session) throw e;
    session = data.session;
  }
  const res = await anon.registerRequest({ username, password, auth: { type: "m.login.dummy", session } });
  return userFor(baseUrl, res.user_id, res.access_token!, res.device_id!, password);
}

export async function loginUser(baseUrl: string, username: string, password: string): Promise<TestUser> {
  const anon = sdk.createClient({ baseUrl });
  const res = await anon.loginRequest({ type: "m.login.password", identifier: { type: "m.id.user", user: username }, password });
  return userFor(baseUrl, res.user_id, res.access_token, res.device_id, password);
}

function userFor(baseUrl: string, userId: string, accessToken: string, deviceId: string, password: string): TestUser {
  const client = sdk.createClient({ baseUrl, userId, accessToken, deviceId });
  return { userId, accessToken, deviceId, password, client };
}

/** Starts the sync loop and resolves once the first sync is done. */
export async function startSyncing(user: TestUser): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    const onSync = (state: sdk.SyncState, _prev: sdk.SyncState | null, data?: sdk.SyncStateData) => {
      if (state === sdk.SyncState.Prepared || state === sdk.SyncState.Syncing) {
        user.client.off(sdk.ClientEvent.Sync, onSync);
        resolve();
      } else if (state === sdk.SyncState.Error) {
        // What the server said, so a failure here can be told from another.
        const err = data?.error as { httpStatus?: number; errcode?: string; message?: string } | undefined;
        reject(new Error(`${user.userId}: sync error: ${err?.httpStatus ?? ""} ${err?.errcode ?? ""} ${err?.message ?? String(err)}`));
      }
    };
    user.client.on(sdk.ClientEvent.Sync, onSync);
  });
  await user.client.startClient({ initialSyncLimit: 20, lazyLoadMembers: false });
  await ready;
}

/** Resolves with the first timeline event matching `match` (already there, or arriving). */
export function waitForTimelineEvent(
  user: TestUser,
  roomId: string,
  match: (ev: sdk.MatrixEvent) => boolean,
  timeoutMs = 10_000,
): Promise<sdk.MatrixEvent> {
  const existing = user.client.getRoom(roomId)?.getLiveTimeline().getEvents().find(match);
  if (existing) return Promise.resolve(existing);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      user.client.off(sdk.RoomEvent.Timeline, onEvent);
      reject(new Error(`${user.userId}: no matching event in ${roomId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (ev: sdk.MatrixEvent, room: sdk.Room | undefined) => {
      if (room?.roomId === roomId && match(ev)) {
        clearTimeout(timer);
        user.client.off(sdk.RoomEvent.Timeline, onEvent);
        resolve(ev);
      }
    };
    user.client.on(sdk.RoomEvent.Timeline, onEvent);
  });
}

/** Polls `check` (for state the SDK updates without a single event to wait on). */
export async function eventually<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { sdk };

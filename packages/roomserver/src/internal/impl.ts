/** The contract's server side: each route unwraps its body and calls the operation. */
import { KeyedQueues } from "@dendrite-ts/runtime";
import type { RoomserverApi } from "../api";
import type { RoomserverContext } from "./context";
import type { Inputter } from "./input/inputter";
import { removeAlias, setAlias } from "./perform/aliases";
import { createRoom } from "./perform/create-room";
import { changeMembership, forget, invite, join, knock, leave } from "./perform/membership";
import { publish } from "./perform/publish";
import { purgeRoom } from "./perform/purge";
import { sendEvent } from "./perform/send";
import { upgradeRoom } from "./perform/upgrade-room";
import { queryPublicRooms } from "./query/public-rooms";
import { queryRoomSummary } from "./query/room-summary";
import { querySearchUserDirectory } from "./query/user-directory";
import { queryVisibleEvents } from "./query/visibility";
import { queryBackfill, queryMissingEvents } from "./query/history";
import { queryJoinedHosts, queryMembersOfRoom, queryMembership, queryRedactionsOf, queryRoomsForUser } from "./query/membership";
import { queryAuthChain, queryCurrentState, queryEventsById, queryLatestEventsAndState, queryStateAfterEvents } from "./query/state";

const ok = <T>(body: T) => ({ status: 200 as const, body });

export function roomserverImpl(ctx: RoomserverContext, inputter: Inputter): RoomserverApi {
  const joins = new KeyedQueues();
  return {
    inputRoomEvents: async ({ body }) => {
      if (body.async) {
        await inputter.inputAsync(body.events);
        return ok({ results: [] });
      }
      return ok({ results: await inputter.inputSync(body.events) });
    },
    queryLatestEventsAndState: async ({ body }) => ok(await queryLatestEventsAndState(ctx, body.roomId, body.stateToFetch)),
    queryStateAfterEvents: async ({ body }) => ok(await queryStateAfterEvents(ctx, body.roomId, body.prevEventIds, body.stateToFetch, body.withReplaced)),
    queryEventsById: async ({ body }) => ok(await queryEventsById(ctx, body.eventIds)),
    queryCurrentState: async ({ body }) => ok(await queryCurrentState(ctx, body.roomId, body.stateTuples, body.withReplaced)),
    queryMembership: async ({ body }) => ok(await queryMembership(ctx, body.roomId, body.userId)),
    queryMembersOfRoom: async ({ body }) => ok(await queryMembersOfRoom(ctx, body.roomId, body.joinedOnly, body.atEventId)),
    queryRoomsForUser: async ({ body }) => ok(await queryRoomsForUser(ctx, body.userId, body.membership)),
    setRoomAlias: async ({ body }) => ok(await setAlias(ctx, body.alias, body.roomId, body.userId)),
    removeRoomAlias: async ({ body }) => ok(await removeAlias(ctx, inputter, body.alias, body.userId)),
    resolveRoomAlias: async ({ body }) => {
      const found = await ctx.store.resolveAlias(body.alias);
      return ok(found ? { roomId: found.roomId } : {});
    },
    queryAliasesForRoom: async ({ body }) => ok({ aliases: await ctx.store.aliasesForRoom(body.roomId) }),
    performCreateRoom: async ({ body }) => ok(await createRoom(ctx, inputter, body)),
    // One join at a time per user: a join that changes nothing is a no-op, and two at once would
    // each find the user not yet joined and both make an event.
    performJoin: async ({ body }) => ok(await joins.run(body.userId, () => join(ctx, inputter, body.userId, body.roomIdOrAlias, body.content))),
    performKnock: async ({ body }) => ok(await knock(ctx, inputter, body.userId, body.roomIdOrAlias, body.reason, body.content)),
    performLeave: async ({ body }) => ok({ eventId: await leave(ctx, inputter, body.userId, body.roomId, body.reason) }),
    performInvite: async ({ body }) =>
      ok({ eventId: await invite(ctx, inputter, body.sender, body.roomId, body.invitee, { reason: body.reason, isDirect: body.isDirect, inviteeProfile: body.inviteeProfile }) }),
    performKick: async ({ body }) => ok({ eventId: await changeMembership(ctx, inputter, "kick", body) }),
    performBan: async ({ body }) => ok({ eventId: await changeMembership(ctx, inputter, "ban", body) }),
    performUnban: async ({ body }) => ok({ eventId: await changeMembership(ctx, inputter, "unban", body) }),
    performForget: async ({ body }) => {
      await forget(ctx, body.userId, body.roomId);
      return ok({});
    },
    performSendEvent: async ({ body }) => {
      const spec = {
        sender: body.sender,
        type: body.type,
        content: body.content,
        ...(body.stateKey !== undefined ? { stateKey: body.stateKey } : {}),
        ...(body.redacts !== undefined ? { redacts: body.redacts } : {}),
      };
      const extra = body.transactionId ? { transactionId: body.transactionId } : {};
      return ok({ eventId: await sendEvent(ctx, inputter, body.roomId, spec, extra) });
    },
    queryVisibleEvents: async ({ body }) =>
      ok(await queryVisibleEvents(ctx, body.eventIds, "userId" in body ? { userId: body.userId } : { serverName: body.serverName })),
    queryRedactionsOf: async ({ body }) => ok(await queryRedactionsOf(ctx, body.eventId)),
    performPublish: async ({ body }) => {
      await publish(ctx, body.roomId, body.visibility, body.userId);
      return ok({});
    },
    queryPublicRooms: async ({ body }) => ok(await queryPublicRooms(ctx, body)),
    queryRoomSummary: async ({ body }) => ok(await queryRoomSummary(ctx, body.roomId)),
    querySearchUserDirectory: async ({ body }) => ok(await querySearchUserDirectory(ctx, body)),
    queryPublishedRooms: async ({ body }) => {
      if (body.roomId !== undefined) return ok({ roomIds: (await ctx.store.isPublished(body.roomId)) ? [body.roomId] : [] });
      return ok({ roomIds: await ctx.store.publishedRoomIds() });
    },
    performUpgradeRoom: async ({ body }) => ok(await upgradeRoom(ctx, inputter, body)),
    performPurgeRoom: async ({ body }) => {
      await purgeRoom(ctx, inputter, body.roomId);
      return ok({});
    },
    queryJoinedHosts: async ({ body }) => ok(await queryJoinedHosts(ctx, body.roomId)),
    queryAuthChain: async ({ body }) => ok(await queryAuthChain(ctx, body.eventIds)),
    queryBackfill: async ({ body }) => ok(await queryBackfill(ctx, body.roomId, body.fromEventIds, body.limit)),
    queryMissingEvents: async ({ body }) =>
      ok(await queryMissingEvents(ctx, body.roomId, body.earliestEventIds, body.latestEventIds, body.limit, body.minDepth)),
  };
}

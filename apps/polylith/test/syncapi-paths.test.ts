import { describe, expect, it } from "vitest";
import { SYNCAPI_PATHS } from "../src/components/syncapi";

describe("the front proxy's syncapi paths", () => {
  it.each([
    "/_matrix/client/v3/sync",
    "/_matrix/client/r0/sync",
    "/_matrix/client/v3/search",
    "/_matrix/client/r0/search",
    "/_matrix/client/v3/keys/changes",
    "/_matrix/client/v3/user/%40alice%3Ahs/filter",
    "/_matrix/client/v3/user/%40alice%3Ahs/filter/12",
    "/_matrix/client/v3/rooms/!abc%3Ahs/messages",
    "/_matrix/client/v3/rooms/!abc/members",
    "/_matrix/client/v3/rooms/!abc/event/$ev",
    "/_matrix/client/v3/rooms/!abc/context/$ev",
    "/_matrix/client/v1/rooms/!abc/threads",
    "/_matrix/client/v1/rooms/!abc/timestamp_to_event",
    "/_matrix/client/v1/rooms/!abc/relations/$ev",
    "/_matrix/client/v1/rooms/!abc/relations/$ev/m.thread",
    "/_matrix/client/v1/rooms/!abc/relations/$ev/m.annotation/m.reaction",
  ])("%s → syncapi", (path) => expect(SYNCAPI_PATHS.test(path)).toBe(true));

  it.each([
    "/_matrix/client/v3/rooms/!abc/send/m.room.message/1",
    "/_matrix/client/v3/rooms/!abc/joined_members",
    "/_matrix/client/v3/rooms/!abc/state",
    "/_matrix/client/v3/user/%40a%3Ahs/account_data/x",
    "/_matrix/client/v3/sync/extra",
    "/_matrix/client/v3/search/extra",
    "/_matrix/client/v1/media/config",
    "/_matrix/client/v3/keys/query",
    "/_matrix/client/v3/keys/upload",
  ])("%s → clientapi", (path) => expect(SYNCAPI_PATHS.test(path)).toBe(false));
});

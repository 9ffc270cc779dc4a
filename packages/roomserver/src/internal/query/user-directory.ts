/**
 * POST /user_directory/search's roomserver half: which users a searcher may find and how they are
 * named, from the rooms' memberships (the roomserver holds who is in which room and which rooms
 * are public). clientapi adds what only userapi knows (accounts).
 */
import type { DirectoryUser } from "../../api";
import type { RoomserverContext } from "../context";
import { MAX_SEARCH_WORDS, searchWords } from "../search-words";

export interface UserDirectoryRequest {
  userId: string;
  searchTerm: string;
  limit: number;
  searchAllUsers: boolean;
}

export async function querySearchUserDirectory(ctx: RoomserverContext, req: UserDirectoryRequest): Promise<{ users: DirectoryUser[]; limited: boolean }> {
  const words = searchWords(req.searchTerm).slice(0, MAX_SEARCH_WORDS);
  // One more than asked: whether there were more is part of the answer.
  const hits = await ctx.store.searchUserDirectory({ searcher: req.userId, words, limit: req.limit + 1, allRooms: req.searchAllUsers });
  const users = hits.slice(0, req.limit).map((h) => ({
    userId: h.userId,
    ...(h.displayName !== null ? { displayName: h.displayName } : {}),
    ...(h.avatarUrl !== null ? { avatarUrl: h.avatarUrl } : {}),
  }));
  return { users, limited: hits.length > req.limit };
}

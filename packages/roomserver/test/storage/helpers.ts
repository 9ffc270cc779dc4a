import { applyMigrations, openTestDatabase, type Database } from "@dendrite-ts/runtime";
import { createRoomserverStore, ROOMSERVER_SCHEMA, roomserverMigrations, type RoomserverStore } from "../../src/storage";

export interface TestStore {
  db: Database;
  store: RoomserverStore;
}

/** A fresh database with the roomserver schema applied. */
export async function openTestStore(): Promise<TestStore> {
  const db = await openTestDatabase();
  await applyMigrations(db, ROOMSERVER_SCHEMA, roomserverMigrations);
  return { db, store: createRoomserverStore(db) };
}

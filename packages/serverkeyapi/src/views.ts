/**
 * Role views of the serverkeyapi client (what each caller uses, and what a test fake implements).
 */
import type { ContractClient } from "@dendrite-ts/runtime";
import type { ServerKeyContract } from "./api";

/** The whole client, in-process (`localClient`) or remote (`httpClient`). */
export type ServerKeyClient = ContractClient<ServerKeyContract>;

/** What federationapi, federationsender and roomserver call: keys and signature checks. */
export type KeyRing = Pick<ServerKeyClient, "queryPublicKeys" | "verifyJson" | "verifyEvents" | "verifyRequest">;

/** HTTP clients of the internal components, at their configured internal URLs (polylith). */
import { eduserverContract } from "@dendrite-ts/eduserver";
import { keyserverContract } from "@dendrite-ts/keyserver";
import { roomserverContract } from "@dendrite-ts/roomserver";
import { httpClient, type DendriteConfig } from "@dendrite-ts/runtime";
import { userapiContract } from "@dendrite-ts/userapi";
import { internalUrl } from "./addresses";

export const roomserverClient = (config: DendriteConfig) => httpClient(roomserverContract, internalUrl(config, "roomserver"));
export const eduserverClient = (config: DendriteConfig) => httpClient(eduserverContract, internalUrl(config, "eduserver"));
export const keyserverClient = (config: DendriteConfig) => httpClient(keyserverContract, internalUrl(config, "keyserver"));
export const userapiClient = (config: DendriteConfig) => httpClient(userapiContract, internalUrl(config, "userapi"));

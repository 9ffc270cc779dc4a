export { localClient } from "./local-client";
export { httpClient, type HttpClientOptions } from "./http-client";
export { mountContract, type MountOptions } from "./mount";
export { validationError, validateRequest } from "./validation";
export type { ContractClient, ContractImpl, RouteImpl } from "./types";

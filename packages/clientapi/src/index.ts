// The public face of @dendrite-ts/clientapi: named exports only.
export { SUPPORTED_SPEC_VERSIONS, registerVersionsRoute } from "./routing/versions";

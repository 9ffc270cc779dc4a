// The authorization rules: public surface of src/auth.
export { checkEventAuth, checkEventAuthWithRules, authorize } from "./check";
export type { AuthResult } from "./check";
export type { AuthCheckOptions } from "./context";
export { AUTH_RULES, NotAllowed, isNotAllowed } from "./not-allowed";
export type { AuthRule } from "./not-allowed";
export { authEventStateKeys } from "./select-auth-events";
export type { StateKeyPair } from "./select-auth-events";
export {
  CREATOR_DEFAULT_POWER_LEVEL,
  POWER_LEVEL_DEFAULTS,
  namedPowerLevel,
  parsePowerLevel,
  requiredPowerLevelForEvent,
  roomCreators,
  userPowerLevel,
} from "./power-levels";
export type { NamedPowerLevel, PowerLevelRules } from "./power-levels";
export { verifySignedBlock } from "./third-party-invite";

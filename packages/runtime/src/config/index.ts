export { loadConfig, deepMerge, type LoadConfigOptions, type DeepPartial } from "./load";
export { defaultConfigYaml, type DefaultConfigOptions } from "./default-yaml";
export { ConfigError, type ConfigProblem } from "./errors";
export { parseDuration, durationSchema } from "./duration";
export {
  configSchema,
  COMPONENT_NAMES,
  COMPONENT_OPTIONS,
  DEFAULT_DENY_NETWORKS,
  type ComponentName,
  type ComponentConfig,
  type DendriteConfig,
  type DendriteConfigInput,
} from "./schema";

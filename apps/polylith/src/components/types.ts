import type { ComponentName, DendriteConfig, Logger, Metrics } from "@dendrite-ts/runtime";
import type { Route } from "../front-proxy";

export interface ComponentContext {
  readonly config: DendriteConfig;
  /** Directory relative paths in the config are resolved against. */
  readonly baseDir: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface RunningComponent {
  close(): Promise<void>;
}

/** How the polylith runs one component as a process, and which public paths it answers. */
export interface ComponentEntry {
  readonly name: ComponentName;
  run(ctx: ComponentContext): Promise<RunningComponent>;
  /** Public path prefixes this process serves, and its base URL for them (for the front proxy). */
  publicRoutes(config: DendriteConfig): Route[];
}

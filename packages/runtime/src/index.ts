export {};
export {
  openDatabase,
  connect as connectPostgres,
  observeQueries,
  type Database,
  type DatabaseTarget,
  type DatabaseOptions,
  type Sql,
} from "./database/database.js";
export { applyMigrations, type Migration, type MigrationResult } from "./database/migrations.js";
export { commitWithoutWaiting } from "./database/commit-without-waiting.js";
export { listenReliably, type Listener, type ListenerOptions } from "./database/listener.js";
export {
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type EmbeddedPostgresHandle,
} from "./database/embedded-postgres.js";
export { openTestDatabase, testServices, type TestServices } from "./database/test-database.js";
// Logging, metrics, HTTP server and contract adapters.
export { createLogger, componentLogger, type Logger, type LoggingOptions, type LogLevel } from "./logging.js";
export { startStreamLagReporter, type StreamLagReporter } from "./stream-lag.js";
export {
  createMetrics,
  recordStreamLag,
  recordDbPool,
  type Metrics,
  type CreateMetricsOptions,
} from "./metrics.js";
export {
  createHttpServer,
  listen,
  closeServer,
  parseListenAddress,
  CORS_HEADERS,
  type HttpServer,
  type CreateHttpServerOptions,
} from "./http/server.js";
export { mapError } from "./http/errors.js";
export {
  localClient,
  httpClient,
  mountContract,
  validationError,
  type ContractClient,
  type ContractImpl,
  type RouteImpl,
  type HttpClientOptions,
  type MountOptions,
} from "./contracts/index.js";
export {
  loadConfig,
  defaultConfigYaml,
  ConfigError,
  parseDuration,
  configSchema,
  COMPONENT_NAMES,
  DEFAULT_DENY_NETWORKS,
  type LoadConfigOptions,
  type DeepPartial,
  type DefaultConfigOptions,
  type ConfigProblem,
  type ComponentName,
  type ComponentConfig,
  type DendriteConfig,
  type DendriteConfigInput,
} from "./config/index.js";
export type {
  Streams,
  StreamDefinition,
  StreamMessage,
  MessageHandler,
  PublishOptions,
  PublishAck,
  ConsumerOptions,
  ConsumeOptions,
  Subscription,
} from "./streams/types.js";
export { createEmbeddedStreams, type EmbeddedStreamsOptions } from "./streams/embedded.js";
export { createJetStreamStreams, type JetStreamStreamsOptions } from "./streams/jetstream.js";
export {
  createOutboxPublisher,
  type OutboxDrainQueries,
  type OutboxPublisher,
  type OutboxPublisherOptions,
  type OutboxPublishFn,
} from "./streams/outbox-publisher.js";
export { outboxQueries, outboxTable, type OutboxRow, type OutboxTable } from "./streams/outbox-table.js";
// What apps do first with a config: open the database and the streams it names.
export { configPath, databaseTarget, openConfiguredDatabase, openConfiguredStreams } from "./boot/open-from-config.js";
export { accessTokenOf, requireAccessToken, type RequestLike } from "./http/access-token.js";
export { queryString } from "./http/query-param.js";
export { KeyedQueues } from "./keyed-queues.js";
// Which addresses outbound requests (federation, URL previews) may connect to.
export {
  cidrContains,
  createNetworkPolicy,
  embeddedIpv4,
  NetworkSyntaxError,
  parseCidr,
  parseIp,
  type Cidr,
  type IpAddress,
  type NetworkPolicy,
  type NetworkPolicyOptions,
  type NetworkVerdict,
} from "./http/networks.js";

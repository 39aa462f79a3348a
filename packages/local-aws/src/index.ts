export {
  createTableInput,
  ensureTables,
  type KeyAttributeLike,
  type LocalEndpoint,
  type StartDynaliteOptions,
  startDynalite,
  type TableDeclarationLike,
} from './dynamodb';
export {
  type ArchivedEvent,
  type LocalEventBridge,
  type StartLocalEventBridgeOptions,
  startLocalEventBridge,
} from './eventbridge';
export { type ListeningServer, listenLocally } from './listen';
export {
  type EnsuredQueue,
  ensureQueues,
  ensureSecrets,
  type QueueDeclarationLike,
  type SecretSpec,
} from './resources';
export {
  type LocalSecretsManager,
  type StartLocalSecretsManagerOptions,
  startLocalSecretsManager,
} from './secrets-manager';
export { type LocalSqs, type StartLocalSqsOptions, startLocalSqs } from './sqs';

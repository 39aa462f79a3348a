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
  ensureBuckets,
  ensureQueues,
  ensureSecrets,
  type QueueDeclarationLike,
  type SecretSpec,
} from './resources';
export {
  type LocalS3,
  type ObjectCreatedListener,
  type S3ObjectCreatedEvent,
  type S3ObjectCreatedRecord,
  type StartLocalS3Options,
  s3EventKeyOf,
  startLocalS3,
} from './s3';
export {
  type LocalSecretsManager,
  type StartLocalSecretsManagerOptions,
  startLocalSecretsManager,
} from './secrets-manager';
export { type LocalSqs, type StartLocalSqsOptions, startLocalSqs } from './sqs';

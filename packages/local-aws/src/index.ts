export {
  createTableInput,
  ensureTables,
  type KeyAttributeLike,
  type LocalEndpoint,
  type StartDynaliteOptions,
  startDynalite,
  type TableDeclarationLike,
} from './dynamodb';
export { type ListeningServer, listenLocally } from './listen';
export {
  type LocalSecretsManager,
  type StartLocalSecretsManagerOptions,
  startLocalSecretsManager,
} from './secrets-manager';

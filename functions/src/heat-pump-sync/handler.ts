import { createSyncDeps, makeSyncHandler } from './app';
import { loadSyncConfig } from './config';

export const handler = makeSyncHandler(createSyncDeps(loadSyncConfig(process.env)));

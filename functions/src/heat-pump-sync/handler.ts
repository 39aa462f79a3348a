import { loadSyncConfig } from '../config';
import { createSyncDeps, makeSyncHandler } from './app';

export const handler = makeSyncHandler(createSyncDeps(loadSyncConfig(process.env)));

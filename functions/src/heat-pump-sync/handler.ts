import { loadSyncConfig } from '../config';
import { createSyncDeps, makeSyncHandler } from './make-handler';

export const handler = makeSyncHandler(createSyncDeps(loadSyncConfig(process.env)));

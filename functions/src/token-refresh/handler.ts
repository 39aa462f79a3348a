import { loadTokenRefreshConfig } from '../config';
import { makeTokenRefreshHandler } from '../tokens/refresh';
import { createTokenRefreshDeps } from './deps';

export const handler = makeTokenRefreshHandler(createTokenRefreshDeps(loadTokenRefreshConfig(process.env)));

import { loadTokenRefreshConfig } from '../shared/config';
import { makeTokenRefreshHandler } from './app';
import { createTokenRefreshDeps } from './deps';

export const handler = makeTokenRefreshHandler(createTokenRefreshDeps(loadTokenRefreshConfig(process.env)));

import { loadTokenRefreshConfig } from '../config';
import { makeTokenRefreshHandler } from './app';
import { createTokenRefreshDeps } from './deps';

export const handler = makeTokenRefreshHandler(createTokenRefreshDeps(loadTokenRefreshConfig(process.env)));

import { loadApiConfig } from '../config';
import { makeApiHandler } from './app';
import { createApiDeps } from './deps';

export const handler = makeApiHandler(createApiDeps(loadApiConfig(process.env)));

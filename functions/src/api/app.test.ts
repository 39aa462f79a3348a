import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../test-support/api-event';
import { testApiConfig } from '../../test-support/config';
import { routeDeclarations } from '../declarations';
import { createRecordingMetrics } from '../platform/observability';
import { makeApiHandler } from './app';
import { createApiDeps } from './deps';
import { openApiText } from './openapi';

const silent = new Logger({ serviceName: 'api', logLevel: 'SILENT' });
// No Podero, no AWS: these tests stop before either would be called.
const handler = makeApiHandler(
  createApiDeps(testApiConfig(), {
    logger: silent,
    metrics: createRecordingMetrics(),
    refresher: { forceRefresh: () => Promise.reject(new Error('unused')) },
    tokenSource: { read: async () => undefined },
  }),
);

describe('API dispatch', () => {
  it('answers GET /health without a token', async () => {
    const res = await handler(apiEvent('getHealth', { claims: null }));
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toEqual({ status: 'ok', version: '1.2.3-test' });
    expect(res.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers?.['x-request-id']).toBeTruthy();
  });

  it('serves the OpenAPI document equal to the committed functions/openapi.json', async () => {
    const res = await handler(apiEvent('getOpenApi', { claims: null }));
    expect(res.statusCode).toBe(200);
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(openApiText());
    expect(bodyOf(res)).toEqual(JSON.parse(committed));
  });

  it('generates an OpenAPI 3.1 document whose every $ref resolves and which covers every declared api route', () => {
    const doc = JSON.parse(openApiText()) as Record<string, unknown>;
    expect(doc.openapi).toBe('3.1.0');
    const refs = [...openApiText().matchAll(/"\$ref": "([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) {
      expect(ref.startsWith('#/')).toBe(true);
      let node: unknown = doc;
      for (const part of ref.slice(2).split('/'))
        node = (node as Record<string, unknown> | undefined)?.[part];
      expect(node, ref).toBeTypeOf('object');
    }
    const paths = doc.paths as Record<string, Record<string, { operationId: string }>>;
    const operationIds = Object.values(paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(operationIds.sort()).toEqual(
      routeDeclarations
        .filter((r) => r.function === 'api')
        .map((r) => r.operationId)
        .sort(),
    );
  });

  it('returns 404 route_not_found for an undeclared route key', async () => {
    const res = await handler({ ...apiEvent('getHealth'), routeKey: 'GET /nope' });
    expect(res.statusCode).toBe(404);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'route_not_found' } });
  });

  it('returns 401 on a protected route without claims, 403 for another user, 403 for non-admin delete', async () => {
    const noClaims = await handler(apiEvent('getUser', { params: { external_user_id: 'u1' }, claims: null }));
    expect(noClaims.statusCode).toBe(401);
    expect(bodyOf(noClaims)).toMatchObject({ error: { code: 'unauthorized' } });
    const other = await handler(
      apiEvent('getUser', { params: { external_user_id: 'u1' }, claims: userClaims('u2') }),
    );
    expect(other.statusCode).toBe(403);
    const del = await handler(
      apiEvent('deleteUser', { params: { external_user_id: 'u1' }, claims: userClaims('u1') }),
    );
    expect(del.statusCode).toBe(403);
    const scopeless = await handler(
      apiEvent('getUser', { params: { external_user_id: 'u1' }, claims: { scope: 'openid' } }),
    );
    expect(scopeless.statusCode).toBe(401);
  });

  it('returns 400 naming the path parameter for an unsafe external_user_id', async () => {
    const res = await handler(
      apiEvent('getUser', { params: { external_user_id: 'a/b' }, claims: adminClaims() }),
    );
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res)).toMatchObject({
      error: { code: 'validation_error', details: [{ field: 'path.external_user_id' }] },
    });
  });

  it('answers 500 with a request id and no internals when the event is not an API Gateway event', async () => {
    const res = await handler({ nonsense: true } as never, { awsRequestId: 'req-123' });
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res)).toEqual({
      error: { code: 'internal_error', message: 'internal error', request_id: 'req-123' },
    });
  });
});

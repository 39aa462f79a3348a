import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { adminClaims, apiEvent, bodyOf, userClaims } from '../../../test-support/api-event';
import { testApiConfig } from '../../../test-support/config';
import { CORS_ALLOW_HEADERS, routeDeclarations } from '../../declarations';
import { createRecordingMetrics } from '../../platform/observability';
import { createApiDeps } from './deps';
import { makeApiHandler } from './handler';
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
    const committed = readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8');
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
    // API Gateway's CORS preflight is described once, not as an OPTIONS operation (generated clients would
    // carry one function per path for it), with the headers infra configures.
    for (const [path, item] of Object.entries(paths))
      expect(Object.keys(item), path).not.toContain('options');
    const preflight = doc['x-cors-preflight'] as { responses: Record<string, unknown> };
    expect(JSON.stringify(preflight.responses['204'])).toContain(CORS_ALLOW_HEADERS.join(', '));
    expect(Object.keys(preflight.responses)).toEqual(['204', '404', '429']);
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

  it('answers 400 on body, not 500, for a deeply nested body, before authorization', async () => {
    const nested = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const res = await handler(apiEvent('createUser', { body: nested, claims: userClaims('u1') }));
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res)).toMatchObject({ error: { code: 'validation_error', details: [{ field: 'body' }] } });
  });

  it('answers 500 with a request id and no internals when the event is not an API Gateway event', async () => {
    const res = await handler({ nonsense: true } as never, { awsRequestId: 'req-123' });
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res)).toEqual({
      error: { code: 'internal_error', message: 'internal error', request_id: 'req-123' },
    });
  });
});

describe('free text in energy contracts and webhooks', () => {
  const user = { external_user_id: 'u1' };
  const contract = { ...user, contract_id: '0f8fad5b-d9cb-469f-a165-70867728950e' };
  const webhook = { webhook_id: 'wh_0123456789abcdef01234567' };
  const prices = [{ price: 0.2, timestamp: '2026-06-01T00:00:00Z' }];
  const newContract = { energy_contract_type: 'monthly', energy_prices: prices };
  const hooks = 'https://partner.example/hooks';
  // NUL, a right-to-left override, only white space: the one free-text rule refuses each, naming the field.
  const cases = [
    {
      operation: 'createEnergyContract',
      params: user,
      field: 'supplier',
      value: 'Wien\u0000Energie',
      what: 'NUL',
    },
    {
      operation: 'createEnergyContract',
      params: user,
      field: 'meter_id',
      value: 'AT\u202E0001',
      what: 'a bidi override',
    },
    {
      operation: 'updateEnergyContract',
      params: contract,
      field: 'supplier',
      value: '   ',
      what: 'white space only',
    },
    { operation: 'updateEnergyContract', params: contract, field: 'meter_id', value: '\u0000', what: 'NUL' },
    { operation: 'createWebhook', params: {}, field: 'description', value: 'ops\u0000', what: 'NUL' },
    { operation: 'createWebhook', params: {}, field: 'description', value: ' \t ', what: 'white space only' },
    {
      operation: 'updateWebhook',
      params: webhook,
      field: 'description',
      value: 'billing \u202Eexe.',
      what: 'a bidi override',
    },
  ] as const;
  const baseBodies = {
    createEnergyContract: newContract,
    updateEnergyContract: {},
    createWebhook: { url: hooks },
    updateWebhook: {},
  };

  it.each(cases)(
    '$operation refuses $what in body.$field with 400 naming the field',
    async ({ operation, params, field, value }) => {
      const body = { ...baseBodies[operation], [field]: value };
      const res = await handler(apiEvent(operation, { params, body }));
      expect(res.statusCode).toBe(400);
      const { error } = bodyOf<{ error: { code: string; details: { field: string }[] } }>(res);
      expect(error.code).toBe('validation_error');
      expect(error.details.length).toBeGreaterThan(0);
      expect(new Set(error.details.map((detail) => detail.field))).toEqual(new Set([`body.${field}`]));
    },
  );
});

describe('log context', () => {
  it('every request line carries cold_start (first invocation only), function_name, function_request_id and the trace id', async () => {
    const lines: Record<string, unknown>[] = [];
    const capturing = new Logger({ serviceName: 'api', logLevel: 'INFO' });
    const spy = (chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(spy);
    const previousTrace = process.env._X_AMZN_TRACE_ID;
    process.env._X_AMZN_TRACE_ID =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      const logged = makeApiHandler(
        createApiDeps(testApiConfig(), {
          logger: capturing,
          metrics: createRecordingMetrics(),
          refresher: { forceRefresh: () => Promise.reject(new Error('unused')) },
          tokenSource: { read: async () => undefined },
        }),
      );
      const context = {
        awsRequestId: 'lambda-req-1',
        functionName: 'PoderoBridge-dev-Api',
        getRemainingTimeInMillis: () => 29_000,
      };
      await logged(apiEvent('getHealth', { claims: null }), context);
      await logged(apiEvent('getHealth', { claims: null }), { ...context, awsRequestId: 'lambda-req-2' });
    } finally {
      out.mockRestore();
      if (previousTrace === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = previousTrace;
    }
    const requests = lines.filter((l) => l.message === 'request');
    expect(requests.map((l) => [l.cold_start, l.function_request_id])).toEqual([
      [true, 'lambda-req-1'],
      [false, 'lambda-req-2'],
    ]);
    for (const line of requests) {
      expect(line).toMatchObject({
        function_name: 'PoderoBridge-dev-Api',
        xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      });
    }
  });
});

import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Caller } from './auth';
import { authorize, callerFromClaims } from './auth';
import { ApiError } from './http';
import {
  findDuplicateKey,
  MAX_BODY_BYTES,
  MAX_JSON_DEPTH,
  parseJsonBody,
  rawBody,
  requireJsonContentType,
  validate,
} from './request';

/** The ApiError `fn` throws; every refusal says what is wrong, in its message and in each detail. */
const apiErrorOf = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.message.length).toBeGreaterThan(5);
    for (const detail of error.details ?? []) {
      expect(detail.field.length).toBeGreaterThan(0);
      expect(detail.message.length).toBeGreaterThan(0);
    }
    return error;
  }
  throw new Error('expected an ApiError');
};

describe('findDuplicateKey', () => {
  it.each([
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1,"b":2}}', 'b'],
    ['[{"a":1},{"a":2}]', undefined], // same key in sibling objects is fine
    ['{"a":[{"x":1}],"b":{"x":2}}', undefined],
    ['{"a\\u0062":1,"ab":2}', 'ab'], // escapes decode to the same key
    ['{"k":"a,\\"b\\":1","b":2}', undefined], // commas and quotes inside strings are not structure
    ['{"o":{},"o":[]}', 'o'],
    // An escaped quote does not end the string: the second key is a duplicate.
    ['{"a":"\\"","a":2}', 'a'],
    ['{"a":"\\\\","a":2}', 'a'], // an escaped backslash before the closing quote
    // Legitimate bodies with repeated values (not keys) are no duplicates.
    ['{"a":"a"}', undefined],
    ['["x","x"]', undefined],
    ['{"a":["a","a"],"b":"a"}', undefined],
    ['{"a":{"b":1},"b":2}', undefined], // the same name at two depths
    ['{"list":[1,2],"x":{"list":3}}', undefined],
    ['{"x":[1],"x":2}', 'x'], // an array closes before the next key
    ['"hello"', undefined], // no object at all
    ['[]', undefined],
  ])('%s -> %s', (text, expected) => {
    JSON.parse(text); // the inputs are valid JSON
    expect(findDuplicateKey(text)).toBe(expected);
  });
});

describe('parseJsonBody', () => {
  it('parses valid JSON', () => {
    expect(parseJsonBody(Buffer.from('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
  });

  it('refuses invalid UTF-8, malformed JSON and duplicate keys with 400 naming the place', () => {
    expect(apiErrorOf(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))).details).toEqual([
      { field: 'body', message: 'invalid UTF-8' },
    ]);
    const malformed = apiErrorOf(() => parseJsonBody(Buffer.from('{"a":')));
    expect(malformed.status).toBe(400);
    expect(malformed.details?.[0]?.field).toBe('body');
    expect(apiErrorOf(() => parseJsonBody(Buffer.from('{"x":{"y":1,"y":2}}'))).details).toEqual([
      { field: 'body.y', message: 'duplicate key' },
    ]);
  });
});

describe('parseJsonBody: nesting', () => {
  const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const objects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

  it('accepts arrays and objects nested exactly MAX_JSON_DEPTH levels deep', () => {
    expect(parseJsonBody(Buffer.from(arrays(MAX_JSON_DEPTH)))).toBeInstanceOf(Array);
    expect(parseJsonBody(Buffer.from(objects(MAX_JSON_DEPTH)))).toHaveProperty('a');
  });

  it.each([
    ['arrays one level too deep', arrays(MAX_JSON_DEPTH + 1)],
    ['objects one level too deep', objects(MAX_JSON_DEPTH + 1)],
    ['10,000 nested arrays (20 KB)', arrays(10_000)],
    ['10,000 nested objects', objects(10_000)],
    ['a deep array inside a wide object', `{"a":1,"b":[${arrays(10_000)}]}`],
  ])('refuses %s with 400 on body, never a RangeError', (_label, text) => {
    const error = apiErrorOf(() => parseJsonBody(Buffer.from(text)));
    expect(error.status).toBe(400);
    expect(error.details).toEqual([
      { field: 'body', message: `arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  });
});

describe('parseJsonBody: text that UTF-8 cannot carry', () => {
  it('refuses U+FFFD, what a lossy decoder leaves of invalid bytes', () => {
    const error = apiErrorOf(() => parseJsonBody(Buffer.from('{"name":"A\uFFFDB"}')));
    expect(error.details).toEqual([{ field: 'body', message: 'invalid UTF-8' }]);
  });

  it.each([
    ['{"a":"\\ud800"}', 'body.a'],
    ['{"a":{"b":["ok","\\udc00"]}}', 'body.a.b.1'],
    ['[{"x":1},{"y":"\\ud83d"}]', 'body.1.y'],
    ['{"\\ud800":1}', 'body'],
    ['{"k":{"\\udfff":true}}', 'body.k'],
  ])('refuses a lone surrogate in %s, naming %s', (text, field) => {
    const error = apiErrorOf(() => parseJsonBody(Buffer.from(text)));
    expect(error.status).toBe(400);
    expect(error.details).toEqual([{ field, message: expect.stringContaining('surrogate') }]);
  });

  it('looks at every key, not only the first, and names long keys by their first 100 characters', () => {
    const later = apiErrorOf(() => parseJsonBody(Buffer.from('{"a":"ok","b":"\\ud800"}')));
    expect(later.details?.[0]?.field).toBe('body.b');
    const key = 'k'.repeat(150);
    const long = apiErrorOf(() => parseJsonBody(Buffer.from(`{"${key}":"\\ud800"}`)));
    expect(long.details?.[0]?.field).toBe(`body.${'k'.repeat(100)}`);
    const duplicate = apiErrorOf(() => parseJsonBody(Buffer.from(`{"${key}":1,"${key}":2}`)));
    expect(duplicate.details?.[0]?.field).toBe(`body.${'k'.repeat(100)}`);
  });

  it('accepts surrogate pairs, numbers, booleans and nulls anywhere', () => {
    const text = '{"emoji":"\\ud83d\\ude00","n":1,"t":true,"z":null,"l":[null,2,"\\u00e9"],"o":{"p":{}}}';
    expect(parseJsonBody(Buffer.from(text))).toEqual({
      emoji: '😀',
      n: 1,
      t: true,
      z: null,
      l: [null, 2, 'é'],
      o: { p: {} },
    });
  });

  it('names the reason of malformed JSON, and the path parameter when the path is wrong', () => {
    const malformed = apiErrorOf(() => parseJsonBody(Buffer.from('{"a":}')));
    expect(malformed.details?.[0]?.message).toMatch(/JSON|Unexpected/);
  });
});

describe('validate', () => {
  const schema = z.strictObject({ id: z.string().min(3) });
  it('names the place and the first field in the message', () => {
    expect(apiErrorOf(() => validate('path', schema, { id: 'a' })).message).toBe(
      'invalid path parameter: path.id',
    );
    expect(apiErrorOf(() => validate('query', schema, { id: 'a' })).message).toBe('invalid query: query.id');
    expect(apiErrorOf(() => validate('body', schema, { id: 'abc', x: 1 })).details?.[0]?.field).toBe(
      'body.x',
    );
  });
});

describe('rawBody and content type', () => {
  it('decodes base64 and enforces the 64 KB limit on the decoded size', () => {
    expect(rawBody(Buffer.from('{"a":1}').toString('base64'), true)?.toString()).toBe('{"a":1}');
    expect(rawBody('', false)).toBeUndefined();
    expect(rawBody('x'.repeat(MAX_BODY_BYTES), false)?.byteLength).toBe(MAX_BODY_BYTES);
    expect(apiErrorOf(() => rawBody('x'.repeat(MAX_BODY_BYTES + 1), false)).status).toBe(413);
    // Multi-byte characters count as bytes, not characters.
    expect(apiErrorOf(() => rawBody('é'.repeat(MAX_BODY_BYTES / 2 + 1), false)).status).toBe(413);
  });

  it('accepts application/json (any parameters, +json types) and refuses others with 415', () => {
    expect(() => requireJsonContentType({ 'content-type': 'application/json; charset=utf-8' })).not.toThrow();
    expect(() => requireJsonContentType({ 'content-type': 'Application/JSON' })).not.toThrow();
    expect(() => requireJsonContentType({ 'content-type': 'application/merge-patch+json' })).not.toThrow();
    expect(() =>
      requireJsonContentType({ 'content-type': ' application/json ; charset=utf-8' }),
    ).not.toThrow();
    for (const headers of [
      {},
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      // +json only as the whole media type: not inside another, not followed by more.
      { 'content-type': 'text/application/x+json' },
      { 'content-type': 'application/x+jsonp' },
    ]) {
      const error = apiErrorOf(() => requireJsonContentType(headers));
      expect(error.status).toBe(415);
      expect(error.code).toBe('unsupported_media_type');
      expect(error.details?.[0]?.field).toBe('header.content-type');
      const given = (headers as { 'content-type'?: string })['content-type'];
      expect(error.details?.[0]?.message).toBe(given ? `unsupported: ${given}` : 'missing');
    }
    const long = `text/${'x'.repeat(300)}`;
    expect(apiErrorOf(() => requireJsonContentType({ 'content-type': long })).details?.[0]?.message).toBe(
      `unsupported: ${long.slice(0, 100)}`,
    );
  });
});

describe('callerFromClaims', () => {
  it('reads sub and a space-separated scope, recognising the admin scope', () => {
    expect(callerFromClaims({ sub: 'u1', scope: 'openid bridge/admin' })).toEqual({
      sub: 'u1',
      scopes: ['openid', 'bridge/admin'],
      role: 'admin',
    });
    expect(callerFromClaims({ sub: 'u1', scope: 'openid' })?.role).toBeUndefined();
  });

  it('tolerates the array form (API Gateway flattens it; other callers may pass it as is)', () => {
    expect(callerFromClaims({ sub: 'svc', scope: ['bridge/admin'] })?.role).toBe('admin');
    expect(callerFromClaims({ sub: 'svc', scp: ['other', 'bridge/admin'] })?.role).toBe('admin');
  });

  it('does not mistake a similar scope for the admin scope', () => {
    expect(callerFromClaims({ sub: 'u1', scope: 'bridge/admins bridge/admin-read' })?.role).toBeUndefined();
  });

  // Scope names an identity provider may issue (Cognito allows `,` `[` `]` in custom scope names):
  // each is one scope token, and none of them is the admin scope.
  it.each([
    'bridge/user,bridge/admin',
    '[bridge/admin]',
    '[bridge/admin',
    'bridge/admin]',
    'bridge/admin,',
    ',bridge/admin',
    'bridge/user;bridge/admin',
    'bridge/admin\tbridge/user',
    'bridge/admin\nx',
    'BRIDGE/ADMIN',
    ' bridge/admin/ ',
    'https://bridge/admin',
  ])('the scope claim %j does not make the caller an admin', (scope) => {
    const caller = callerFromClaims({ sub: 'u1', scope });
    expect(caller?.role).toBeUndefined();
    expect(caller?.scopes).not.toContain('bridge/admin');
  });

  it('splits an scp string on spaces like scope, and keeps no empty scope', () => {
    expect(callerFromClaims({ sub: 'svc', scp: 'bridge/admin' })?.role).toBe('admin');
    expect(callerFromClaims({ sub: 'svc', scp: '[x bridge/admin' })?.role).toBe('admin');
    expect(callerFromClaims({ sub: 'svc', scp: 'xbridge/admin]' })?.role).toBeUndefined();
    expect(callerFromClaims({ sub: 'svc', scp: '[bridge/adminx' })?.role).toBeUndefined();
    expect(callerFromClaims({ sub: 'u1', scope: ' openid  bridge/admin ' })?.scopes).toEqual([
      'openid',
      'bridge/admin',
    ]);
    expect(callerFromClaims({ sub: 'u1' })?.scopes).toEqual([]);
  });

  it('finds the admin scope as one space-separated token among others', () => {
    expect(callerFromClaims({ sub: 'u1', scope: 'openid  bridge/admin  [x]' })?.role).toBe('admin');
    expect(callerFromClaims({ sub: 'u1', scope: 'bridge/admin' })?.role).toBe('admin');
  });

  it('returns undefined for no claims, or claims with neither sub nor admin scope', () => {
    expect(callerFromClaims(undefined)).toBeUndefined();
    expect(callerFromClaims({ scope: 'openid' })).toBeUndefined();
    expect(callerFromClaims({ sub: 42 })).toBeUndefined();
  });
});

/** A token as API Gateway's identity source holds it: signature and all are API Gateway's to check. */
const bearer = (payload: Record<string, unknown>) =>
  `Bearer ${[{ alg: 'RS256', typ: 'JWT' }, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.')}.c2ln`;

describe('callerFromClaims: an array claim that API Gateway flattened, or a string that looks like one', () => {
  // The identity provider issued a string: the brackets are part of the one scope it names.
  it.each([
    ['scp', '[bridge/admin]'],
    ['scp', '[bridge/admin other]'],
    ['scp', '[other bridge/admin]'],
    ['scope', '[bridge/admin]'],
  ])('a %s string %j is not the admin scope, with or without the token at hand', (claim, value) => {
    for (const authorization of [undefined, bearer({ sub: 'svc', [claim]: value }), 'Bearer not-a-jwt']) {
      const caller = callerFromClaims({ sub: 'svc', [claim]: value }, authorization);
      expect(caller?.role).toBeUndefined();
      expect(caller?.scopes).not.toContain('bridge/admin');
    }
  });

  // The identity provider issued an array (Okta's scp), which API Gateway passes as "[a b]".
  it.each([
    ['scp', ['bridge/admin']],
    ['scp', ['bridge/admin', 'other']],
    ['scp', ['other', 'bridge/admin']],
    ['scope', ['bridge/admin']],
  ])('a %s array %j is unwrapped to its items, the admin scope among them', (claim, value) => {
    const flattened = `[${value.join(' ')}]`;
    const caller = callerFromClaims(
      { sub: 'svc', [claim]: flattened },
      bearer({ sub: 'svc', [claim]: value }),
    );
    expect(caller?.role).toBe('admin');
    expect(caller?.scopes).toEqual(value);
  });

  it('takes an array item literally, and a token item only as the array API Gateway flattened', () => {
    const spaced = ['bridge/user bridge/admin'];
    expect(
      callerFromClaims({ sub: 'svc', scp: '[bridge/user bridge/admin]' }, bearer({ scp: spaced })),
    ).toEqual({ sub: 'svc', scopes: spaced, role: undefined });
    // A token that does not render as the claim passed is not the one API Gateway verified.
    const other = bearer({ scp: ['bridge/admin', 'x'] });
    expect(callerFromClaims({ sub: 'svc', scp: '[bridge/admin]' }, other)?.role).toBeUndefined();
    expect(callerFromClaims({ sub: 'svc', scp: '[bridge/admin]' }, bearer({ scp: [1] }))?.role).toBe(
      undefined,
    );
    // Without `Bearer ` (API Gateway accepts a bare token too), and with it in any case.
    const token = bearer({ scp: ['bridge/admin'] });
    expect(callerFromClaims({ sub: 'svc', scp: '[bridge/admin]' }, token.slice(7))?.role).toBe('admin');
    expect(callerFromClaims({ sub: 'svc', scp: '[bridge/admin]' }, `bearer  ${token.slice(7)}`)?.role).toBe(
      'admin',
    );
  });
});

describe('authorize', () => {
  const admin: Caller = { sub: 'ops', scopes: ['bridge/admin'], role: 'admin' };
  const alice: Caller = { sub: 'alice', scopes: [], role: undefined };
  const status = (run: () => unknown) => {
    try {
      run();
      return 'ok';
    } catch (error) {
      return (error as { status?: number }).status;
    }
  };

  it('lets anyone in on a public route', () => {
    expect(status(() => authorize('public', undefined, undefined))).toBe('ok');
  });

  it('answers 401 without usable claims on every protected route', () => {
    expect(status(() => authorize('self-or-admin', undefined, 'alice'))).toBe(401);
    expect(status(() => authorize('admin', undefined, 'alice'))).toBe(401);
    expect(apiErrorOf(() => authorize('viewer', undefined, undefined)).code).toBe('unauthorized');
  });

  it('lets an end user reach only their own resources, and never an admin route', () => {
    expect(status(() => authorize('self-or-admin', alice, 'alice'))).toBe('ok');
    expect(status(() => authorize('self-or-admin', alice, 'bob'))).toBe(403);
    expect(status(() => authorize('self-or-admin', alice, undefined))).toBe(403);
    expect(status(() => authorize('admin', alice, 'alice'))).toBe(403);
    expect(apiErrorOf(() => authorize('self-or-admin', alice, 'bob')).code).toBe('forbidden');
  });

  it('refuses a caller without a subject on a self-or-admin route, and says why', () => {
    const nobody = { sub: undefined, scopes: [], role: undefined };
    expect(status(() => authorize('self-or-admin', nobody, undefined))).toBe(403);
    for (const [access, caller] of [
      ['self-or-admin', undefined],
      ['admin', alice],
    ] as const) {
      try {
        authorize(access, caller, 'bob');
      } catch (error) {
        expect((error as Error).message.length).toBeGreaterThan(10);
      }
    }
  });

  it('lets an admin reach every user and the admin routes', () => {
    expect(status(() => authorize('self-or-admin', admin, 'bob'))).toBe('ok');
    expect(status(() => authorize('admin', admin, 'bob'))).toBe('ok');
  });

  const support: Caller = { sub: 'agent-7', scopes: ['bridge/support'], role: 'support' };
  const viewer: Caller = { sub: 'agent-9', scopes: ['bridge/viewer'], role: 'viewer' };

  it('lets each role reach the routes of its role and of every lower one, and refuses the higher ones', () => {
    const verdicts = Object.fromEntries(
      [viewer, support, admin].map((caller) => [
        caller.role,
        (['viewer', 'support', 'admin'] as const).map((access) =>
          status(() => authorize(access, caller, 'bob')),
        ),
      ]),
    );
    expect(verdicts).toEqual({
      viewer: ['ok', 403, 403],
      support: ['ok', 'ok', 403],
      admin: ['ok', 'ok', 'ok'],
    });
  });

  it('applies the role on self-or-<role> routes to every user, and the owner path beside it', () => {
    expect(status(() => authorize('self-or-viewer', viewer, 'bob'))).toBe('ok');
    expect(status(() => authorize('self-or-support', viewer, 'bob'))).toBe(403);
    expect(status(() => authorize('self-or-support', support, 'bob'))).toBe('ok');
    expect(status(() => authorize('self-or-admin', support, 'bob'))).toBe(403);
    // The end user acts on their own account whatever the role the route names.
    expect(status(() => authorize('self-or-admin', alice, 'alice'))).toBe('ok');
    expect(status(() => authorize('self-or-viewer', alice, 'bob'))).toBe(403);
    // A role-only route has no owner path, even for the end user it is about.
    expect(status(() => authorize('viewer', alice, 'alice'))).toBe(403);
  });
});

describe('callerFromClaims with roles', () => {
  it('takes the highest role among the scopes', () => {
    expect(callerFromClaims({ sub: 'a', scope: 'bridge/viewer' })?.role).toBe('viewer');
    expect(callerFromClaims({ sub: 'a', scope: 'bridge/viewer bridge/support' })?.role).toBe('support');
    expect(callerFromClaims({ sub: 'a', scope: 'bridge/admin bridge/viewer' })?.role).toBe('admin');
    expect(callerFromClaims({ scp: ['bridge/support'] })).toEqual({
      sub: undefined,
      scopes: ['bridge/support'],
      role: 'support',
    });
  });
});

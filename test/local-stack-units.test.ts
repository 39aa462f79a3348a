import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  collectHeaders,
  createJwtAuthorizer,
  createTokenMinter,
  DEV_AUDIENCE,
  DEV_ISSUER,
  installLabelledOutput,
  loadOrCreateSigningKey,
  parseQueryString,
  readConnectForm,
  streamLog,
  withLabel,
} from '@podero-bridge/local';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

function captureStream(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

describe('labelled output', () => {
  it('prefixes every line written inside withLabel, including from awaited work, and nothing outside it', async () => {
    const { stream, text } = captureStream();
    const restore = installLabelledOutput(stream, { colour: false });
    try {
      stream.write('plain line\n');
      await withLabel('api', async () => {
        stream.write('{"level":"INFO"}\n');
        await new Promise((resolve) => setImmediate(resolve));
        stream.write('two\nlines\n');
      });
      withLabel('sync', () => stream.write('synced\n'));
      streamLog(stream)('gateway', 'GET /health -> 200');
    } finally {
      restore();
    }
    expect(text()).toBe(
      'plain line\n[api] {"level":"INFO"}\n[api] two\n[api] lines\n[sync] synced\n[gateway] GET /health -> 200\n',
    );
  });
});

describe('dev signing key file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is created once (mode 0600) and shared: a token minted by one reader passes the authorizer of another', async () => {
    const file = join(dir, 'nested', 'dev-signing-key.json');
    const [a, b] = await Promise.all([loadOrCreateSigningKey(file), loadOrCreateSigningKey(file)]);
    expect(a.kid).toBe(b.kid);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateSigningKey(file);
    const token = await createTokenMinter(a)({ sub: 'user-1', ttlSeconds: 60 });
    const verdict = await createJwtAuthorizer({
      jwks: again.jwks,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    })(`Bearer ${token}`);
    expect(verdict).toMatchObject({
      ok: true,
      claims: { sub: 'user-1', iss: DEV_ISSUER, aud: DEV_AUDIENCE },
    });
    expect(JSON.stringify(again.jwks)).not.toContain('"d"');
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('privateJwk.d');
  });

  it("mints each operator role's scope, with a subject of its own, and an end user's token with none", async () => {
    const key = await loadOrCreateSigningKey(join(dir, 'roles-key.json'));
    const authorize = createJwtAuthorizer({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE });
    const mint = createTokenMinter(key);
    const claimsOf = async (token: string) => {
      const verdict = await authorize(`Bearer ${token}`);
      if (!verdict.ok) throw new Error('refused');
      return { sub: verdict.claims.sub, scope: verdict.claims.scope };
    };
    expect(await claimsOf(await mint({ role: 'viewer' }))).toEqual({
      sub: 'local-viewer',
      scope: 'bridge/viewer bridge/user',
    });
    expect(await claimsOf(await mint({ role: 'support', sub: 'agent-7' }))).toEqual({
      sub: 'agent-7',
      scope: 'bridge/support bridge/user',
    });
    expect(await claimsOf(await mint({ admin: true }))).toEqual({
      sub: 'local-admin',
      scope: 'bridge/admin bridge/user',
    });
    expect(await claimsOf(await mint({ sub: 'user-1' }))).toEqual({ sub: 'user-1', scope: 'bridge/user' });
  });

  it('refuses a corrupt key file, naming the file and never echoing its contents', async () => {
    const file = join(dir, 'dev-signing-key.json');
    await writeFile(
      file,
      JSON.stringify({ kid: 'k', alg: 'RS256', privateJwk: { kty: 'RSA', d: 'SECRET-VALUE' } }),
    );
    const error = await loadOrCreateSigningKey(file).catch((e: unknown) => e);
    expect(String(error)).toContain(file);
    expect(String(error)).not.toContain('SECRET-VALUE');
    await writeFile(file, 'not json');
    await expect(loadOrCreateSigningKey(file)).rejects.toThrow(/not valid JSON/);
  });

  it('replaces an earlier ES256 dev key with an RSA one (API Gateway verifies RSA signatures only)', async () => {
    const file = join(dir, 'old-es256-key.json');
    await writeFile(
      file,
      JSON.stringify({
        kid: 'old',
        alg: 'ES256',
        privateJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' },
      }),
    );
    const key = await loadOrCreateSigningKey(file);
    expect(key.alg).toBe('RS256');
    expect(key.jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      alg: 'RS256',
      privateJwk: { kty: 'RSA' },
    });
  });

  it('refuses to mint a user token without a subject or with a bad lifetime', async () => {
    const mint = createTokenMinter(await loadOrCreateSigningKey(join(dir, 'k.json')));
    await expect(mint({})).rejects.toThrow(/subject/);
    await expect(mint({ sub: 'x', ttlSeconds: 0 })).rejects.toThrow(/ttlSeconds/);
    await expect(mint({ admin: true })).resolves.toMatch(/^ey/);
  });
});

describe('readConnectForm', () => {
  it('reads hidden fields and picks a model of the chosen manufacturer, as a browser user would', () => {
    const html = `<form method="post" action="/connect">
      <input type="hidden" name="onboarding_session_id" value="abc&amp;1">
      <select name="manufacturer"><option value="Nibe">Nibe</option><option value="Vaillant">Vaillant</option></select>
      <select name="model"><optgroup label="Nibe"><option value="S2125-8">S2125</option></optgroup>
      <optgroup label="Vaillant"><option value="aroTHERM">aroTHERM</option></optgroup></select>
      <input name="username"><input name="password" type="password"></form>`;
    expect(readConnectForm(html)).toEqual({
      action: '/connect',
      fields: { onboarding_session_id: 'abc&1', manufacturer: 'Nibe', model: 'S2125-8' },
    });
    expect(() => readConnectForm('<p>expired</p>')).toThrow(/no form/);
  });
});

describe('query strings and headers of the local gateway', () => {
  it('keeps names such as __proto__ and constructor as plain, own parameters', () => {
    const query = parseQueryString('__proto__=1&constructor=2&toString=3&a=4&a=5');
    expect(query).toBeDefined();
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
    expect(Object.keys(query ?? {})).toEqual(['__proto__', 'constructor', 'toString', 'a']);
    expect(Object.getOwnPropertyDescriptor(query, '__proto__')?.value).toBe('1');
    expect(query?.constructor).toBe('2');
    expect(query?.a).toBe('4,5');
    expect(JSON.parse(JSON.stringify(query))).toEqual({
      ['__proto__']: '1',
      constructor: '2',
      toString: '3',
      a: '4,5',
    });
  });

  it('joins repeated headers without reading inherited names', () => {
    const headers = collectHeaders(['Constructor', 'x', 'HasOwnProperty', 'y', '__proto__', 'z']);
    expect(Object.keys(headers)).toEqual(['constructor', 'hasownproperty', '__proto__']);
    expect(headers.constructor).toBe('x');
  });
});

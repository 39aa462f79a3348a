import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleBuildIsStale } from './build';
import { consoleSession } from './session';
import { CONSOLE_SECURITY_HEADERS, createConsoleSite } from './static-site';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'console-site-'));
  await mkdir(path.join(dir, 'dist', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>c</title>');
  await writeFile(path.join(dir, 'dist', 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'outside the build');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the console site on the local gateway', () => {
  const serve = () => createConsoleSite({ dir: path.join(dir, 'dist'), config: { stage: 'local' } });

  it('serves index.html uncached and hashed assets for good, with the security headers', async () => {
    const index = await serve()('GET', '/console/');
    expect(index).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(index?.headers['cache-control']).toBe('no-cache');
    expect(index?.headers).toMatchObject(CONSOLE_SECURITY_HEADERS);
    const asset = await serve()('GET', '/console/assets/app-1234.js');
    expect(asset?.headers['cache-control']).toContain('immutable');
    expect(asset?.body.toString()).toBe('console.log(1)');
    const head = await serve()('HEAD', '/console/assets/app-1234.js');
    expect(head?.body.length).toBe(0);
  });

  it('answers config.json from the stack, redirects /console, and leaves other paths alone', async () => {
    const config = await serve()('GET', '/console/config.json');
    expect(JSON.parse(config?.body.toString() ?? '')).toEqual({ stage: 'local' });
    expect(config?.headers['cache-control']).toBe('no-store');
    expect(await serve()('GET', '/console')).toMatchObject({
      statusCode: 301,
      headers: { location: '/console/' },
    });
    expect(await serve()('GET', '/users')).toBeUndefined();
    expect((await serve()('POST', '/console/'))?.statusCode).toBe(405);
  });

  it('never serves a file outside the build, however the path is spelt', async () => {
    for (const p of [
      '/console/../secret.txt',
      '/console/..%2fsecret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/%E0%A4%A',
    ]) {
      const answer = await serve()('GET', p);
      expect(answer?.statusCode, p).toBe(404);
      expect(answer?.body.toString()).not.toContain('outside the build');
    }
    expect((await serve()('GET', '/console/assets'))?.statusCode).toBe(404);
    expect((await serve()('GET', '/console/missing.js'))?.statusCode).toBe(404);
  });
});

describe('the local console session', () => {
  const mint = async () => 'minted-token';
  const at = () => new Date('2026-12-01T10:00:00Z');

  it('mints an admin token for a JSON POST from this origin (or with no Origin)', async () => {
    const minted: unknown[] = [];
    const recording = async (options?: unknown) => {
      minted.push(options);
      return 'minted-token';
    };
    const answer = await consoleSession(
      'POST',
      {
        'content-type': 'application/json; charset=utf-8',
        host: '127.0.0.1:3000',
        origin: 'http://127.0.0.1:3000',
      },
      recording,
      at,
    );
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({
      access_token: 'minted-token',
      expires_at: '2026-12-01T11:00:00.000Z',
    });
    expect(minted).toEqual([{ role: 'admin', ttlSeconds: 3600 }]);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect((await consoleSession('POST', { 'content-type': 'application/json' }, mint, at)).statusCode).toBe(
      200,
    );
  });

  it('mints the role the body asks for, and refuses a role that does not exist', async () => {
    const minted: unknown[] = [];
    const recording = async (options?: unknown) => {
      minted.push(options);
      return 'minted-token';
    };
    const json = { 'content-type': 'application/json', host: '127.0.0.1:3000' };
    for (const role of ['viewer', 'support', 'admin']) {
      const answer = await consoleSession('POST', json, recording, undefined, JSON.stringify({ role }));
      expect(answer.statusCode).toBe(200);
    }
    expect(minted).toEqual(['viewer', 'support', 'admin'].map((role) => ({ role, ttlSeconds: 3600 })));
    for (const body of ['{"role":"root"}', '{"role":"admin","sub":"x"}', 'not json']) {
      expect((await consoleSession('POST', json, recording, undefined, body)).statusCode).toBe(400);
    }
    expect(minted).toHaveLength(3);
  });

  // Another host or origin is refused by the gateway for all of /__local/ (test/local-stack-local-only.integ.test.ts).
  it('refuses a form post and a GET', async () => {
    const json = { 'content-type': 'application/json', host: '127.0.0.1:3000' };
    const form = { 'content-type': 'application/x-www-form-urlencoded', host: '127.0.0.1:3000' };
    expect((await consoleSession('POST', form, mint)).statusCode).toBe(415);
    expect((await consoleSession('GET', json, mint)).statusCode).toBe(405);
  });
});

describe('the console build check', () => {
  it('is stale without a build and when a source is newer than it', async () => {
    const root = path.join(dir, 'pkg');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src', 'main.tsx'), '');
    await writeFile(path.join(root, 'index.html'), '');
    await writeFile(path.join(root, 'vite.config.ts'), '');
    const build = { root, dist: path.join(root, 'dist') };
    expect(await consoleBuildIsStale(build)).toBe(true);
    await mkdir(build.dist);
    await writeFile(path.join(build.dist, 'index.html'), '');
    const past = new Date(Date.now() - 60_000);
    for (const f of ['src/main.tsx', 'index.html', 'vite.config.ts'])
      await utimes(path.join(root, f), past, past);
    expect(await consoleBuildIsStale(build)).toBe(false);
    await utimes(path.join(root, 'src', 'main.tsx'), new Date(), new Date(Date.now() + 60_000));
    expect(await consoleBuildIsStale(build)).toBe(true);
  });
});

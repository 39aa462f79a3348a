import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { generate } from 'openapi-typescript-codegen';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Clients that partners would generate from functions/openapi.json compile, and carry one function per
 * operation of the document and nothing else (API Gateway's CORS preflight is described, not an operation:
 * functions/src/lambdas/api/openapi.ts says why). Two generators of different families, both pinned here:
 * openapi-typescript (types for openapi-fetch, what this package ships) and openapi-typescript-codegen (a
 * class per tag with a static method per operation). Each output is typechecked, strict, with a few calls that
 * use the operations' parameters and answers as the document types them.
 */
const DOCUMENT = new URL('../../../functions/openapi.json', import.meta.url);
const require = createRequire(import.meta.url);

interface Operation {
  operationId: string;
}
let document: { paths: Record<string, Record<string, Operation>> };
let scratch: string;

beforeAll(async () => {
  document = JSON.parse(await readFile(DOCUMENT, 'utf8')) as typeof document;
  scratch = await mkdtemp(path.join(tmpdir(), 'bridge-generated-clients-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const operationIds = () =>
  Object.values(document.paths)
    .flatMap((item) => Object.values(item).map((operation) => operation.operationId))
    .sort();

/** Strict-mode type errors of a program made of `files` (browser and ES2022 library types), as text. */
function typeErrors(files: string[], paths: Record<string, string[]> = {}): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    paths,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.basename(d.file.fileName)}:${d.start ?? 0}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('clients generated from functions/openapi.json', () => {
  it('openapi-typescript: types for every path, no OPTIONS operation, and openapi-fetch calls typecheck', async () => {
    const generated = astToString(await openapiTS(DOCUMENT));
    expect(generated).not.toMatch(/corsPreflight/);
    expect(generated).not.toMatch(/\boptions: operations\[/);
    const dir = path.join(scratch, 'openapi-typescript');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'schema.d.ts'), generated);
    const usage = path.join(dir, 'usage.ts');
    await writeFile(
      usage,
      `import createClient from 'openapi-fetch';
import type { paths } from './schema';
const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000' });
export async function firstUser(): Promise<string | undefined> {
  const health = await api.GET('/health');
  const status: string | undefined = health.data?.status;
  const { data } = await api.GET('/users', { params: { query: { limit: 1 } } });
  return status === 'ok' ? data?.items[0]?.external_user_id : undefined;
}
// @ts-expect-error an operation the document does not describe cannot be called
void api.OPTIONS('/users');
`,
    );
    const openapiFetch = path.dirname(require.resolve('openapi-fetch'));
    expect(typeErrors([usage], { 'openapi-fetch': [path.join(openapiFetch, 'index.d.mts')] })).toEqual([]);
  }, 120_000);

  it('openapi-typescript-codegen: one static method per operation and none other, and the client typechecks', async () => {
    const dir = path.join(scratch, 'codegen');
    await generate({
      input: JSON.parse(await readFile(DOCUMENT, 'utf8')) as Record<string, unknown>,
      output: dir,
      httpClient: 'fetch',
      useOptions: true,
      useUnionTypes: true,
    });
    const services = path.join(dir, 'services');
    const sources = await Promise.all(
      (await readdir(services)).map((file) => readFile(path.join(services, file), 'utf8')),
    );
    const methods = sources.flatMap((source) =>
      [...source.matchAll(/public static (\w+)\(/g)].map((m) => m[1] ?? ''),
    );
    expect(methods.sort()).toEqual(operationIds());
    expect(sources.join('\n')).not.toMatch(/corsPreflight|method: 'OPTIONS'/);

    const usage = path.join(dir, 'usage.ts');
    await writeFile(
      usage,
      `import { HealthService, OpenAPI, UsersService } from './index';
OpenAPI.BASE = 'http://127.0.0.1:3000';
export async function firstUser(): Promise<string | undefined> {
  const health = await HealthService.getHealth();
  const users = await UsersService.listUsers({ limit: 1 });
  return health.status === 'ok' ? users.items[0]?.external_user_id : undefined;
}
`,
    );
    expect(typeErrors([path.join(dir, 'index.ts'), usage])).toEqual([]);
  }, 120_000);
});

import { readFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

describe('the generated API client types', () => {
  // The bridge CLI and the console can only call what the OpenAPI document describes: the types are generated
  // from it, and must be regenerated (`pnpm --dir packages/bridge-api-client generate`) whenever it changes.
  it('match functions/openapi.json', async () => {
    const document = new URL('../../../functions/openapi.json', import.meta.url);
    const generated = astToString(await openapiTS(document));
    const committed = await readFile(new URL('./schema.d.ts', import.meta.url), 'utf8');
    const body = (text: string) => text.slice(text.indexOf('export interface paths'));
    expect(body(committed)).toBe(body(generated));
  });
});

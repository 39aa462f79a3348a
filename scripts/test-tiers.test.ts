import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVELOPER_NODE_TESTS, developerTestFilter } from './test-tiers.mjs';

const ROOT = new URL('..', import.meta.url).pathname;

function testFilesAt(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full, { throwIfNoEntry: false })) return [];
  if (statSync(full).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(full, { recursive: true, encoding: 'utf8' }).filter(
    (name) => name.endsWith('.test.ts') && !name.includes('node_modules'),
  );
}

describe('the tests of what runs on the developer’s Node', () => {
  it('name files and folders that exist, each holding at least one test file', () => {
    for (const glob of DEVELOPER_NODE_TESTS) {
      expect(testFilesAt(developerTestFilter(glob)), glob).not.toHaveLength(0);
    }
  });

  it('are filtered by the path the glob names', () => {
    expect(developerTestFilter('test/console/**')).toBe('test/console/');
    expect(developerTestFilter('test/demo.integ.test.ts')).toBe('test/demo.integ.test.ts');
  });
});

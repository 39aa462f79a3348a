import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEVELOPER_NODE_TESTS, integGlobs, shareOf } from './test-tiers.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const ALL = readdirSync(ROOT, { recursive: true, encoding: 'utf8' }).filter(
  (name) => name.endsWith('.test.ts') && !name.includes('node_modules'),
);
const matches = (glob: string, file: string) => file === glob || globMatches(glob, file);
function globMatches(glob: string, file: string): boolean {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\//g, '(?:.*/)?')
    .replace(/\*/g, '[^/]*');
  return new RegExp(`^${pattern}$`).test(file);
}

describe('the tests of what runs on the developer’s Node', () => {
  it('each name at least one test file that exists', () => {
    for (const glob of DEVELOPER_NODE_TESTS) {
      expect(
        ALL.filter((file) => matches(glob, file)),
        glob,
      ).not.toHaveLength(0);
    }
  });

  it('are excluded from the Lambda-Node share and are the whole developer-Node share, in each tier', () => {
    const tier = { include: ['test/**/*.test.ts'], exclude: ['**/node_modules/**'] };
    const lambda = shareOf('lambda-node', { ...tier, integ: false });
    expect(lambda.include).toEqual(tier.include);
    expect(lambda.exclude).toEqual([...tier.exclude, ...DEVELOPER_NODE_TESTS]);
    expect(shareOf('developer-node', { ...tier, integ: false }).include).toEqual(DEVELOPER_NODE_TESTS);
    expect(shareOf('developer-node', { ...tier, integ: true }).include).toEqual(
      integGlobs(DEVELOPER_NODE_TESTS),
    );
    expect(shareOf(undefined, { ...tier, integ: true })).toEqual(tier);
  });

  it('in a tier confined to a folder, are only those under it', () => {
    const synth = shareOf('developer-node', {
      include: ['infra/**/*.integ.test.ts'],
      exclude: [],
      integ: true,
      within: 'infra/',
    });
    expect(synth.include).toEqual(DEVELOPER_NODE_TESTS.filter((glob) => glob.startsWith('infra/')));
    expect(synth.include).not.toHaveLength(0);
  });

  it('name the integ form of a glob without doubling an integ file', () => {
    expect(integGlobs(['test/console/**/*.test.ts', 'test/demo.integ.test.ts'])).toEqual([
      'test/console/**/*.integ.test.ts',
      'test/demo.integ.test.ts',
    ]);
  });

  it('refuse a share that does not exist, naming the variable', () => {
    expect(() => shareOf('lambda', { include: [], exclude: [], integ: false })).toThrow(/BRIDGE_TEST_SHARE/);
  });
});

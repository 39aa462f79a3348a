import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DIR, DEV_SIGNING_KEY_FILE, REPO_ROOT } from './constants';

describe('local paths', () => {
  // They once pointed one level above the clone (left from when this was packages/local-stack/src), so
  // `pnpm dev --persist` and the dev signing key wrote outside the repository.
  it('are inside this repository', () => {
    expect(existsSync(path.join(REPO_ROOT, 'pnpm-workspace.yaml'))).toBe(true);
    expect(existsSync(path.join(REPO_ROOT, 'local', 'src', 'constants.ts'))).toBe(true);
    expect(DATA_DIR).toBe(path.join(REPO_ROOT, '.data') + path.sep);
    expect(path.dirname(DEV_SIGNING_KEY_FILE)).toBe(path.join(REPO_ROOT, '.data'));
  });
});

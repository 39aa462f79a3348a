import { describe, expect, it } from 'vitest';
import { stageConfig, synthesize } from './support';
import { MASKED_ASSET_HASH, redactedTemplate } from './template-snapshot';

/**
 * What gets deployed, committed: every change to the dev or prod template is a diff in
 * infra/test/snapshots/*.template.json that the commit making it names. After a deliberate change:
 * `pnpm vitest run infra/test/template-snapshot.integ.test.ts -u`, then read the diff. CI (CI=true) never
 * writes a snapshot, so a missing or stale one fails there (and a template that changed from one synth to the
 * next, which a value depending on the time or the run would make, fails against the committed one).
 */
describe('the synthesized templates', () => {
  for (const stage of ['dev', 'prod'] as const) {
    it(`${stage}: matches the committed snapshot, asset hashes masked`, async () => {
      const { template } = synthesize(stageConfig(stage));
      const redacted = redactedTemplate(template);
      expect(redacted).toContain(MASKED_ASSET_HASH);
      expect(redacted).not.toMatch(/[0-9a-f]{64}/);
      await expect(redacted).toMatchFileSnapshot(`snapshots/${stage}.template.json`);
    }, 120_000);
  }
});

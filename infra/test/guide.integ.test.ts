import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  blockBetween,
  INVENTORY_END,
  INVENTORY_START,
  inventoryMarkdown,
  normalizedMarkdown,
  servicesIn,
  withBlock,
} from '../lib/guide';
import { IDENTITY_PROVIDER_STAGE, stageConfig, synthesize } from './support';

const README = new URL('../README.md', import.meta.url);

/**
 * The deploy guide's facts are the stack's: the inventory block is generated (guide.ts) and compared here, and
 * the cost section names a price for every service the template uses. After a change to the stack:
 * `UPDATE_GUIDE=1 pnpm vitest run infra/test/guide.integ.test.ts`, then `pnpm exec biome check --write infra/README.md`.
 */
describe('infra/README.md', () => {
  const dev = synthesize(stageConfig('dev')).template.toJSON();

  it('lists the functions, their triggers and bundle sizes, and counts the alarms and queues the stack deploys', () => {
    let readme = readFileSync(README, 'utf8');
    const generated = inventoryMarkdown(dev);
    if (process.env.UPDATE_GUIDE === '1') {
      readme = withBlock(readme, INVENTORY_START, INVENTORY_END, generated);
      writeFileSync(README, readme);
    }
    expect(normalizedMarkdown(blockBetween(readme, INVENTORY_START, INVENTORY_END))).toBe(
      normalizedMarkdown(generated),
    );
  });

  it('prices every service of the template, the identity provider included, in the cost section', () => {
    const readme = readFileSync(README, 'utf8');
    const cost = readme.slice(readme.indexOf('## Cost'), readme.indexOf('## Developing the infra'));
    const withPool = synthesize(stageConfig('prod', IDENTITY_PROVIDER_STAGE)).template.toJSON();
    const services = [...new Set([...servicesIn(dev), ...servicesIn(withPool)])];
    expect(services).toContain('Cognito');
    const priced = services.filter(
      (service) => cost.includes(`| ${service} `) || cost.includes(`| ${service}|`),
    );
    expect(services.filter((s) => !priced.includes(s))).toEqual([]);
    // The alarms it prices are the template's.
    const alarms = Object.values(dev.Resources as Record<string, { Type: string }>).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm',
    ).length;
    expect(cost).toContain(`${alarms} alarms`);
  });
});

/**
 * `pnpm lint` enforces the floors (biome.json: noRestrictedImports per folder, noImportCycles): deliberately
 * bad files, written into the folders whose rules they break, fail `biome lint`; a legal import passes.
 * Integ tier: it runs Biome's CLI (a child process).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FLOORS_PROBE_PREFIX } from '../support/floors-probe';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIOME = path.join(ROOT, 'node_modules/.bin/biome');
const written: string[] = [];

/** Writes `text` to functions/src/<folder>/<a unique name>.ts; returns its path relative to the root. */
function probe(folder: string, name: string, text: string): string {
  const file = path.join(
    'functions/src',
    folder,
    `${FLOORS_PROBE_PREFIX}${name}-${randomUUID().slice(0, 8)}.ts`,
  );
  writeFileSync(path.join(ROOT, file), text);
  written.push(file);
  return file;
}

async function lint(...files: string[]): Promise<{ ok: boolean; rules: string[]; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(BIOME, ['lint', '--max-diagnostics=50', ...files], {
      cwd: ROOT,
    });
    return { ok: true, rules: [], output: stdout + stderr };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = stdout + stderr;
    return { ok: false, rules: [...new Set(output.match(/lint\/[a-zA-Z]+\/[a-zA-Z]+/g) ?? [])], output };
  }
}

afterEach(() => {
  for (const file of written.splice(0)) rmSync(path.join(ROOT, file), { force: true });
});

const CLIMBING: [name: string, folder: string, text: string][] = [
  ['domain → storage (I/O)', 'domain/events', "export { OutboxStore } from '../../storage/outbox';\n"],
  ['domain → an AWS SDK', 'domain', "export { GetCommand } from '@aws-sdk/lib-dynamodb';\n"],
  [
    'domain → the Podero client factory',
    'domain',
    "export { createPoderoClient } from '@podero-bridge/podero-client';\n",
  ],
  ['storage → a service', 'storage', "export { UserService } from '../users/service';\n"],
  ['platform → anything above it', 'platform', "export { ENV } from '../declarations';\n"],
  ['a service → a function folder', 'sync', "export { createSyncDeps } from '../lambdas/syncWorker/deps';\n"],
  ['a service → Lambda types', 'webhooks', "export type { SQSEvent } from 'aws-lambda';\n"],
  [
    'one function folder → another',
    'lambdas/eventRelay',
    "export { makeApiHandler } from '../api/handler';\n",
  ],
  [
    'a route → another function',
    'lambdas/api/routes',
    "export { createSyncDeps } from '../../syncWorker/deps';\n",
  ],
];

/** The rules Biome reported for `file` (its diagnostics start with the file's path). */
const rulesFor = (output: string, file: string) =>
  [
    ...output.matchAll(
      new RegExp(`${file.replaceAll('.', '\\.')}:\\d+:\\d+ (lint/[a-zA-Z]+/[a-zA-Z]+)`, 'g'),
    ),
  ].map((m) => m[1]);

describe('pnpm lint enforces the floors', () => {
  // One Biome run for all the bad files (each run scans the project: seconds).
  it('fails on every import that climbs a floor, and on a circle between two files', async () => {
    const climbing = CLIMBING.map(([name, folder, text]) => ({ name, file: probe(folder, 'climb', text) }));
    const id = randomUUID().slice(0, 8);
    const a = `${FLOORS_PROBE_PREFIX}circle-a-${id}`;
    const b = `${FLOORS_PROBE_PREFIX}circle-b-${id}`;
    const circle = [`functions/src/sync/${a}.ts`, `functions/src/sync/${b}.ts`];
    writeFileSync(
      path.join(ROOT, circle[0] as string),
      `import { b } from './${b}';\nexport const a = () => b;\n`,
    );
    writeFileSync(
      path.join(ROOT, circle[1] as string),
      `import { a } from './${a}';\nexport const b = () => a;\n`,
    );
    written.push(...circle);

    const result = await lint(...climbing.map((c) => c.file), ...circle);

    expect(result.ok).toBe(false);
    for (const { name, file } of climbing) {
      expect(rulesFor(result.output, file), `${name} (${file})`).toContain('lint/style/noRestrictedImports');
    }
    for (const file of circle)
      expect(rulesFor(result.output, file)).toContain('lint/suspicious/noImportCycles');
  });

  it('passes legal imports: a service reading storage and the domain, domain reading domain, a function reading shared and a service', async () => {
    const result = await lint(
      probe(
        'devices',
        'legal',
        "export { DeviceSnapshotStore } from '../storage/device-snapshots';\nexport { isDeleted } from '../domain/devices/rules';\n",
      ),
      probe('domain/events', 'legal', "export { isDeleted } from '../devices/rules';\n"),
      probe(
        'lambdas/syncWorker',
        'legal',
        "export { parseEvent } from '../shared/parse-event';\nexport { SyncPlanner } from '../../sync/planner';\n",
      ),
    );
    expect(result.output).not.toMatch(/lint\/(style\/noRestrictedImports|suspicious\/noImportCycles)/);
    expect(result.ok, result.output).toBe(true);
  });
});

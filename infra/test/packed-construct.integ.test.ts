import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type FunctionDeclaration, functionDeclarations } from '@podero-bridge/functions/declarations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readAppVersion } from '../lib/app';
import { cdkJsonContext, stageConfig, synthesize } from './support';

const run = promisify(execFile);
const PACKAGE_DIR = path.resolve(import.meta.dirname, '..', '..', 'cdk');

/** A partner's CDK app, as short as it gets: the packed construct in a stack of its own. */
const CONSUMER_APP = `import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { PoderoBridge } from '@podero-bridge/cdk';

const props = JSON.parse(readFileSync(new URL('./bridge-props.json', import.meta.url), 'utf8'));
const app = new App();
const stack = new Stack(app, 'S');
new PoderoBridge(stack, 'Bridge', props);
app.synth();
`;

const templateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() }),
  ),
});
type Resources = z.infer<typeof templateSchema>['Resources'];

let workDir: string;
let packageFiles: string[];
let consumer: Resources;
let repository: Resources;

/** `pnpm pack` (its prepack builds dist/, its postpack removes it), extracted where a consumer's npm would put it. */
async function packInto(consumerDir: string): Promise<string[]> {
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', workDir], {
    cwd: PACKAGE_DIR,
    maxBuffer: 64 << 20,
  });
  const tarball = readdirSync(workDir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball:\n${stdout}`);
  const target = path.join(consumerDir, 'node_modules', '@podero-bridge', 'cdk');
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', path.join(workDir, tarball), '-C', target, '--strip-components=1']);
  const { stdout: listing } = await run('tar', ['-tzf', path.join(workDir, tarball)], {
    maxBuffer: 64 << 20,
  });
  return listing.split('\n').filter(Boolean);
}

/** The peers from this workspace, as a partner's own aws-cdk-lib and constructs. */
function linkPeers(consumerDir: string): void {
  const requireFromInfra = createRequire(path.join(import.meta.dirname, '..', 'package.json'));
  for (const peer of ['aws-cdk-lib', 'constructs']) {
    const dir = path.dirname(realpathSync(requireFromInfra.resolve(`${peer}/package.json`)));
    symlinkSync(dir, path.join(consumerDir, 'node_modules', peer), 'dir');
  }
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'podero-bridge-pack-'));
  const consumerDir = path.join(workDir, 'consumer');
  mkdirSync(consumerDir);
  packageFiles = await packInto(consumerDir);
  linkPeers(consumerDir);
  const { account: _account, region: _region, ...settings } = stageConfig('dev');
  writeFileSync(path.join(consumerDir, 'package.json'), '{"type":"module","private":true}\n');
  writeFileSync(path.join(consumerDir, 'app.mjs'), CONSUMER_APP);
  writeFileSync(
    path.join(consumerDir, 'bridge-props.json'),
    JSON.stringify({ ...settings, appVersion: readAppVersion() }),
  );
  const outdir = path.join(workDir, 'cdk.out');
  // As the cdk CLI runs an app: context (this repository's feature flags) in CDK_CONTEXT_JSON, output in CDK_OUTDIR.
  await run(process.execPath, ['app.mjs'], {
    cwd: consumerDir,
    env: {
      ...process.env,
      NODE_ENV: undefined,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(cdkJsonContext()),
    },
  });
  consumer = templateSchema.parse(
    JSON.parse(readFileSync(path.join(outdir, 'S.template.json'), 'utf8')),
  ).Resources;
  repository = templateSchema.parse(synthesize(stageConfig('dev')).template.toJSON()).Resources;
}, 600_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const typesById = (resources: Resources) =>
  Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
      .map(([id, r]) => [id, r.Type]),
  );

describe('the packed @podero-bridge/cdk in a minimal consumer app', () => {
  it('ships the built construct, the bootstrap-policy command, every function bundle in both tracing variants and the console; no source', () => {
    const files = new Set(packageFiles.map((f) => f.replace(/^package\//, '')));
    expect(files.has('dist/index.js')).toBe(true);
    expect(files.has('dist/bootstrap-policy.js')).toBe(true);
    expect(files.has('CHANGELOG.md')).toBe(true);
    expect(files.has('dist/console/index.html')).toBe(true);
    for (const declaration of Object.values(functionDeclarations) as FunctionDeclaration[]) {
      for (const variant of ['traced', 'untraced']) {
        expect(
          files.has(`dist/functions/${variant}/${declaration.id}/index.mjs`),
          `${variant} ${declaration.id}`,
        ).toBe(true);
      }
    }
    expect([...files].filter((f) => f.startsWith('src/') || f.endsWith('.ts'))).toEqual([]);
    const manifest = z
      .object({
        dependencies: z.record(z.string(), z.string()).optional(),
        peerDependencies: z.record(z.string(), z.string()),
      })
      .parse(
        JSON.parse(
          readFileSync(
            path.join(workDir, 'consumer', 'node_modules', '@podero-bridge', 'cdk', 'package.json'),
            'utf8',
          ),
        ),
      );
    // Nothing to install but the peers: the declarations and zod are inside dist/index.js.
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });

  it('synthesizes the resources of the repository’s own stack: same logical ids, same types', () => {
    expect(typesById(consumer)).toEqual(typesById(repository));
  });

  it('synthesizes the same stateful resources property for property, and the same functions but for their code', () => {
    for (const [id, resource] of Object.entries(repository)) {
      const theirs = consumer[id];
      if (theirs === undefined) throw new Error(`${id} missing`);
      if (
        [
          'AWS::DynamoDB::Table',
          'AWS::SQS::Queue',
          'AWS::SecretsManager::Secret',
          'AWS::Events::Archive',
        ].includes(resource.Type)
      ) {
        expect(theirs.Properties, id).toEqual(resource.Properties);
      }
      if (resource.Type === 'AWS::Lambda::Function') {
        const { Code: _ours, ...ours } = resource.Properties ?? {};
        const { Code: _theirs, ...rest } = theirs.Properties ?? {};
        expect(rest, id).toEqual(ours);
      }
    }
  });
});

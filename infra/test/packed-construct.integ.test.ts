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
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readAppVersion } from '../lib/app';
import { cdkJsonContext, stageConfig, synthesize } from './support';

const run = promisify(execFile);
const PACKAGE_DIR = path.resolve(import.meta.dirname, '..', '..', 'cdk');

/**
 * A partner's CDK app, as short as it gets: the packed construct in a stack of its own, its props a typed
 * literal (the repository's dev stage), so the typecheck below checks every field against the declarations.
 */
const consumerApp = (props: unknown) => `import { App, Stack } from 'aws-cdk-lib';
import { PoderoBridge, type PoderoBridgeProps } from '@podero-bridge/cdk';

const props: PoderoBridgeProps = ${JSON.stringify(props)};
const app = new App();
const stack = new Stack(app, 'S');
const bridge = new PoderoBridge(stack, 'Bridge', props);
const outputs: string[] = [bridge.apiUrl, bridge.eventBus.eventBusName, bridge.alarmTopic.topicArn];
if (outputs.length !== 3 || bridge.userPool !== undefined) throw new Error('unexpected bridge');
app.synth();
`;

/**
 * The same app with two mistakes a partner makes: a misspelled key and a value of the wrong type. Real
 * declarations refuse both (with `any` props, or none, tsc would pass or fail with TS7016 instead).
 */
const WRONG_PROPS_APP = `import { App, Stack } from 'aws-cdk-lib';
import { PoderoBridge } from '@podero-bridge/cdk';

new PoderoBridge(new Stack(new App(), 'S'), 'Bridge', {
  stage: 'dev',
  podero: { baseUrl: 'https://app.podero.com', orgId: '4e3f1a52-7c1b-4f3e-9d2a-5b8c6d7e8f90' },
  identityProvider: { enabled: true },
  sync: { worker: 8 },
  tracing: 'yes',
  console: { enabled: false, scopes: ['openid'], authOrigins: [], customerLinks: ${JSON.stringify({
    onboardingSuccessUrl: 'https://app.partner.example/ok',
    onboardingCancelUrl: 'https://app.partner.example/cancel',
    reauthenticationSuccessUrl: 'https://app.partner.example/ok',
    reauthenticationCancelUrl: 'https://app.partner.example/cancel',
  })} },
});
`;

/** A `cdk init` app's compiler settings: strict, Node's own module resolution, declarations checked too. */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['es2022'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  files: ['app.ts', 'wrong-props.ts'],
};

const templateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({ Type: z.string(), Properties: z.record(z.string(), z.unknown()).optional() }),
  ),
});
type Resources = z.infer<typeof templateSchema>['Resources'];

let workDir: string;
let packageFiles: string[];
let typecheck: string[];
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

/** The peers from this workspace, as a partner's own aws-cdk-lib and constructs (and Node's types). */
function linkPeers(consumerDir: string): void {
  const requireFromInfra = createRequire(path.join(import.meta.dirname, '..', 'package.json'));
  const requireFromRoot = createRequire(path.join(import.meta.dirname, '..', '..', 'package.json'));
  mkdirSync(path.join(consumerDir, 'node_modules', '@types'));
  for (const [peer, from] of [
    ['aws-cdk-lib', requireFromInfra],
    ['constructs', requireFromInfra],
    ['@types/node', requireFromRoot],
  ] as const) {
    const dir = path.dirname(realpathSync(from.resolve(`${peer}/package.json`)));
    symlinkSync(dir, path.join(consumerDir, 'node_modules', peer), 'dir');
  }
}

/** `tsc -p .` in the consumer: its diagnostics, one per line (`file(line,col): error TSxxxx: ...`). */
async function typecheckIn(consumerDir: string): Promise<string[]> {
  const tsc = createRequire(path.join(import.meta.dirname, '..', '..', 'package.json')).resolve(
    'typescript/bin/tsc',
  );
  const result = await run(process.execPath, [tsc, '-p', '.'], { cwd: consumerDir }).then(
    ({ stdout }) => stdout,
    (failed: { stdout?: string }) => failed.stdout ?? String(failed),
  );
  return result.split('\n').filter((line) => /error TS\d+/.test(line));
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'podero-bridge-pack-'));
  const consumerDir = path.join(workDir, 'consumer');
  mkdirSync(consumerDir);
  packageFiles = await packInto(consumerDir);
  linkPeers(consumerDir);
  const { account: _account, region: _region, ...settings } = stageConfig('dev');
  writeFileSync(path.join(consumerDir, 'package.json'), '{"type":"module","private":true}\n');
  writeFileSync(path.join(consumerDir, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
  const app = consumerApp({ ...settings, appVersion: readAppVersion() });
  writeFileSync(path.join(consumerDir, 'app.ts'), app);
  writeFileSync(path.join(consumerDir, 'wrong-props.ts'), WRONG_PROPS_APP);
  // tsc runs in its own process while the app synthesizes and the repository's stack does: wall time, not CPU.
  const typechecked = typecheckIn(consumerDir);
  // Run as the partner's ts-node or tsx would: the same source, its types stripped.
  writeFileSync(path.join(consumerDir, 'app.mjs'), (await transform(app, { loader: 'ts' })).code);
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
  typecheck = await typechecked;
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
    expect(files.has('dist/types/index.d.ts')).toBe(true);
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
    expect(
      [...files].filter((f) => f.startsWith('src/') || (f.endsWith('.ts') && !f.endsWith('.d.ts'))),
    ).toEqual([]);
    const manifest = z
      .object({
        dependencies: z.record(z.string(), z.string()).optional(),
        peerDependencies: z.record(z.string(), z.string()),
        types: z.string(),
        exports: z.record(z.string(), z.object({ types: z.string(), default: z.string() })),
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
    // One public entry, typed; the repository's ./internal is not published.
    expect(manifest.exports).toEqual({
      '.': { types: './dist/types/index.d.ts', default: './dist/index.js' },
    });
    expect(manifest.types).toBe('./dist/types/index.d.ts');
  });

  it('typechecks the consumer app against the packed declarations (strict, NodeNext, declarations checked), and refuses a misspelled prop and a wrongly typed one', () => {
    expect(typecheck.filter((line) => !line.startsWith('wrong-props.ts'))).toEqual([]);
    expect(typecheck).toHaveLength(2);
    expect(typecheck[0]).toMatch(
      /wrong-props\.ts\(8,\d+\): error TS2561: .*'worker' does not exist in type 'SyncSettings'/,
    );
    expect(typecheck[1]).toMatch(
      /wrong-props\.ts\(9,\d+\): error TS2322: Type 'string' is not assignable to type 'boolean/,
    );
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

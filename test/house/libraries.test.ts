/**
 * The libraries in packages/ depend on nothing of this repo but the one pair each CLI names
 * (docs/ARCHITECTURE.md, "Imports allowed"): a package that reads functions/ (as the CDK construct does) is a
 * room beside infra/, not a library. Reads package.json files only (unit tier).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const PACKAGES = path.resolve(import.meta.dirname, '../../packages');
const WORKSPACE_SCOPE = '@podero-bridge/';
/** The only workspace dependencies a library may have: each CLI on its client. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  '@podero-bridge/podero-cli': ['@podero-bridge/podero-client'],
  '@podero-bridge/bridge-cli': ['@podero-bridge/bridge-api-client'],
};

const manifestSchema = z.looseObject({
  name: z.string(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
  peerDependencies: z.record(z.string(), z.string()).optional(),
});

const manifests = readdirSync(PACKAGES).map((dir) =>
  manifestSchema.parse(JSON.parse(readFileSync(path.join(PACKAGES, dir, 'package.json'), 'utf8'))),
);

describe('the libraries in packages/', () => {
  it('are all read', () => {
    expect(manifests.map((m) => m.name)).toContain('@podero-bridge/podero-client');
  });

  it.each(manifests.map((m) => [m.name, m] as const))(
    '%s depends on no workspace package but its own client',
    (name, m) => {
      const workspace = Object.keys({
        ...m.dependencies,
        ...m.devDependencies,
        ...m.peerDependencies,
      }).filter((dep) => dep.startsWith(WORKSPACE_SCOPE));
      expect(workspace).toEqual(ALLOWED[name] ?? []);
    },
  );
});

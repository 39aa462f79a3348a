import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import { PACKAGE_ROOT } from './artifacts';

/** This package's version (semver, CHANGELOG.md): what a bridge reports when its props name no appVersion. */
export const PACKAGE_VERSION: string = z
  .object({ version: z.string().regex(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/, 'a semver version') })
  .parse(JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as unknown).version;

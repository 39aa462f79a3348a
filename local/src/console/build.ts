import { spawn } from 'node:child_process';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The console package's own directory and its build (`console/dist`). */
export interface ConsoleBuild {
  root: string;
  dist: string;
}

export function consoleBuildAt(repoRoot: string): ConsoleBuild {
  const root = path.join(repoRoot, 'console');
  return { root, dist: path.join(root, 'dist') };
}

async function newestSourceMs(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const ms = entry.isDirectory() ? await newestSourceMs(full) : (await stat(full)).mtimeMs;
    newest = Math.max(newest, ms);
  }
  return newest;
}

/** True when `dist/index.html` is missing or older than a source file, `index.html` or the Vite config. */
export async function consoleBuildIsStale(build: ConsoleBuild): Promise<boolean> {
  const built = await stat(path.join(build.dist, 'index.html')).catch(() => undefined);
  if (built === undefined) return true;
  const sources = Math.max(
    await newestSourceMs(path.join(build.root, 'src')),
    (await stat(path.join(build.root, 'index.html'))).mtimeMs,
    (await stat(path.join(build.root, 'vite.config.ts'))).mtimeMs,
  );
  return sources > built.mtimeMs;
}

/** Builds the console with its own Vite when the build is stale (a fresh clone, or edited sources). */
export async function ensureConsoleBuilt(build: ConsoleBuild, log: (message: string) => void): Promise<void> {
  if (!(await consoleBuildIsStale(build))) return;
  // The console's own Vite (its bin is not an export, its package.json is).
  const vitePackage = createRequire(path.join(build.root, 'package.json')).resolve('vite/package.json');
  const vite = path.join(path.dirname(vitePackage), 'bin', 'vite.js');
  log(`building the operator console (${path.relative(process.cwd(), build.root) || '.'})`);
  // Into a directory of its own, then renamed into place: two `pnpm dev` starting at once (parallel tests)
  // never serve a half-written build, and the one that renames second keeps the first one's.
  const staging = `${build.dist}.${process.pid}.${Date.now()}`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', staging], {
      cwd: build.root,
      stdio: ['ignore', 'inherit', 'inherit'],
      // A production build whatever NODE_ENV this process has (vitest's `test` gives development JSX).
      env: { ...process.env, NODE_ENV: 'production' },
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the console build exited with ${code}`)),
    );
  });
  try {
    await rm(build.dist, { recursive: true, force: true });
    await rename(staging, build.dist);
  } catch {
    // Another build took the place in between: it is as new as this one.
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

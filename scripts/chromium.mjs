// Debian's Chromium for the console's browser tests (playwright-core drives it; no browser download).
// Plain JavaScript so scripts/test.mjs runs it under bare Node; types in chromium.d.mts.

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_PATH_ENV = 'BRIDGE_CHROMIUM_PATH';

/**
 * What `pnpm test` does about the browser: use the one at BRIDGE_CHROMIUM_PATH (default /usr/bin/chromium);
 * install Debian's package with apt-get only when it runs as root (CI, a container); never escalate through
 * sudo on a developer's machine: it says how to install instead, and the browser tests fail naming the path.
 */
export function chromiumPlan({ env, exists, isRoot }) {
  const path = env[CHROMIUM_PATH_ENV] || DEFAULT_CHROMIUM_PATH;
  if (exists(path)) return { action: 'use', path };
  if (env[CHROMIUM_PATH_ENV]) {
    return { action: 'missing', path, message: `${CHROMIUM_PATH_ENV}=${path} does not exist` };
  }
  if (isRoot) return { action: 'install', path };
  return {
    action: 'missing',
    path,
    message: `no Chromium at ${path}: install Debian's (sudo apt-get install chromium) or point ${CHROMIUM_PATH_ENV} at a Chromium binary; the console's browser tests fail until then`,
  };
}

/** Carries out the plan: `run(label, cmd, args)` runs a command and answers whether it succeeded. */
export function ensureChromium({ env, exists, isRoot, run }) {
  const plan = chromiumPlan({ env, exists, isRoot });
  if (plan.action === 'use') return true;
  if (plan.action === 'missing') {
    console.log(`chromium: ${plan.message}`);
    return false;
  }
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  const installed =
    run('apt-get install', 'apt-get', install) ||
    (run('apt-get update', 'apt-get', ['update']) && run('apt-get install', 'apt-get', install));
  return installed && exists(plan.path);
}

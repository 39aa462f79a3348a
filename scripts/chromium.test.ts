import { describe, expect, it } from 'vitest';
import { chromiumPlan, ensureChromium } from './chromium.mjs';

type Call = { cmd: string; args: string[] };

function recordingRun(succeeds: boolean) {
  const calls: Call[] = [];
  const run = (_label: string, cmd: string, args: string[]) => {
    calls.push({ cmd, args });
    return succeeds;
  };
  return { calls, run };
}

describe('the browser for the console tests', () => {
  it('uses /usr/bin/chromium when it exists and installs nothing', () => {
    const { calls, run } = recordingRun(true);
    const ok = ensureChromium({ env: {}, exists: (p) => p === '/usr/bin/chromium', isRoot: true, run });
    expect(ok).toBe(true);
    expect(calls).toEqual([]);
  });

  it('uses the Chromium named by BRIDGE_CHROMIUM_PATH', () => {
    const plan = chromiumPlan({
      env: { BRIDGE_CHROMIUM_PATH: '/opt/chromium/chrome' },
      exists: (p) => p === '/opt/chromium/chrome',
      isRoot: false,
    });
    expect(plan).toEqual({ action: 'use', path: '/opt/chromium/chrome' });
  });

  it('never escalates through sudo when not root: it runs nothing and says how to install', () => {
    const { calls, run } = recordingRun(true);
    const ok = ensureChromium({ env: {}, exists: () => false, isRoot: false, run });
    expect(ok).toBe(false);
    expect(calls).toEqual([]);
    const plan = chromiumPlan({ env: {}, exists: () => false, isRoot: false });
    expect(plan.action).toBe('missing');
    expect(plan.action === 'missing' && plan.message).toMatch(
      /apt-get install chromium.*BRIDGE_CHROMIUM_PATH/,
    );
  });

  it('installs Debian’s chromium with apt-get as root, updating the lists when the first install fails', () => {
    const calls: Call[] = [];
    let installedAfterUpdate = false;
    const run = (_label: string, cmd: string, args: string[]) => {
      calls.push({ cmd, args });
      if (args[0] === 'update') installedAfterUpdate = true;
      return args[0] === 'update' || installedAfterUpdate;
    };
    const ok = ensureChromium({ env: {}, exists: () => installedAfterUpdate, isRoot: true, run });
    expect(ok).toBe(true);
    expect(calls.map((c) => `${c.cmd} ${c.args[0]}`)).toEqual([
      'apt-get install',
      'apt-get update',
      'apt-get install',
    ]);
    expect(calls.some((c) => c.cmd === 'sudo')).toBe(false);
  });

  it('installs nothing when BRIDGE_CHROMIUM_PATH names a missing file, even as root', () => {
    const { calls, run } = recordingRun(true);
    const ok = ensureChromium({
      env: { BRIDGE_CHROMIUM_PATH: '/nope/chrome' },
      exists: () => false,
      isRoot: true,
      run,
    });
    expect(ok).toBe(false);
    expect(calls).toEqual([]);
  });
});

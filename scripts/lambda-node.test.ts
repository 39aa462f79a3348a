import { describe, expect, it } from 'vitest';
import { ensureLambdaNode, LAMBDA_NODE_MAJOR, lambdaNodePrefix } from './lambda-node.mjs';

const ROOT = '/repo';
const CACHED = `${lambdaNodePrefix(ROOT)}/node_modules/.bin/node`;

function recordingInstall(succeeds: boolean, installed: Set<string>) {
  const calls: string[][] = [];
  const install = (args: string[]) => {
    calls.push(args);
    if (succeeds) installed.add(CACHED);
    return succeeds;
  };
  return { calls, install };
}

describe("the Lambda runtime's Node for tests and benchmarks", () => {
  it("is this process's Node when the machine runs the Lambda major, with nothing installed", () => {
    const installed = new Set<string>();
    const { calls, install } = recordingInstall(true, installed);
    const node = ensureLambdaNode(ROOT, {
      execPath: '/usr/bin/node',
      nodeVersion: `${LAMBDA_NODE_MAJOR}.3.0`,
      install,
      exists: (p) => installed.has(p),
    });
    expect(node).toBe('/usr/bin/node');
    expect(calls).toEqual([]);
  });

  it('is the cached build when the machine runs another major and .cache/ has it', () => {
    const installed = new Set([CACHED]);
    const { calls, install } = recordingInstall(true, installed);
    const node = ensureLambdaNode(ROOT, {
      execPath: '/usr/bin/node',
      nodeVersion: '20.19.0',
      install,
      exists: (p) => installed.has(p),
    });
    expect(node).toBe(CACHED);
    expect(calls).toEqual([]);
  });

  it('installs node@<major> into .cache/ from the npm registry when missing', () => {
    const installed = new Set<string>();
    const { calls, install } = recordingInstall(true, installed);
    const node = ensureLambdaNode(ROOT, {
      execPath: '/usr/bin/node',
      nodeVersion: '20.19.0',
      install,
      exists: (p) => installed.has(p),
    });
    expect(node).toBe(CACHED);
    expect(calls).toEqual([
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--prefix',
        lambdaNodePrefix(ROOT),
        `node@${LAMBDA_NODE_MAJOR}`,
      ],
    ]);
  });

  it('is null when the install fails', () => {
    const installed = new Set<string>();
    const { install } = recordingInstall(false, installed);
    expect(
      ensureLambdaNode(ROOT, {
        execPath: '/usr/bin/node',
        nodeVersion: '20.19.0',
        install,
        exists: (p) => installed.has(p),
      }),
    ).toBeNull();
  });
});

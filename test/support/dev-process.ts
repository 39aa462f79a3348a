import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DevProcess {
  apiUrl: string;
  simulatorUrl: string;
  /** dynalite's endpoint and the main table, for tests that seed stored items directly. */
  dynamoEndpoint: string;
  mainTable: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Ctrl-C (SIGINT), then its exit code; SIGKILL if it has not exited within 10 s. */
  stop(): Promise<number | null>;
  /** SIGKILL, for an afterAll that must not wait. */
  kill(): void;
}

/** `pnpm dev` as a user runs it (`node --import tsx local/src/cli/dev.ts`), on free ports, schedules off. */
export async function startDev(env: NodeJS.ProcessEnv): Promise<DevProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'local/src/cli/dev.ts'),
      ...['--api-port', '0', '--simulator-port', '0', '--dynamo-port', '0', '--secrets-port', '0'],
      ...['--no-schedules', '--log-level', 'WARN'],
    ],
    { cwd: ROOT, env: { ...env, NO_COLOR: '1' } },
  );
  let output = '';
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pnpm dev did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('Ctrl-C stops everything.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`pnpm dev exited:\n${output}`));
    });
  });
  const url = (pattern: RegExp) => {
    const found = pattern.exec(output)?.[1];
    if (found === undefined) throw new Error(`pnpm dev printed no ${pattern}:\n${output}`);
    return found;
  };
  return {
    apiUrl: url(/API gateway\s+(http:\/\/127\.0\.0\.1:\d+)/),
    simulatorUrl: url(/Podero simulator\s+(http:\/\/127\.0\.0\.1:\d+)/),
    dynamoEndpoint: url(/DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)/),
    mainTable: url(/DynamoDB\s+\S+\s+tables ([^,\s]+),/),
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await closed;
      clearTimeout(timer);
      return code;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

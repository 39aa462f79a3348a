import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import type { z } from 'zod';
import { ensureLambdaNode, LAMBDA_NODE_MAJOR } from '../../../scripts/lambda-node.mjs';

/** The repository root (children start here so that `--import tsx` and workspace packages resolve). */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * Environment for child processes: fake SDK credentials (local endpoints do not check signatures, but the
 * SDK refuses to sign without any), no Node-version warning, and nothing else inherited that could point a
 * child at a real AWS account.
 */
export function childBaseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const env: Record<string, string> = {};
  for (const name of keep) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'bench-local',
    AWS_SECRET_ACCESS_KEY: 'bench-local',
    AWS_REGION: 'eu-central-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface ChildRun<T> {
  readonly child: ChildProcess;
  /** The first IPC message, validated; rejects if the child exits or times out before sending one. */
  readonly message: Promise<T>;
  /** Resolves with the exit code once the child has exited. */
  readonly exited: Promise<number | null>;
}

export interface SpawnOptions {
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  /** The `node` binary (default this process's; `lambdaNodeRuntime()` for the Lambda runtime's). */
  readonly node?: string;
  /** Show the child's stdout/stderr on our stderr (also with BENCH_DEBUG=1); otherwise only their tails on failure. */
  readonly inheritOutput?: boolean;
}

/**
 * Spawns `node <args>` with an IPC channel and waits for one message matching `schema`. Output is kept
 * (last 4 KB) to explain a failure; a child that outlives `timeoutMs` is killed.
 */
export function spawnNodeChild<S extends z.ZodType>(schema: S, options: SpawnOptions): ChildRun<z.infer<S>> {
  const child = spawn(options.node ?? process.execPath, [...options.args], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    if (options.inheritOutput || process.env.BENCH_DEBUG) process.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const message = new Promise<z.infer<S>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${options.args.join(' ')} timed out after ${options.timeoutMs} ms\n${tail}`));
    }, options.timeoutMs);
    child.once('message', (raw) => {
      clearTimeout(timer);
      const parsed = schema.safeParse(raw);
      if (parsed.success) resolve(parsed.data);
      else reject(new Error(`child sent an unexpected message: ${parsed.error.message}\n${tail}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code ?? signal}) before reporting\n${tail}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  // The exit handler rejects after a successful message too; that later rejection is expected and ignored.
  message.catch(() => {});
  return { child, message, exited };
}

/** Arguments that run a TypeScript child through tsx (for helpers whose own start-up is not measured). */
export const tsxArgs = (file: string, ...rest: string[]) => ['--import', 'tsx', file, ...rest];

/** A Node.js binary the children run on, and how the tables name it. */
export interface NodeRuntime {
  readonly execPath: string;
  /** e.g. `v24.21.0`. */
  readonly version: string;
  /** `Node 24` (the Lambda runtime's major) or `Node 20` (the machine's). */
  readonly label: string;
}

const versionOf = (execPath: string): string =>
  execFileSync(execPath, ['--version'], { encoding: 'utf8' }).trim();

/**
 * The runtimes the cold-start and sync benchmarks run their children on: the functions' Lambda runtime
 * (Node 24, installed into .cache/ as `pnpm test` installs it, scripts/lambda-node.mjs) and the machine's
 * Node, once when they are the same major.
 */
export function childNodeRuntimes(log: (message: string) => void = () => {}): NodeRuntime[] {
  const machine: NodeRuntime = {
    execPath: process.execPath,
    version: process.version,
    label: `Node ${process.versions.node.split('.')[0]}`,
  };
  const lambda = ensureLambdaNode(REPO_ROOT, {
    execPath: process.execPath,
    nodeVersion: process.versions.node,
    install: (args) => {
      log(`installing Node ${LAMBDA_NODE_MAJOR} (the Lambda runtime): npm ${args.join(' ')}`);
      return spawnSync('npm', args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
    },
  });
  if (lambda === null) throw new Error(`could not install Node ${LAMBDA_NODE_MAJOR} (the Lambda runtime)`);
  if (lambda === process.execPath) return [machine];
  return [{ execPath: lambda, version: versionOf(lambda), label: `Node ${LAMBDA_NODE_MAJOR}` }, machine];
}

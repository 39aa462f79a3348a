import path from 'node:path';
import { z } from 'zod';
import { childBaseEnv, spawnNodeChild, tsxArgs } from './processes';

export interface DynaliteProcess {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite in a child process (see children/dynalite-child.ts). */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const run = spawnNodeChild(z.object({ endpoint: z.url() }), {
    args: tsxArgs(path.join(import.meta.dirname, '..', 'children', 'dynalite-child.ts')),
    env: childBaseEnv(),
    timeoutMs: 60_000,
  });
  const { endpoint } = await run.message;
  return {
    endpoint,
    async close() {
      if (run.child.connected) run.child.disconnect();
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 5_000);
      await run.exited;
      clearTimeout(timer);
    },
  };
}

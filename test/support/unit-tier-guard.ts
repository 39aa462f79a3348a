/**
 * Vitest `setupFiles` module of the unit tier (`pnpm test:unit`, vitest.config.ts's `unit` project).
 *
 * A unit test starts no server and no process: that is what keeps the tier at seconds and lets it run
 * anywhere. This guard makes the rule a failure instead of a convention: `listen` on any server and
 * spawning a child process throw, naming the way out. A test that needs dynalite, the simulator, the local
 * stack, a browser or an HTTP receiver belongs in a file named `*.integ.test.ts` (the `integ` project).
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { Server } from 'node:net';

const WAY_OUT =
  'unit tests start no server and no process: name the test file *.integ.test.ts (see docs/ARCHITECTURE.md, Tests in tiers)';

export class UnitTierViolation extends Error {
  constructor(what: string) {
    super(`${what} in a unit test: ${WAY_OUT}`);
    this.name = 'UnitTierViolation';
  }
}

Server.prototype.listen = function refuseListen(): never {
  throw new UnitTierViolation('a server listened');
};

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  Object.defineProperty(childProcess, name, {
    configurable: true,
    value: () => {
      throw new UnitTierViolation(`child_process.${name} was called`);
    },
  });
}
// Named ESM imports of builtins (`import { spawn } from 'node:child_process'`) see the change only after this.
syncBuiltinESMExports();

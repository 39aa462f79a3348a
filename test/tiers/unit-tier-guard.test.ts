import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';

// This file is in the unit tier (its name is not *.integ.test.ts): the guard is installed here.
describe('the unit tier', () => {
  it('refuses a server that listens, naming the way out', () => {
    const server = createServer();
    expect(() => server.listen(0, '127.0.0.1')).toThrow(/name the test file \*\.integ\.test\.ts/);
    expect(server.listening).toBe(false);
  });

  it('refuses to start a process', () => {
    expect(() => spawn(process.execPath, ['--version'])).toThrow(/unit tests start no server and no process/);
  });
});

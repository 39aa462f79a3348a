import { readFileSync } from 'node:fs';

/**
 * Calls `onGone` once the process that started this one is gone. `pnpm dev` runs as pnpm → sh → tsx →
 * node, and neither pnpm nor tsx passes a SIGTERM on when it is killed itself, so `kill <pid of pnpm
 * dev>` left the stack running with its ports bound. Watched: every launcher process above this one up
 * to and including pnpm or npm (on Linux, from /proc), else the direct parent; checked every second with
 * signal 0, which only tests that the process exists. The timer does not keep the process alive.
 */
export function watchParents(onGone: (pid: number) => void, intervalMs = 1_000): () => void {
  const watched = launcherChain(process.ppid);
  const timer = setInterval(() => {
    for (const pid of watched) {
      if (!isAlive(pid)) {
        clearInterval(timer);
        onGone(pid);
        return;
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

const LAUNCHER = /(^|\/)(node|nodejs|sh|bash|dash|tsx|pnpm|npm|npx)$/;
const PACKAGE_MANAGER = /(^|[/\s])(pnpm|npm)(\.c?js)?(\s|$)/;

function launcherChain(parent: number): number[] {
  const chain = [parent];
  let pid = parent;
  for (let depth = 0; depth < 6; depth++) {
    const command = commandOf(pid);
    if (command === undefined || PACKAGE_MANAGER.test(command)) break;
    const next = parentOf(pid);
    if (next === undefined || next <= 1) break;
    const argv0 = commandOf(next)?.split(' ')[0] ?? '';
    if (!LAUNCHER.test(argv0)) break;
    chain.push(next);
    pid = next;
  }
  return chain;
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses, so split after its last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else (still alive).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Vitest `setupFiles` module for the whole-suite leak scan (scripts/leak-scan.mjs, run by `pnpm test`).
 *
 * Inactive unless `BRIDGE_TEST_LOG_CAPTURE_DIR` is set. Then every `process.stdout.write`,
 * `process.stderr.write` and `console.*` call of this test worker is appended to
 * `<dir>/worker-<pid>.log`, so the scan sees what the functions logged (at DEBUG, see
 * `BRIDGE_TEST_LOG_LEVEL`). Stream writes are swallowed after teeing (they are the DEBUG log flood that
 * would bury the runner's output); console calls still reach the runner's console as before.
 *
 * Tests that capture output themselves (test/support/output-capture.ts) replace `write` and the console
 * methods and restore them afterwards. The properties are accessors here, so whatever a test installs is
 * wrapped by the tee too: nothing it swallows escapes the scan.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

const CAPTURE_DIR_ENV = 'BRIDGE_TEST_LOG_CAPTURE_DIR';
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
// Kept on `process` (one per worker) rather than in module scope: with isolation every test file
// evaluates this module afresh in the same worker; the file is opened once and each stream or console
// object is wrapped once (a new console object, if the runner makes one per file, is wrapped anew).
const STATE = Symbol.for('podero-bridge.leak-capture');
const TEED = Symbol.for('podero-bridge.leak-capture.teed');

type Fn = (...args: unknown[]) => unknown;
type Teed = Fn & { [TEED]?: true };
interface CaptureState {
  append(text: string): void;
  wrapped: WeakSet<object>;
}

const captureDir = process.env[CAPTURE_DIR_ENV];
const proc = process as NodeJS.Process & { [STATE]?: CaptureState };

function openCapture(dir: string): CaptureState {
  mkdirSync(dir, { recursive: true });
  // One synchronous fd per worker: lines land in order and survive a worker that exits abruptly.
  const fd = openSync(join(dir, `worker-${process.pid}.log`), 'a');
  process.once('exit', () => closeSync(fd));
  return {
    append: (text) => {
      writeSync(fd, text.endsWith('\n') ? text : `${text}\n`);
    },
    wrapped: new WeakSet(),
  };
}

/**
 * Adds text the tests saw but nobody logged (e.g. HTTP response bodies, see raw-http.ts) to this worker's
 * capture, one line per line of text, so the leak scan reads it too. A no-op when capture is off.
 */
export function captureForLeakScan(label: string, text: string): void {
  const state = proc[STATE];
  if (!state) return;
  for (const line of text.split('\n')) state.append(`[${label}] ${line}`);
}

if (captureDir) {
  proc[STATE] ??= openCapture(captureDir);
  const { append, wrapped } = proc[STATE];
  const chunkText = (chunk: unknown): string =>
    typeof chunk === 'string'
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk).toString('utf8')
        : String(chunk);

  /**
   * Makes `target[key]` an accessor whose value is always `wrap(<what was last assigned>)`, so a later
   * patch (and its restore) keeps going through the tee. Already-wrapped functions are not wrapped twice.
   */
  const teeProperty = (target: object, key: string, wrap: (inner: Fn) => Fn) => {
    if (wrapped.has(target)) return;
    const mark = (fn: Fn): Teed => {
      if ((fn as Teed)[TEED]) return fn as Teed;
      const teed = wrap(fn) as Teed;
      teed[TEED] = true;
      return teed;
    };
    let current = mark((target as Record<string, Fn>)[key] as Fn);
    Object.defineProperty(target, key, {
      configurable: true,
      enumerable: true,
      get: () => current,
      set: (next: Fn) => {
        current = mark(next);
      },
    });
  };

  const originalWrites = new Map<object, unknown>([
    [process.stdout, process.stdout.write],
    [process.stderr, process.stderr.write],
  ]);
  for (const stream of [process.stdout, process.stderr]) {
    teeProperty(stream, 'write', (inner) =>
      // Tee, then hand to `inner` only when a test has installed its own writer (its capture must still
      // see the text); the runner's original writer is skipped so the DEBUG flood stays off the terminal.
      inner === originalWrites.get(stream)
        ? (chunk: unknown, ...rest: unknown[]) => {
            append(chunkText(chunk));
            const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
            callback?.();
            return true;
          }
        : (chunk: unknown, ...rest: unknown[]) => {
            append(chunkText(chunk));
            return inner.call(stream, chunk, ...rest);
          },
    );
  }
  for (const name of CONSOLE_METHODS) {
    teeProperty(console, name, (inner) => (...args: unknown[]) => {
      append(format(...args));
      return inner.apply(console, args);
    });
  }
  wrapped.add(process.stdout).add(process.stderr).add(console);
}

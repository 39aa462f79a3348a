import { format } from 'node:util';

/**
 * Captures everything this process writes to stdout and stderr (the Powertools loggers write JSON lines
 * through their own Console bound to process.stdout/stderr) and everything passed to the global console
 * (which the test runner redirects around process.stdout). Tests that prove secrets never reach the
 * logs search what was captured.
 */
export interface OutputCapture {
  /** Everything written since the capture started, stdout and stderr interleaved. */
  text(): string;
  /** Non-empty lines written so far. */
  lines(): string[];
  stop(): void;
}

type Write = typeof process.stdout.write;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export function captureProcessOutput(options: { passThrough?: boolean } = {}): OutputCapture {
  const { passThrough = false } = options;
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write) as [Write, Write];
  streams.forEach((stream, index) => {
    const original = originals[index] as Write;
    const patched = ((chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      if (passThrough) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      // Honour the callback contract of write(chunk, [encoding], [cb]) without printing.
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      callback?.();
      return true;
    }) as Write;
    stream.write = patched;
  });
  const originalConsole = CONSOLE_METHODS.map((name) => console[name]);
  for (const name of CONSOLE_METHODS) {
    console[name] = (...args: unknown[]) => {
      chunks.push(`${format(...args)}\n`);
    };
  }
  let stopped = false;
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    stop() {
      if (stopped) return;
      stopped = true;
      streams.forEach((stream, index) => {
        stream.write = originals[index] as Write;
      });
      CONSOLE_METHODS.forEach((name, index) => {
        console[name] = originalConsole[index] as (typeof console)[typeof name];
      });
    },
  };
}

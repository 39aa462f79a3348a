import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Labelled output for `pnpm dev`. Every part runs in one process, and the handlers log through
 * Powertools straight to stdout; an AsyncLocalStorage label set around each invocation (and around
 * the start of each server, whose connections inherit it) lets one stdout/stderr wrapper prefix
 * every line with the part that wrote it: `[api] {...}`, `[simulator] ...`, `[sync] {...}`.
 */

export type PartLabel =
  | 'simulator'
  | 'dynamodb'
  | 'secrets'
  | 'api'
  | 'token-refresh'
  | 'sync'
  | 'events'
  | 'webhooks'
  | 'erasure'
  | 'trading'
  | 'console'
  | 'sqs'
  | 'gateway'
  | 'scheduler'
  | 'stack';

const labels = new AsyncLocalStorage<PartLabel>();

/** Runs `fn` with every line it (and what it starts) writes labelled `[label]`. */
export function withLabel<T>(label: PartLabel, fn: () => T): T {
  return labels.run(label, fn);
}

export function currentLabel(): PartLabel | undefined {
  return labels.getStore();
}

/** A labelled line sink for the local stack's own messages. */
export type StackLog = (label: PartLabel, message: string) => void;

/** Discards everything (tests). */
export const silentLog: StackLog = () => {};

const COLOURS: Record<PartLabel, number> = {
  simulator: 35,
  dynamodb: 34,
  secrets: 34,
  api: 32,
  'token-refresh': 33,
  sync: 36,
  events: 35,
  webhooks: 35,
  erasure: 31,
  trading: 33,
  console: 32,
  sqs: 34,
  gateway: 37,
  scheduler: 36,
  stack: 1,
};

export function formatLabel(label: PartLabel, colour: boolean): string {
  return colour ? `\u001b[${COLOURS[label]}m[${label}]\u001b[0m` : `[${label}]`;
}

function prefixLines(text: string, prefix: string, atLineStart: boolean): string {
  const lines = text.split('\n');
  return lines
    .map((line, index) => {
      if (line === '' && index === lines.length - 1) return line;
      return index === 0 && !atLineStart ? line : `${prefix} ${line}`;
    })
    .join('\n');
}

/**
 * Wraps `stream.write` so that output written inside `withLabel` is prefixed. Returns a function
 * that restores the original. Only `pnpm dev` installs it; library code and tests never do.
 */
export function installLabelledOutput(
  stream: NodeJS.WriteStream,
  options: { colour?: boolean } = {},
): () => void {
  const colour = options.colour ?? stream.isTTY === true;
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let atLineStart = true;
  const patched = (chunk: unknown, ...rest: unknown[]): boolean => {
    const label = labels.getStore();
    if (label === undefined || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) {
      return original(chunk, ...rest);
    }
    const encoding = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const out = prefixLines(text, formatLabel(label, colour), atLineStart);
    atLineStart = text.endsWith('\n');
    return original(out, encoding, ...rest.slice(typeof rest[0] === 'string' ? 1 : 0));
  };
  stream.write = patched as typeof stream.write;
  return () => {
    stream.write = original as typeof stream.write;
  };
}

/** A StackLog writing `[label] message` lines to a stream. */
export function streamLog(stream: NodeJS.WritableStream, options: { colour?: boolean } = {}): StackLog {
  const colour = options.colour ?? false;
  return (label, message) => {
    // Written outside any label context so the stream wrapper does not prefix it a second time.
    labels.exit(() => stream.write(`${formatLabel(label, colour)} ${message}\n`));
  };
}

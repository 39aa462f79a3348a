/**
 * Step-by-step progress for `pnpm demo`: numbered lines with ✔/✖ that read well in a terminal and
 * in a CI log alike. On a TTY a step shows as "…" while it runs and is replaced by its outcome.
 */
export interface DemoReporter {
  start(index: number, total: number, title: string): void;
  succeed(index: number, total: number, title: string, detail: string | undefined, ms: number): void;
  fail(index: number, total: number, title: string, message: string): void;
  /** Indented detail lines under a step (e.g. the heat pumps' fields). */
  info(line: string): void;
}

export function createStreamReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }): DemoReporter {
  const tty = stream.isTTY === true;
  const colour = (code: number, text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
  const counter = (index: number, total: number) =>
    `[${String(index).padStart(String(total).length)}/${total}]`;
  return {
    start(index, total, title) {
      if (tty) stream.write(`${counter(index, total)} … ${title}`);
    },
    succeed(index, total, title, detail, ms) {
      const line = `${counter(index, total)} ${colour(32, '✔')} ${title}${detail ? ` — ${detail}` : ''} ${colour(
        2,
        `(${ms} ms)`,
      )}`;
      stream.write(tty ? `\r\u001b[K${line}\n` : `${line}\n`);
    },
    fail(index, total, title, message) {
      const line = `${counter(index, total)} ${colour(31, '✖')} ${title}: ${message}`;
      stream.write(tty ? `\r\u001b[K${line}\n` : `${line}\n`);
    },
    info(line) {
      stream.write(`      ${line}\n`);
    },
  };
}

/** Remembers every call; tests assert on it. */
export function createRecordingReporter(): DemoReporter & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    start: () => {},
    succeed: (index, total, title, detail) => {
      lines.push(`[${index}/${total}] ✔ ${title}${detail ? ` — ${detail}` : ''}`);
    },
    fail: (index, total, title, message) => {
      lines.push(`[${index}/${total}] ✖ ${title}: ${message}`);
    },
    info: (line) => {
      lines.push(`      ${line}`);
    },
  };
}

/**
 * Runs `work` with process.stdout discarded. In-process functions keep their real Powertools logger and
 * metrics (JSON serialisation is part of a request's cost, as in Lambda), but their lines would bury the
 * results table; our own progress goes to stderr.
 */
export async function withStdoutDiscarded<T>(work: () => Promise<T>): Promise<T> {
  const original = process.stdout.write;
  process.stdout.write = ((_chunk: unknown, encodingOrCallback?: unknown, callback?: unknown) => {
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  }) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = original;
  }
}

import { useCallback, useEffect, useState } from 'preact/hooks';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ready'; value: T }
  | { state: 'failed'; error: Error };

const LOADING = { state: 'loading' } as const;

/**
 * Runs `load` when its keys change; `reload()` runs it again (after an action changed what it shows), keeping
 * the current value on screen meanwhile. `load` may show an interim value before it settles (`show`).
 *
 * A result is only ever returned under the keys it was loaded for: once the keys change (another customer),
 * the hook returns `loading` in that same render, so the page shows neither the old customer's data under the
 * new name nor children that would combine the new keys with ids taken from the old data; an answer for
 * earlier keys arriving late is dropped.
 */
export function useLoad<T>(
  load: (show: (interim: T) => void) => Promise<T>,
  keys: readonly unknown[],
): [Loaded<T>, () => void] {
  const [result, setResult] = useState<{ keys: readonly unknown[]; loaded: Loaded<T> } | undefined>();
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    const settle = (loaded: Loaded<T>) => current && setResult({ keys, loaded });
    load((interim) => settle({ state: 'ready', value: interim })).then(
      (value) => settle({ state: 'ready', value }),
      (error: unknown) =>
        settle({ state: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [...keys, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [result !== undefined && sameKeys(result.keys, keys) ? result.loaded : LOADING, reload];
}

// A call site passes the same number of keys on every render (as with any hook's dependencies).
function sameKeys(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.every((key, i) => Object.is(key, b[i]));
}

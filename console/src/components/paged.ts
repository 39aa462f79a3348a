import { useEffect, useRef, useState } from 'preact/hooks';

/** A cursor-paginated list shown newest first, with "load more" appending the next page. */
export interface Paged<T> {
  items: T[];
  /** More pages exist. */
  more: boolean;
  loading: boolean;
  error: Error | undefined;
  loadMore: () => void;
}

interface PagedState<T> {
  items: T[];
  cursor: string | null;
  loading: boolean;
  error: Error | undefined;
}

/**
 * Loads the first page when `keys` change (another customer, other filters) and the next one on `loadMore`.
 * A page answered for earlier keys is dropped (`epoch` counts the key changes).
 */
export function usePaged<T>(
  loadPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
  keys: readonly unknown[],
): Paged<T> {
  const [state, setState] = useState<PagedState<T>>({
    items: [],
    cursor: null,
    loading: true,
    error: undefined,
  });
  const epoch = useRef(0);

  const run = (cursor: string | undefined, append: boolean) => {
    const mine = epoch.current;
    setState((prev) => ({ ...prev, loading: true, error: undefined }));
    loadPage(cursor).then(
      (page) => {
        if (mine !== epoch.current) return;
        setState((prev) => ({
          items: append ? [...prev.items, ...page.items] : page.items,
          cursor: page.next_cursor,
          loading: false,
          error: undefined,
        }));
      },
      (error: unknown) => {
        if (mine !== epoch.current) return;
        const failure = error instanceof Error ? error : new Error(String(error));
        setState((prev) => ({ ...prev, loading: false, error: failure }));
      },
    );
  };

  useEffect(() => {
    epoch.current++;
    setState({ items: [], cursor: null, loading: true, error: undefined });
    run(undefined, false);
  }, keys);

  return {
    items: state.items,
    more: state.cursor !== null,
    loading: state.loading,
    error: state.error,
    loadMore: () => {
      if (state.cursor !== null && !state.loading) run(state.cursor, true);
    },
  };
}

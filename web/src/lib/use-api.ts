import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, get } from './api.js';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ok'; data: T };

/** GET `path` whenever it changes (null: nothing to load); `reload` asks again. */
export function useApi<T>(path: string | null): Loaded<T> & { reload: () => void } {
  const [tick, setTick] = useState(0);
  const [out, setOut] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setOut({ state: 'loading' });
    get<T>(path).then(
      (data) => live && setOut({ state: 'ok', data }),
      (e: unknown) =>
        live &&
        setOut({
          state: 'error',
          error: e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)),
        }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...out, reload };
}

// Loading API data into a component: the answer, the error, whether it is loading, and a way to load it again.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from './api.js';

/**
 * @template T
 * @typedef {{ data: T | undefined, error: import('./api.js').ApiError | null, loading: boolean, reload: () => void }} Loaded
 */

/**
 * GETs `path` with `params` whenever either changes (null: nothing to load).
 * @template T
 * @param {string | null} path
 * @param {import('./api.js').Params} [params]
 * @returns {Loaded<T>}
 */
export function useApi(path, params = {}) {
  const [state, setState] = useState(/** @type {{ data: T | undefined, error: any, loading: boolean }} */ ({ data: undefined, error: null, loading: path !== null }));
  const [round, setRound] = useState(0);
  const key = JSON.stringify(params);
  useEffect(() => {
    if (path === null) return undefined;
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    get(path, params, { signal: abort.signal }).then(
      (data) => setState({ data, error: null, loading: false }),
      (error) => {
        if (!abort.signal.aborted) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => abort.abort();
    // `params` is compared by value, through `key`.
  }, [path, key, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

/** Calls `tick` every `ms` milliseconds while the component shows (null: paused). */
export function useInterval(/** @type {() => void} */ tick, /** @type {number | null} */ ms) {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (ms === null) return undefined;
    const id = setInterval(() => latest.current(), ms);
    return () => clearInterval(id);
  }, [ms]);
}

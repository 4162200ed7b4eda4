// Live streams (SSE) with their state shown: EventSource retries a dropped connection by itself; a refused one
// (the server answered an error) is retried here with backoff, after checking that the session still holds.
import { useEffect, useRef, useState } from 'preact/hooks';
import { authorizedUrl, get } from './api.js';

/** @typedef {'connecting' | 'open' | 'lost'} StreamState */
/** @typedef {Record<string, (data: any) => void>} StreamHandlers  by SSE event type, each given the parsed `data` */

const FirstRetry = 1000;
const LastRetry = 30000;

/**
 * Subscribes to an SSE stream of the API until the returned function is called.
 * @param {string} path
 * @param {import('./api.js').Params} params
 * @param {StreamHandlers} handlers
 * @param {(state: StreamState) => void} onState
 * @returns {() => void}
 */
export function subscribe(path, params, handlers, onState) {
  /** @type {EventSource | null} */
  let source = null;
  let retry = FirstRetry;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let closed = false;

  const open = () => {
    if (closed) return;
    onState('connecting');
    source = new EventSource(authorizedUrl(path, params));
    source.onopen = () => {
      retry = FirstRetry;
      onState('open');
    };
    for (const [type, handle] of Object.entries(handlers)) {
      source.addEventListener(type, (event) => handle(JSON.parse(/** @type {MessageEvent} */ (event).data)));
    }
    source.onerror = () => {
      if (closed || !source) return;
      onState('lost');
      if (source.readyState !== EventSource.CLOSED) return;
      // Refused outright: a 401 here ends the session (through the request), anything else is tried again later.
      source = null;
      get('/api/v1/auth/me').catch(() => undefined);
      timer = setTimeout(open, retry);
      retry = Math.min(retry * 2, LastRetry);
    };
  };

  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}

/**
 * A stream for as long as the component shows, re-opened when `path` or `params` change.
 * Handlers may change at every render; the latest ones are called.
 * @param {string | null} path  null: no stream
 * @param {import('./api.js').Params} params
 * @param {StreamHandlers} handlers
 * @returns {StreamState}
 */
export function useStream(path, params, handlers) {
  const [state, setState] = useState(/** @type {StreamState} */ ('connecting'));
  const latest = useRef(handlers);
  latest.current = handlers;
  const key = JSON.stringify(params);
  useEffect(() => {
    if (path === null) return undefined;
    /** @type {StreamHandlers} */
    const dispatch = {};
    for (const type of Object.keys(latest.current)) dispatch[type] = (data) => latest.current[type]?.(data);
    return subscribe(path, params, dispatch, setState);
    // `params` is compared by value, through `key`.
  }, [path, key]);
  return state;
}

// What a page shows while it loads, when it has nothing to show, when a request failed, and how its live stream is.
import { html } from '../lib/html.js';

export function Loading({ label = 'Loading…' }) {
  return html`<div class="state state-loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>${label}</div>`;
}

/** @param {{ title: string, children?: any }} props */
export function Empty({ title, children }) {
  return html`<div class="state state-empty"><strong>${title}</strong>${children ? html`<div>${children}</div>` : null}</div>`;
}

/** @param {{ error: { message: string, code?: string } | null | undefined, retry?: () => void }} props */
export function ErrorState({ error, retry }) {
  if (!error) return null;
  return html`<div class="state state-error" role="alert">
    <strong>${error.message}</strong>${error.code ? html` <code>${error.code}</code>` : null}
    ${retry ? html`<button type="button" onClick=${retry}>Try again</button>` : null}
  </div>`;
}

/**
 * An inline message for a form: the error of the last attempt.
 * @param {{ error: { message: string } | null | undefined }} props
 */
export function FormError({ error }) {
  return error ? html`<p class="form-error" role="alert">${error.message}</p>` : null;
}

const StreamLabels = { connecting: 'Connecting…', open: 'Live', lost: 'Connection lost, reconnecting…' };

/** @param {{ state: import('../lib/sse.js').StreamState }} props */
export function StreamStatus({ state }) {
  return html`<span class=${`stream stream-${state}`} role="status" aria-live="polite" data-stream=${state}>${StreamLabels[state]}</span>`;
}

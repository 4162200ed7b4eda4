// Server settings: how often every host is sampled. The API can change the interval but has no way to read it, so the
// page shows the value the server answered to the last change made here, and says so.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { post } from '../lib/api.js';
import { FormError } from '../components/states.js';
import { duration } from '../lib/format.js';

export default function Settings() {
  const [seconds, setSeconds] = useState('');
  const [applied, setApplied] = useState(/** @type {number | null} */ (null));
  const [error, setError] = useState(/** @type {any} */ (null));
  const [busy, setBusy] = useState(false);

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const answer = await post('/api/v1/settings/refresh', { interval: Number(seconds) });
      setApplied(answer.interval);
    } catch (e) {
      setApplied(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="page admin">
    <div class="page-head"><h1>Settings</h1></div>
    <form class="card settings" onSubmit=${submit} aria-labelledby="refresh-title">
      <h2 id="refresh-title">Refresh interval</h2>
      <p class="muted">How often the server and every agent take a sample: live charts, history, alerts and the process list follow it.</p>
      <div class="toolbar">
        <label>Seconds (1 to 3600)<input type="number" name="interval" min="1" max="3600" step="1" required inputmode="numeric"
          value=${seconds} onInput=${(/** @type {any} */ e) => setSeconds(e.currentTarget.value)} /></label>
        <button type="submit" class="primary" disabled=${busy}>Apply</button>
      </div>
      <${FormError} error=${error} />
      ${applied !== null
        ? html`<p class="form-ok" role="status">The server now samples every <strong>${duration(applied)}</strong>.</p>`
        : html`<p class="muted" role="status">The API has no way to read the current interval, so it is not shown here until you set one:
            the server answers a change with the interval it applied.</p>`}
    </form>
  </section>`;
}

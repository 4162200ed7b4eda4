// Server settings: how often every host is sampled, read by holders of settings:read and changed by those of settings:write.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { post } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';
import { ErrorState, FormError, Loading } from '../components/states.js';
import { duration } from '../lib/format.js';

export default function Settings() {
  const { can } = useSession();
  const current = useApi('/api/v1/settings/refresh');
  const [applied, setApplied] = useState(/** @type {number | null} */ (null));
  const [seconds, setSeconds] = useState('');
  const [error, setError] = useState(/** @type {any} */ (null));
  const [busy, setBusy] = useState(false);
  const interval = applied ?? /** @type {{ interval: number } | undefined} */ (current.data)?.interval;
  useEffect(() => {
    if (interval !== undefined) setSeconds(String(interval));
  }, [interval]);

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const answer = await post('/api/v1/settings/refresh', { interval: Number(seconds) });
      setApplied(answer.interval);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (current.error) body = html`<${ErrorState} error=${current.error} retry=${current.reload} />`;
  else if (interval === undefined) body = html`<${Loading} />`;
  else {
    body = html`<p role="status" class="refresh-now">The server samples every <strong>${duration(interval)}</strong>.</p>
      ${can('settings:write')
        ? html`<div class="toolbar">
              <label>Seconds (1 to 3600)<input type="number" name="interval" min="1" max="3600" step="1" required inputmode="numeric"
                value=${seconds} onInput=${(/** @type {any} */ e) => setSeconds(e.currentTarget.value)} /></label>
              <button type="submit" class="primary" disabled=${busy}>Apply</button>
            </div>
            <${FormError} error=${error} />`
        : null}`;
  }

  return html`<section class="page admin">
    <div class="page-head"><h1>Settings</h1></div>
    <form class="card settings" onSubmit=${submit} aria-labelledby="refresh-title">
      <h2 id="refresh-title">Refresh interval</h2>
      <p class="muted">How often the server and every agent take a sample: live charts, history, alerts and the process list follow it.</p>
      ${body}
    </form>
  </section>`;
}

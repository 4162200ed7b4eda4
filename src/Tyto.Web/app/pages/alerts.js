// Alerts: the active board, kept live by the stream's alert events, with acknowledge; the thresholds; and the history
// timeline, whose slider shows the board as it was at any instant of the window.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { post } from '../lib/api.js';
import { useApi, useInterval } from '../lib/hooks.js';
import { useStream } from '../lib/sse.js';
import { setSearch } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { ago, dateTime, percent } from '../lib/format.js';
import { Empty, ErrorState, FormError, Loading, StreamStatus } from '../components/states.js';
import {
  AlertTypes, Lines, Windows, applyAlertEvent, describe, fieldProblems, position, replace, stepAfter, subject, thresholdChange,
  thresholdForm, timeline, tone, windowName,
} from '../lib/alerts.js';

/** @typedef {import('../lib/alerts.js').Alert} Alert */
/** @typedef {import('../lib/alerts.js').AlertEvent} AlertEvent */
/** @typedef {import('../lib/alerts.js').Thresholds} Thresholds */
/** @typedef {(id: string) => string} HostName */

const WindowLabels = { '1h': 'Last hour', '6h': 'Last 6 hours', '24h': 'Last 24 hours', '7d': 'Last 7 days' };
const TypeLabels = { cpu: 'CPU', memory: 'Memory', disk: 'Disk' };
const LineLabels = { warning: 'Warning', critical: 'Critical' };
const PollEvery = 10_000;
const ScrubSettles = 250;
const EventsPerPage = 100;

/** @param {{ search: string }} props */
export default function Alerts({ search }) {
  const { can } = useSession();
  const query = new URLSearchParams(search);
  const host = query.get('agent_id') ?? '';
  const type = query.get('type') ?? '';
  const span = windowName(query.get('window'));

  const agents = useApi(can('agents:read') ? '/api/v1/agents' : null);
  const board = useApi(/** @type {string} */ ('/api/v1/alerts'), { agent_id: host });
  const [alerts, setAlerts] = useState(/** @type {Alert[] | null} */ (null));
  const [config, setConfig] = useState(/** @type {Thresholds | null} */ (null));
  const [changes, setChanges] = useState(0);
  const [now, setNow] = useState(Date.now);
  const shown = useRef(alerts);
  shown.current = alerts;

  // Another host's board is not this one's, even while this one loads.
  useEffect(() => setAlerts(null), [host]);
  useEffect(() => {
    const data = /** @type {{ alerts: Alert[], config: Thresholds } | undefined} */ (board.data);
    if (!data) return;
    setAlerts(data.alerts);
    setConfig(data.config);
  }, [board.data]);

  const live = can('metrics:read');
  // An unknown host (404) has no stream either; the board says so.
  const stream = useStream(live && board.error?.status !== 404 ? '/api/v1/stream' : null, { agent_id: host }, {
    alert: (/** @type {AlertEvent} */ event) => {
      const next = applyAlertEvent(shown.current ?? [], event);
      setAlerts(next.alerts);
      if (!next.known) board.reload();
      setNow(Date.now());
      setChanges((c) => c + 1);
    },
  });
  // Whatever happened while the stream was away is on the board the API answers now.
  useEffect(() => {
    if (stream === 'open') board.reload();
  }, [stream]);
  useInterval(() => {
    if (!live) {
      board.reload();
      setChanges((c) => c + 1);
    }
    setNow(Date.now());
  }, PollEvery);

  const names = new Map((/** @type {{ agents: { id: string, name: string }[] } | undefined} */ (agents.data))?.agents.map((a) => [a.id, a.name]) ?? []);
  const hostName = (/** @type {string} */ id) => names.get(id) ?? id;
  const hosts = names.size > 0 ? [...names.keys()] : [...new Set((alerts ?? []).map((a) => a.agent_id))];
  if (host && !hosts.includes(host)) hosts.push(host);

  return html`<section class="page alerts">
    <div class="page-head">
      <h1>Alerts</h1>
      <div class="toolbar alerts-filters">
        <label>Host
          <select value=${host} onChange=${(/** @type {any} */ e) => setSearch({ agent_id: e.currentTarget.value })}>
            <option value="">All hosts</option>
            ${hosts.map((id) => html`<option value=${id}>${hostName(id)}</option>`)}
          </select>
        </label>
        ${live ? html`<${StreamStatus} state=${stream} />` : html`<span class="muted">Refreshed every ${PollEvery / 1000} s</span>`}
      </div>
    </div>
    <div class="alerts-top">
      <${Board} alerts=${alerts} error=${board.error} retry=${board.reload} hostName=${hostName} now=${now}
        onAcknowledged=${(/** @type {Alert} */ alert) => setAlerts(replace(alerts ?? [], alert))} onGone=${board.reload} />
      ${config ? html`<${ThresholdsCard} config=${config} onSaved=${setConfig} />` : null}
    </div>
    <${History} host=${host} type=${type} span=${span} changes=${changes} hostName=${hostName} />
  </section>`;
}

/**
 * The alerts active now, each with what it watches, how bad, since when, and who acknowledged it.
 * @param {{ alerts: Alert[] | null, error: any, retry: () => void, hostName: HostName, now: number,
 *   onAcknowledged: (alert: Alert) => void, onGone: () => void }} props
 */
function Board({ alerts, error, retry, hostName, now, onAcknowledged, onGone }) {
  const { can } = useSession();
  const [failure, setFailure] = useState(/** @type {any} */ (null));
  const [busy, setBusy] = useState('');

  const acknowledge = async (/** @type {Alert} */ alert) => {
    setFailure(null);
    setBusy(alert.id);
    try {
      onAcknowledged(await post(`/api/v1/alerts/${encodeURIComponent(alert.id)}/acknowledge`));
    } catch (e) {
      setFailure(e);
      // A resolved alert (409) is off the board already; the board the API answers says so.
      onGone();
    } finally {
      setBusy('');
    }
  };

  let content;
  if (error && !alerts) content = html`<${ErrorState} error=${error} retry=${retry} />`;
  else if (!alerts) content = html`<${Loading} />`;
  else if (alerts.length === 0) content = html`<${Empty} title="No active alerts">An alert shows here as soon as a host crosses a threshold.<//>`;
  else {
    content = html`<div class="table-wrap">
      <table class="alert-table">
        <thead><tr><th>Host</th><th>Alert</th><th>Level</th><th class="num">Value</th><th>Since</th><th>Acknowledged</th></tr></thead>
        <tbody>
          ${alerts.map((alert) => html`<tr key=${alert.id}>
            <td data-label="Host">${hostName(alert.agent_id)}</td>
            <td data-label="Alert">${subject(alert)}</td>
            <td data-label="Level"><span class=${`badge ${alert.level}`}>${alert.level}</span></td>
            <td data-label="Value" class="num">${percent(alert.value)} <span class="muted">/ ${percent(alert.threshold)}</span></td>
            <td data-label="Since"><time datetime=${alert.created_at} title=${dateTime(alert.created_at)}>${ago(alert.created_at, now)}</time></td>
            <td data-label="Acknowledged">
              ${alert.acknowledged
                ? html`<span class="badge acknowledged">by ${alert.acknowledged_by}</span> <time class="muted" datetime=${alert.acknowledged_at ?? ''}>${ago(alert.acknowledged_at, now)}</time>`
                : can('alerts:acknowledge')
                  ? html`<button type="button" disabled=${busy === alert.id} aria-label=${`Acknowledge ${subject(alert)} on ${hostName(alert.agent_id)}`}
                      onClick=${() => acknowledge(alert)}>Acknowledge</button>`
                  : html`<span class="muted">no</span>`}
            </td>
          </tr>`)}
        </tbody>
      </table>
    </div>`;
  }
  return html`<section class="card board" aria-labelledby="board-title">
    <h2 id="board-title">Active${alerts && alerts.length > 0 ? html` <span class="count">${alerts.length}</span>` : null}</h2>
    <${FormError} error=${failure} />
    ${content}
  </section>`;
}

/**
 * The warning and critical lines of each alert type: an editor for those who may change them, merged whole or refused
 * with the API's word on each field.
 * @param {{ config: Thresholds, onSaved: (config: Thresholds) => void }} props
 */
function ThresholdsCard({ config, onSaved }) {
  const { can } = useSession();
  const [form, setForm] = useState(() => thresholdForm(config));
  const [error, setError] = useState(/** @type {any} */ (null));
  const [saved, setSaved] = useState(false);
  const [saving, setSaving] = useState(false);
  const current = JSON.stringify(config);
  useEffect(() => setForm(thresholdForm(config)), [current]);
  const editable = can('alerts:configure');

  const save = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    setSaving(true);
    try {
      onSaved(await post('/api/v1/alerts/config', thresholdChange(form)));
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const problems = fieldProblems(error);
  const general = error && Object.keys(problems.fields).length === 0 ? error : problems.other.length > 0 ? { message: problems.other.join('; ') } : null;
  const cell = (/** @type {string} */ type, /** @type {string} */ line) => {
    const field = `${type}.${line}`;
    const problem = problems.fields[field];
    const label = `${TypeLabels[/** @type {'cpu'} */ (type)]} ${line} (%)`;
    if (!editable) return html`<td class="num">${percent(config[/** @type {'cpu'} */ (type)][/** @type {'warning'} */ (line)])}</td>`;
    return html`<td>
      <input type="number" inputmode="decimal" min="0" max="100" step="any" name=${field} aria-label=${label} value=${form[field]}
        aria-invalid=${problem ? 'true' : undefined} aria-describedby=${problem ? `${field}-problem` : undefined}
        onInput=${(/** @type {any} */ e) => setForm({ ...form, [field]: e.currentTarget.value })} />
      ${problem ? html`<span class="field-error" id=${`${field}-problem`}>${problem}</span>` : null}
    </td>`;
  };

  return html`<form class="card thresholds" aria-labelledby="thresholds-title" onSubmit=${save} novalidate>
    <h2 id="thresholds-title">Thresholds</h2>
    <table>
      <thead><tr><th>Alert</th>${Lines.map((line) => html`<th>${LineLabels[line]} %</th>`)}</tr></thead>
      <tbody>${AlertTypes.map((type) => html`<tr><th scope="row">${TypeLabels[type]}</th>${Lines.map((line) => cell(type, line))}</tr>`)}</tbody>
    </table>
    ${editable
      ? html`<${FormError} error=${general} />
          ${saved ? html`<p class="form-ok" role="status">Thresholds saved.</p>` : null}
          <div class="actions"><button type="submit" class="primary" disabled=${saving}>Save thresholds</button></div>`
      : html`<p class="muted">Changing them needs <code>alerts:configure</code>.</p>`}
  </form>`;
}

/** The value, once it has stopped changing for `ms`. */
function useSettled(/** @type {number} */ value, /** @type {number} */ ms) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The alert events of a window on a time axis, with a slider whose instant shows the board as it was then.
 * @param {{ host: string, type: string, span: import('../lib/alerts.js').WindowName, changes: number, hostName: HostName }} props
 */
function History({ host, type, span, changes, hostName }) {
  const [end, setEnd] = useState(Date.now);
  const [instant, setInstant] = useState(/** @type {number | null} */ (null));
  const [offset, setOffset] = useState(0);
  const range = timeline(end, Windows[span]);
  const at = instant === null ? range.max : Math.min(range.max, Math.max(range.min, instant));
  const settled = useSettled(at, ScrubSettles);

  useEffect(() => {
    setEnd(Date.now());
    setInstant(null);
    setOffset(0);
  }, [span, host, type]);
  const events = useApi(/** @type {string} */ ('/api/v1/alerts/history'), {
    from: new Date(range.min).toISOString(), to: new Date(range.max).toISOString(), agent_id: host, type, limit: EventsPerPage, offset,
  });
  const then = useApi(/** @type {string} */ ('/api/v1/alerts'), { agent_id: host, at: new Date(settled).toISOString() });
  // A new event moves the window's end to now and joins the list; an instant left at the end follows it.
  useEffect(() => {
    if (changes === 0) return;
    setEnd(Date.now());
    events.reload();
    if (instant === null) then.reload();
  }, [changes]);
  const page = /** @type {{ events: AlertEvent[], total: number } | undefined} */ (events.data);
  const board = /** @type {{ alerts: Alert[] } | undefined} */ (then.data)?.alerts.filter((a) => type === '' || a.type === type);

  return html`<section class="card history" aria-labelledby="history-title">
    <div class="history-head">
      <h2 id="history-title">History</h2>
      <div class="toolbar">
        <label>Window
          <select value=${span} onChange=${(/** @type {any} */ e) => setSearch({ window: e.currentTarget.value })}>
            ${Object.entries(WindowLabels).map(([name, label]) => html`<option value=${name}>${label}</option>`)}
          </select>
        </label>
        <label>Alert type
          <select value=${type} onChange=${(/** @type {any} */ e) => setSearch({ type: e.currentTarget.value })}>
            <option value="">All types</option>
            ${AlertTypes.map((t) => html`<option value=${t}>${TypeLabels[t]}</option>`)}
          </select>
        </label>
        <button type="button" onClick=${() => { setEnd(Date.now()); setInstant(null); }}>Now</button>
      </div>
    </div>

    <div class="scrubber">
      <div class="axis" aria-hidden="true">
        ${(page?.events ?? []).map((e) => html`<span class=${`marker ${tone(e)}`} style=${{ left: `${position(e.timestamp, range)}%` }}
          title=${`${dateTime(e.timestamp)}: ${describe(e)}`}></span>`)}
        <span class="marker-now" style=${{ left: `${position(at, range)}%` }}></span>
      </div>
      <label for="instant" class="instant-label">Instant <output for="instant">${dateTime(at)}</output></label>
      <input id="instant" type="range" min=${range.min} max=${range.max} step=${range.step} value=${at} aria-valuetext=${dateTime(at)}
        onInput=${(/** @type {any} */ e) => setInstant(Number(e.currentTarget.value))} />
      <div class="axis-ends muted"><span>${dateTime(range.min)}</span><span>${dateTime(range.max)}</span></div>
    </div>

    <div class="history-body">
      <section class="then" aria-labelledby="then-title" aria-busy=${then.loading ? 'true' : 'false'}>
        <h3 id="then-title">Board at ${dateTime(settled)}</h3>
        ${then.error
          ? html`<${ErrorState} error=${then.error} retry=${then.reload} />`
          : !board
            ? html`<${Loading} />`
            : board.length === 0
              ? html`<${Empty} title="No active alerts then" />`
              : html`<ul class="then-list">
                  ${board.map((a) => html`<li key=${a.id}>
                    <span class=${`badge ${a.level}`}>${a.level}</span>
                    <strong>${hostName(a.agent_id)}</strong> ${subject(a)}
                    <span class="num">${percent(a.value)}</span>
                    ${a.acknowledged ? html`<span class="badge acknowledged">by ${a.acknowledged_by}</span>` : null}
                  </li>`)}
                </ul>`}
      </section>

      <section class="events" aria-labelledby="events-title">
        <h3 id="events-title">Events${page ? html` <span class="count">${page.total}</span>` : null}</h3>
        ${events.error
          ? html`<${ErrorState} error=${events.error} retry=${events.reload} />`
          : !page
            ? html`<${Loading} />`
            : page.events.length === 0
              ? html`<${Empty} title="No alert events in this window" />`
              : html`<ol class="event-list">
                  ${page.events.map((e) => html`<li key=${`${e.alert_id}-${e.kind}-${e.timestamp}`}>
                    <time datetime=${e.timestamp}>${dateTime(e.timestamp)}</time>
                    <span class=${`badge ${tone(e)}`}>${describe(e)}</span>
                    <span>${hostName(e.agent_id)} ${subject(e)}${e.value === null ? '' : ` at ${percent(e.value)}`}</span>
                    <button type="button" class="link" onClick=${() => setInstant(stepAfter(e.timestamp, range))}>Board then</button>
                  </li>`)}
                </ol>
                ${page.total > EventsPerPage
                  ? html`<div class="actions">
                      <button type="button" disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - EventsPerPage))}>Earlier</button>
                      <button type="button" disabled=${offset + EventsPerPage >= page.total} onClick=${() => setOffset(offset + EventsPerPage)}>Later</button>
                    </div>`
                  : null}`}
      </section>
    </div>
  </section>`;
}

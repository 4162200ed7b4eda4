// The fleet at a glance: a card per host with its status, load, fullest disk, network and active alerts, live from one
// stream of every host. Samples land in a map as they come; the page renders from it once a second, however many
// hosts report, and reads the agent list again every heartbeat so that a host that went away turns offline.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { get } from '../lib/api.js';
import { useApi, useInterval } from '../lib/hooks.js';
import { useStream } from '../lib/sse.js';
import { setSearch } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { ago, percent, rate } from '../lib/format.js';
import { Empty, ErrorState, Loading, StreamStatus } from '../components/states.js';
import { HeartbeatMs, Sorts, alertsByHost, applyAlertEvent, boardOf, filterHosts, hostRows, read, serversOnly, sortHosts, sortKey } from '../lib/fleet.js';

const RenderEveryMs = 1000;
const Statuses = ['online', 'offline', 'revoked'];

/** @typedef {{ warning: number, critical: number }} Threshold */
/** @typedef {{ cpu: Threshold, memory: Threshold, disk: Threshold }} Thresholds */

/** @param {{ search: string }} props */
export default function Overview({ search }) {
  const { can } = useSession();
  const seesAlerts = can('alerts:read');
  const params = new URLSearchParams(search);
  const status = params.get('status') ?? '';
  const sort = sortKey(params.get('sort'));
  const [text, setText] = useState(params.get('q') ?? '');

  const agents = useApi('/api/v1/agents');
  useInterval(agents.reload, HeartbeatMs);

  const readings = useRef(/** @type {Map<string, import('../lib/fleet.js').Reading>} */ (new Map()));
  // The active alerts: null until the snapshot of `GET /api/v1/alerts` is in, the stream's events meanwhile kept to replay on it.
  const board = useRef(/** @type {Map<string, import('../lib/fleet.js').BoardEntry> | null} */ (null));
  const early = useRef(/** @type {import('../lib/fleet.js').AlertEvent[]} */ ([]));
  const [thresholds, setThresholds] = useState(/** @type {Thresholds | null} */ (null));
  const [alertsError, setAlertsError] = useState(/** @type {any} */ (null));
  const [since, setSince] = useState(/** @type {number | null} */ (null));
  const [now, setNow] = useState(Date.now);
  useInterval(() => setNow(Date.now()), RenderEveryMs);

  const stream = useStream('/api/v1/stream', {}, {
    metrics: (sample) => readings.current.set(sample.agentId, read(readings.current.get(sample.agentId), sample, Date.now())),
    alert: (event) => {
      if (board.current) applyAlertEvent(board.current, event);
      else if (seesAlerts) early.current.push(event);
    },
  });

  // Each time the stream (re)opens: silence counts from now, and what it may have missed is read whole again.
  useEffect(() => {
    if (stream !== 'open') {
      setSince(null);
      return undefined;
    }
    setSince(Date.now());
    agents.reload();
    if (!seesAlerts) return undefined;
    const abort = new AbortController();
    board.current = null;
    early.current = [];
    get('/api/v1/alerts', {}, { signal: abort.signal }).then(
      (answer) => {
        const snapshot = boardOf(answer.alerts);
        for (const event of early.current) applyAlertEvent(snapshot, event);
        board.current = snapshot;
        early.current = [];
        setThresholds(answer.config);
        setAlertsError(null);
      },
      (error) => {
        if (!abort.signal.aborted) setAlertsError(error);
      },
    );
    return () => abort.abort();
  }, [stream]);

  if (!agents.data) {
    return agents.error ? html`<${ErrorState} error=${agents.error} retry=${agents.reload} />` : html`<${Loading} label="Loading the fleet…" />`;
  }

  /** @type {import('../lib/fleet.js').Agent[]} */
  const all = agents.data.agents;
  const waiting = all.filter((agent) => agent.status === 'pending').length;
  const alerts = board.current ? alertsByHost(board.current) : new Map();
  const rows = hostRows(all.filter((agent) => agent.status !== 'pending'), readings.current, alerts, since, now);
  const shown = sortHosts(filterHosts(rows, text, status), sort);
  const online = rows.filter((row) => row.status === 'online').length;
  const filtered = text !== '' || status !== '';

  const onText = (/** @type {any} */ event) => {
    setText(event.currentTarget.value);
    setSearch({ q: event.currentTarget.value });
  };

  return html`<section class="page overview">
    <div class="page-head">
      <h1>Fleet</h1>
      <p class="overview-count muted">${online} of ${rows.length} ${rows.length === 1 ? 'host' : 'hosts'} online</p>
      <${StreamStatus} state=${stream} />
    </div>
    ${agents.error ? html`<p class="form-error" role="alert">The host list could not be refreshed: ${agents.error.message}</p>` : null}
    ${alertsError ? html`<p class="form-error" role="alert">Active alerts could not be loaded: ${alertsError.message}</p>` : null}
    ${waiting > 0
      ? html`<p class="overview-waiting"><span class="badge pending">${waiting} waiting</span> <a href="/agents">${waiting === 1 ? 'A host asks' : `${waiting} hosts ask`} to join the fleet</a></p>`
      : null}
    <div class="toolbar" role="search">
      <label>Filter by name<input type="search" name="q" value=${text} onInput=${onText} placeholder="id, name or hostname" /></label>
      <label>Filter by status
        <select name="status" value=${status} onChange=${(/** @type {any} */ e) => setSearch({ status: e.currentTarget.value })}>
          <option value="">Any</option>
          ${Statuses.map((s) => html`<option value=${s}>${s[0].toUpperCase() + s.slice(1)}</option>`)}
        </select>
      </label>
      <label>Sort by
        <select name="sort" value=${sort} onChange=${(/** @type {any} */ e) => setSearch({ sort: e.currentTarget.value === 'name' ? '' : e.currentTarget.value })}>
          ${Object.entries(Sorts).map(([key, label]) => html`<option value=${key}>${label}</option>`)}
        </select>
      </label>
      ${filtered ? html`<span class="muted overview-shown" role="status">${shown.length} shown</span>` : null}
    </div>
    ${rows.length === 0 || (serversOnly(all) && !filtered) ? html`<${NoAgents} />` : null}
    ${shown.length === 0 && rows.length > 0
      ? html`<${Empty} title="No host matches"><button type="button" onClick=${() => {
          setText('');
          setSearch({ q: '', status: '' });
        }}>Clear the filters</button><//>`
      : null}
    ${shown.length > 0
      ? html`<ul class="grid cards host-cards" aria-label="Hosts">
          ${shown.map((row) => html`<${HostCard} key=${row.id} row=${row} thresholds=${thresholds} seesAlerts=${seesAlerts && board.current !== null} now=${now} />`)}
        </ul>`
      : null}
  </section>`;
}

function NoAgents() {
  const { can } = useSession();
  return html`<${Empty} title="No agents yet">
    ${can('agents:write') ? html`<a href="/agents">Add a host</a> to watch it here beside this server.` : 'Hosts appear here once they are added on the Agents page.'}
  <//>`;
}

/** The level a value has reached on its thresholds, as a class: '', 'warning' or 'critical'. */
function level(/** @type {number | null | undefined} */ value, /** @type {Threshold | undefined} */ threshold) {
  if (value === null || value === undefined || !threshold) return '';
  return value >= threshold.critical ? 'critical' : value >= threshold.warning ? 'warning' : '';
}

/** @param {{ label: string, value: number | null | undefined, threshold: Threshold | undefined }} props */
function Gauge({ label, value, threshold }) {
  const known = value !== null && value !== undefined;
  return html`<div class=${`gauge ${level(value, threshold)}`}>
    <dt>${label}</dt>
    <dd>
      <span class="num">${percent(value)}</span>
      <span class="bar" aria-hidden="true"><span style=${{ transform: `scaleX(${known ? Math.min(100, Math.max(0, value)) / 100 : 0})` }}></span></span>
    </dd>
  </div>`;
}

/** @param {{ row: import('../lib/fleet.js').HostRow, thresholds: Thresholds | null, seesAlerts: boolean, now: number }} props */
function HostCard({ row, thresholds, seesAlerts, now }) {
  const { reading, alerts } = row;
  const heading = `host-${row.id}`;
  return html`<li class=${`card host-card ${row.status}`} aria-labelledby=${heading}>
    <div class="host-head">
      <h2 id=${heading}><a href=${`/hosts/${encodeURIComponent(row.id)}`}>${row.name}</a></h2>
      <span class=${`badge ${row.status}`}>${row.status}</span>
    </div>
    <p class="host-sub muted">${row.hostname || row.id}${row.name !== row.id ? html` · <code>${row.id}</code>` : null}</p>
    ${reading && row.status !== 'online' ? html`<p class="host-silent">Last sample ${ago(new Date(reading.receivedAt).toISOString(), now)}</p>` : null}
    ${reading
      ? html`<dl class="host-metrics">
          <${Gauge} label="CPU" value=${reading.cpu} threshold=${thresholds?.cpu} />
          <${Gauge} label="Memory" value=${reading.memory} threshold=${thresholds?.memory} />
          <${Gauge} label=${reading.disk ? `Disk ${reading.disk.mount}` : 'Disk'} value=${reading.disk?.percent} threshold=${thresholds?.disk} />
          <div class="gauge network">
            <dt>Network</dt>
            <dd class="num" aria-label=${`received ${rate(reading.rx)}, sent ${rate(reading.tx)}`}><span>↓ ${rate(reading.rx)}</span> <span>↑ ${rate(reading.tx)}</span></dd>
          </div>
        </dl>`
      : html`<p class="host-nodata muted">
          ${row.status === 'online' ? 'Waiting for a sample…' : row.lastSeen ? `No live data · last seen ${ago(row.lastSeen, now)}` : 'Never connected'}
        </p>`}
    ${seesAlerts
      ? html`<p class="host-alerts">
          ${alerts.count === 0
            ? html`<span class="muted">No active alerts</span>`
            : html`<span class=${`badge ${alerts.unacknowledged === 0 ? 'acknowledged' : alerts.level ?? 'warning'}`}>${alerts.count} ${alerts.count === 1 ? 'alert' : 'alerts'}</span>
                ${alerts.unacknowledged < alerts.count ? html` <span class="muted">${alerts.count - alerts.unacknowledged} acknowledged</span>` : null}`}
        </p>`
      : null}
  </li>`;
}

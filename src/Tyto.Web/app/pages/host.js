// One host: its facts, live charts fed by the metrics stream or the same charts over a history range (zoomable),
// its sensors, GPUs, containers and services when it has them, and its processes, which holders of
// `processes:signal` may signal.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { authorizedUrl, get } from '../lib/api.js';
import { useStream } from '../lib/sse.js';
import { useInterval } from '../lib/hooks.js';
import { setSearch } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { bytes, dateTime, duration, localInput, percent } from '../lib/format.js';
import { Charts, Ranges, Ring, extrasOf, frameValues, historyCharts, resolutionFor, seconds, viewOf, viewQuery, zoomOf } from '../lib/series.js';
import { Chart, Feed } from '../components/chart.js';
import { Empty, ErrorState, FormError, Loading, StreamStatus } from '../components/states.js';
import { Processes } from './host-processes.js';

/** How often a history range that ends now is read again, in ms. */
const FollowNow = 60_000;

/** The newest sample, for the parts of the page that show it: they re-render with it, the page does not. */
class Latest {
  constructor() {
    /** @type {any} */
    this.sample = null;
    /** @type {Set<(sample: any) => void>} */
    this.listeners = new Set();
  }

  set(/** @type {any} */ sample) {
    this.sample = sample;
    for (const listener of this.listeners) listener(sample);
  }
}

/** The newest sample, re-rendering the component with each. */
function useLatest(/** @type {Latest} */ latest) {
  const [sample, setSample] = useState(latest.sample);
  useEffect(() => {
    latest.listeners.add(setSample);
    setSample(latest.sample);
    return () => {
      latest.listeners.delete(setSample);
    };
  }, [latest]);
  return sample;
}

/** @param {{ id: string, search: string }} props */
export default function HostView({ id, search }) {
  const { can } = useSession();
  const mayHistory = can('history:read');
  const query = viewQuery(mayHistory ? search : '');
  // Relative ranges are taken from the moment they are picked (or picked again: `round`).
  const [round, setRound] = useState(0);
  const view = useMemo(() => viewOf(query, Date.now()), [search, round, mayHistory]);
  const live = view !== null && view.live;
  // A range that ends now moves on with it.
  useInterval(() => setRound((r) => r + 1), view !== null && !view.live && !view.zoomed && query.range !== 'custom' ? FollowNow : null);

  const latest = useMemo(() => new Latest(), [id]);
  const rings = useMemo(() => Object.fromEntries(Charts.map((chart) => [chart.id, new Ring()])), [id]);
  const feeds = useMemo(() => Object.fromEntries(Charts.map((chart) => [chart.id, new Feed(rings[chart.id].data)])), [rings]);
  const liveRef = useRef(live);
  liveRef.current = live;
  const pending = useRef(/** @type {any} */ (null));

  // Frames fill the rings at once; what shows is drawn at most once per animation frame.
  const draw = () => {
    const sample = pending.current;
    pending.current = null;
    if (liveRef.current) for (const feed of Object.values(feeds)) feed.changed();
    latest.set(sample);
  };
  /** @param {any} frame */
  const receive = (frame) => {
    const x = seconds(frame.timestamp);
    // The first sample comes twice (asked for, then streamed), and a reconnected stream may repeat its last.
    const last = rings.cpu.data.x[rings.cpu.length - 1];
    if (last !== undefined && x <= last) return;
    const values = frameValues(frame);
    for (const chart of Charts) rings[chart.id].push(x, values[chart.id]);
    if (pending.current === null) requestAnimationFrame(draw);
    pending.current = frame;
  };
  // The current sample at once, rather than at the stream's first frame; and whether the host exists at all.
  const [missing, setMissing] = useState(/** @type {any} */ (null));
  useEffect(() => {
    setMissing(null);
    const abort = new AbortController();
    get('/api/v1/export/metrics', { format: 'json', agent_id: id }, { signal: abort.signal }).then(receive, (error) => {
      if (error.code === 'AGENT_NOT_FOUND') setMissing(error);
    });
    return () => abort.abort();
  }, [rings]);
  const stream = useStream(missing ? null : '/api/v1/stream', { agent_id: id }, { metrics: receive });

  const [history, setHistory] = useState(/** @type {{ loading: boolean, error: any, resolution: string, points: number }} */ ({ loading: false, error: null, resolution: '', points: 0 }));
  useEffect(() => {
    if (view === null) return undefined;
    if (view.live) {
      for (const chart of Charts) feeds[chart.id].set(rings[chart.id].data);
      return undefined;
    }
    const abort = new AbortController();
    const span = /** @type {[number, number]} */ ([view.from / 1000, view.to / 1000]);
    const from = new Date(view.from).toISOString();
    const to = new Date(view.to).toISOString();
    /** @type {(resolution: string) => Promise<any>} */
    const load = (resolution) =>
      get('/api/v1/history', { from, to, resolution, agent_id: id }, { signal: abort.signal }).catch((error) => {
        // A raw range denser than one sample a second: the server names the resolution that fits.
        if (error.code === 'TOO_MANY_POINTS' && typeof error.details?.fits === 'string') return load(error.details.fits);
        throw error;
      });
    setHistory((h) => ({ ...h, loading: true, error: null }));
    load(resolutionFor(view.from, view.to, Date.now())).then(
      (answer) => {
        const charts = historyCharts(answer);
        for (const chart of Charts) if (chart.history) feeds[chart.id].set(charts[chart.id], span);
        setHistory({ loading: false, error: null, resolution: answer.resolution, points: answer.data.length });
      },
      (error) => {
        if (!abort.signal.aborted) setHistory((h) => ({ ...h, loading: false, error }));
      },
    );
    return () => abort.abort();
  }, [view, feeds]);

  if (missing) {
    return html`<${Empty} title="No such host">${missing.message}. <a href="/">Back to the fleet</a><//>`;
  }
  const zoom = mayHistory ? (/** @type {number} */ from, /** @type {number} */ to) => setSearch({ zoom: zoomOf(from, to) }) : null;
  const shown = Charts.filter((chart) => live || chart.history);

  return html`<section class="host-view" aria-labelledby="host-title">
    <div class="page-head">
      <${Heading} id=${id} latest=${latest} />
      <div class="host-status">
        <${StreamStatus} state=${stream} />
        <${Exports} id=${id} view=${view} />
      </div>
    </div>
    <${Facts} latest=${latest} />
    <${RangePicker} query=${query} view=${view} mayHistory=${mayHistory} again=${() => setRound((r) => r + 1)} />
    ${view === null ? html`<p class="history-state muted">Choose the window to show.</p>` : null}
    ${!live && view !== null
      ? html`<p class="history-state muted" role="status">
          ${history.loading ? 'Loading history…' : `${history.points} points at resolution ${history.resolution}`}
        </p>`
      : null}
    <${ErrorState} error=${live ? null : history.error} retry=${() => setRound((r) => r + 1)} />
    <div class="charts">
      ${shown.map((chart) => html`<${Chart} key=${chart.id} id=${chart.id} title=${chart.title} unit=${chart.unit} feed=${feeds[chart.id]} onZoom=${zoom} />`)}
    </div>
    <${Extras} latest=${latest} />
    ${can('processes:read') ? html`<${Processes} id=${id} maySignal=${can('processes:signal')} />` : null}
  </section>`;
}

/** @param {{ id: string, latest: Latest }} props */
function Heading({ id, latest }) {
  const sample = useLatest(latest);
  const hostname = sample?.system?.hostname;
  return html`<h1 id="host-title">${hostname ?? id}${hostname && hostname !== id ? html` <span class="muted host-id">${id}</span>` : null}</h1>`;
}

/** @param {{ latest: Latest }} props */
function Facts({ latest }) {
  const sample = useLatest(latest);
  if (!sample) return html`<div class="card host-facts"><${Loading} label="Waiting for the first sample…" /></div>`;
  const system = sample.system ?? {};
  const facts = [
    ['Hostname', system.hostname ?? '–'],
    ['Kernel', system.kernel ?? '–'],
    ['Architecture', system.architecture ?? '–'],
    ['Uptime', typeof system.uptime === 'number' ? duration(system.uptime) : '–'],
    ['CPU cores', sample.cpu?.cores?.length ?? '–'],
    ['Memory', bytes(sample.memory?.total)],
    ['Processes', sample.processes?.total ?? '–'],
    ['Last sample', dateTime(sample.timestamp)],
  ];
  return html`<div class="card host-facts">
    <dl>${facts.map(([name, value]) => html`<div key=${name}><dt>${name}</dt><dd>${value}</dd></div>`)}</dl>
  </div>`;
}

/**
 * @param {{ query: import('../lib/series.js').ViewQuery, view: import('../lib/series.js').View | null, mayHistory: boolean, again: () => void }} props
 */
function RangePicker({ query, view, mayHistory, again }) {
  const now = Date.now();
  const [from, setFrom] = useState(() => localInput(query.from ? new Date(query.from).getTime() : now - 3600_000));
  const [to, setTo] = useState(() => localInput(query.to ? new Date(query.to).getTime() : now));
  const [error, setError] = useState(/** @type {{ message: string } | null} */ (null));
  const ranges = mayHistory ? Ranges : Ranges.filter(([name]) => name === 'live');

  const pick = (/** @type {string} */ name) => {
    if (name === query.range && !query.zoom) again();
    if (name !== 'custom') {
      setSearch({ range: name === 'live' ? undefined : name, zoom: undefined, from: undefined, to: undefined });
      return;
    }
    // A custom range starts as the window shown (the last hour when live), to be edited.
    const start = view && !view.live ? view.from : now - 3600_000;
    const end = view && !view.live ? view.to : now;
    setFrom(localInput(start));
    setTo(localInput(end));
    setSearch({ range: 'custom', from: new Date(start).toISOString(), to: new Date(end).toISOString(), zoom: undefined });
  };
  /** @param {Event} event */
  const show = (event) => {
    event.preventDefault();
    const start = new Date(from).getTime();
    const end = new Date(to).getTime();
    if (!(start < end)) {
      setError({ message: 'The start must be before the end.' });
      return;
    }
    setError(null);
    setSearch({ range: 'custom', from: new Date(start).toISOString(), to: new Date(end).toISOString(), zoom: undefined });
  };

  return html`<div class="range-bar">
    <div class="range-picker" role="group" aria-label="Range">
      ${ranges.map(([name, label]) => html`<button type="button" aria-pressed=${query.range === name ? 'true' : 'false'} onClick=${() => pick(name)}>${label}</button>`)}
    </div>
    ${view !== null && !view.live && view.zoomed
      ? html`<span class="zoomed">
          <span class="muted">${dateTime(view.from)} – ${dateTime(view.to)}</span>
          <button type="button" onClick=${() => setSearch({ zoom: undefined })}>Reset zoom</button>
        </span>`
      : null}
    ${query.range === 'custom'
      ? html`<form class="range-custom toolbar" onSubmit=${show}>
          <label>From <input type="datetime-local" value=${from} onInput=${(/** @type {any} */ e) => setFrom(e.currentTarget.value)} required /></label>
          <label>To <input type="datetime-local" value=${to} onInput=${(/** @type {any} */ e) => setTo(e.currentTarget.value)} required /></label>
          <button type="submit" class="primary">Show</button>
          <${FormError} error=${error} />
        </form>`
      : null}
  </div>`;
}

/** @param {{ id: string, view: import('../lib/series.js').View | null }} props */
function Exports({ id, view }) {
  if (view === null) return null;
  const range = view.live
    ? {}
    : { from: new Date(view.from).toISOString(), to: new Date(view.to).toISOString(), resolution: resolutionFor(view.from, view.to, Date.now()) };
  const link = (/** @type {'csv' | 'json'} */ format) =>
    html`<a class="button" href=${authorizedUrl('/api/v1/export/metrics', { format, ...range, agent_id: id })} download="">Export ${format.toUpperCase()}</a>`;
  return html`<span class="exports" title=${view.live ? 'The current sample' : 'The history of the range'}>${link('csv')} ${link('json')}</span>`;
}

/** @param {{ latest: Latest }} props */
function Extras({ latest }) {
  const sample = useLatest(latest);
  if (!sample) return null;
  const { sensors, gpus, containers, services } = extrasOf(sample);
  const degrees = (/** @type {number | null | undefined} */ value) => (typeof value === 'number' ? `${value.toFixed(1)} °C` : '–');
  return html`<div class="grid two host-extras">
    ${sensors.length > 0
      ? html`<section class="card" aria-labelledby="temperatures">
          <h2 id="temperatures">Temperatures</h2>
          <div class="table-wrap"><table>
            <thead><tr><th>Sensor</th><th class="num">Now</th><th class="num">High</th><th class="num">Critical</th></tr></thead>
            <tbody>${sensors.map((/** @type {any} */ s) => html`<tr key=${s.name}>
              <td>${s.name}</td><td class=${`num${s.critical && s.value >= s.critical ? ' crit' : s.high && s.value >= s.high ? ' warn' : ''}`}>${degrees(s.value)}</td>
              <td class="num">${degrees(s.high)}</td><td class="num">${degrees(s.critical)}</td>
            </tr>`)}</tbody>
          </table></div>
        </section>`
      : null}
    ${gpus.length > 0
      ? html`<section class="card" aria-labelledby="gpus">
          <h2 id="gpus">GPUs</h2>
          <div class="table-wrap"><table>
            <thead><tr><th>GPU</th><th class="num">Busy</th><th class="num">Memory</th><th class="num">Temperature</th><th class="num">Power</th></tr></thead>
            <tbody>${gpus.map((/** @type {any} */ g) => html`<tr key=${g.index}>
              <td>${g.name} <span class="muted">${g.vendor}</span></td>
              <td class="num">${percent(g.utilization)}</td>
              <td class="num">${bytes(g.memoryUsed)} / ${bytes(g.memoryTotal)}</td>
              <td class="num">${degrees(g.temperature)}</td>
              <td class="num">${typeof g.powerWatts === 'number' ? `${g.powerWatts.toFixed(0)} W` : '–'}</td>
            </tr>`)}</tbody>
          </table></div>
        </section>`
      : null}
    ${containers
      ? html`<section class="card" aria-labelledby="containers">
          <h2 id="containers">Containers</h2>
          ${containers.length === 0
            ? html`<${Empty} title="No containers" />`
            : html`<div class="table-wrap host-list"><table>
                <thead><tr><th>Name</th><th>Status</th><th class="num">CPU</th><th class="num">Memory</th></tr></thead>
                <tbody>${containers.map((/** @type {any} */ c) => html`<tr key=${c.id}>
                  <td>${c.name}</td><td><span class=${`badge ${c.status}`}>${c.status}</span></td>
                  <td class="num">${percent(c.cpu)}</td><td class="num">${bytes(c.memory)}</td>
                </tr>`)}</tbody>
              </table></div>`}
        </section>`
      : null}
    ${services
      ? html`<section class="card" aria-labelledby="services">
          <h2 id="services">Services</h2>
          ${services.length === 0
            ? html`<${Empty} title="No services" />`
            : html`<div class="table-wrap host-list"><table>
                <thead><tr><th>Service</th><th>State</th><th>Sub-state</th></tr></thead>
                <tbody>${services.map((/** @type {any} */ s) => html`<tr key=${s.name}>
                  <td>${s.name}</td><td><span class=${`badge ${s.state}`}>${s.state}</span></td><td>${s.subState}</td>
                </tr>`)}</tbody>
              </table></div>`}
        </section>`
      : null}
  </div>`;
}

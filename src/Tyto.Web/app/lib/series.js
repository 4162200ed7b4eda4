// The host view's data: which series each chart draws, read from a live sample (SSE `metrics` frame) or from a
// history answer; the bounded buffers live charts keep; which range and resolution a history view asks for; and
// which of a sample's optional sections the host has.

/** @typedef {'percent' | 'rate' | 'number'} Unit */
/**
 * @typedef {object} ChartSpec
 * @property {string} id
 * @property {string} title
 * @property {Unit} unit
 * @property {boolean} history  whether history keeps this chart's series
 */
/** Values of one chart at one instant, by series label. @typedef {Record<string, number>} Values */
/**
 * A chart's data as uPlot takes it: `x` in Unix seconds, and one column per series, aligned with `x` (null: no value).
 * @typedef {{ labels: string[], x: number[], columns: (number | null)[][] }} ChartData
 */

/** @type {ChartSpec[]} */
export const Charts = [
  { id: 'cpu', title: 'CPU', unit: 'percent', history: true },
  { id: 'cores', title: 'CPU per core', unit: 'percent', history: false },
  { id: 'memory', title: 'Memory and swap', unit: 'percent', history: true },
  { id: 'load', title: 'Load average', unit: 'number', history: true },
  { id: 'mounts', title: 'Disk space used', unit: 'percent', history: true },
  { id: 'network', title: 'Network', unit: 'rate', history: true },
  { id: 'diskio', title: 'Disk IO', unit: 'rate', history: true },
];

/** The most points a live chart keeps: ten minutes at one sample a second. */
export const LivePoints = 600;

const ratio = (/** @type {number} */ part, /** @type {number} */ whole) => (whole > 0 ? (100 * part) / whole : 0);
const sum = (/** @type {any[] | undefined} */ rows, /** @type {string} */ field) => (rows ?? []).reduce((total, row) => total + (Number(row[field]) || 0), 0);

/**
 * Every chart's values in one live sample, as the server reduces a sample for history: memory and swap as used %,
 * mounts with a size, network summed over the interfaces but the loopback.
 * @param {any} frame  the `data` of an SSE `metrics` frame
 * @returns {Record<string, Values>}
 */
export function frameValues(frame) {
  /** @type {Values} */
  const cores = {};
  for (const core of frame.cpu?.cores ?? []) cores[`core ${core.id}`] = core.usage;
  /** @type {Values} */
  const mounts = {};
  for (const mount of frame.disk?.mounts ?? []) {
    if (mount.total > 0) mounts[mount.mountpoint] = ratio(mount.used, mount.total);
  }
  const interfaces = (frame.network?.interfaces ?? []).filter((/** @type {any} */ i) => i.name !== 'lo');
  const memory = frame.memory ?? {};
  const load = frame.cpu?.loadAverage ?? {};
  return {
    cpu: { total: frame.cpu?.totalUsage ?? 0 },
    cores,
    memory: { memory: ratio(memory.used, memory.total), swap: ratio(memory.swapUsed, memory.swapTotal) },
    load: { '1 min': load.one ?? 0, '5 min': load.five ?? 0, '15 min': load.fifteen ?? 0 },
    mounts,
    network: { received: sum(interfaces, 'rxRate'), sent: sum(interfaces, 'txRate') },
    diskio: { read: sum(frame.disk?.io, 'readRate'), written: sum(frame.disk?.io, 'writeRate') },
  };
}

/**
 * The sections of a sample shown only where the host has them: sensors and GPUs when there are any; containers and
 * services when their source is available (null otherwise), even if the list is empty.
 * @param {any} sample
 * @returns {{ sensors: any[], gpus: any[], containers: any[] | null, services: any[] | null }}
 */
export function extrasOf(sample) {
  return {
    sensors: sample.temperature?.sensors ?? [],
    gpus: sample.gpu?.available ? sample.gpu.gpus ?? [] : [],
    containers: sample.docker?.available ? sample.docker.containers ?? [] : null,
    services: sample.systemd?.available ? sample.systemd.services ?? [] : null,
  };
}

/** Unix seconds of an ISO time. */
export const seconds = (/** @type {string} */ iso) => new Date(iso).getTime() / 1000;

/**
 * A live chart's last `capacity` points. A series that appears (a core, a mount) gets a column, empty before it
 * came; one that is gone from every kept point is dropped.
 */
export class Ring {
  constructor(capacity = LivePoints) {
    this.capacity = capacity;
    /** @type {ChartData} */
    this.data = { labels: [], x: [], columns: [] };
  }

  /** Adds the values at `x` (Unix seconds), dropping the oldest point beyond the capacity. */
  push(/** @type {number} */ x, /** @type {Values} */ values) {
    const { labels, columns } = this.data;
    for (const label of Object.keys(values)) {
      if (!labels.includes(label)) {
        labels.push(label);
        columns.push(this.data.x.map(() => null));
      }
    }
    this.data.x.push(x);
    labels.forEach((label, i) => columns[i].push(values[label] ?? null));
    if (this.data.x.length > this.capacity) {
      this.data.x.shift();
      for (const column of columns) column.shift();
    }
    // Only a series missing from this point can have gone from every point.
    for (let i = labels.length - 1; i >= 0; i--) {
      if (columns[i][columns[i].length - 1] === null && columns[i].every((value) => value === null)) {
        labels.splice(i, 1);
        columns.splice(i, 1);
      }
    }
  }

  get length() {
    return this.data.x.length;
  }
}

/** @param {any} stats  `{avg,min,max}` */
const avg = (stats) => (stats && typeof stats.avg === 'number' ? stats.avg : null);

/**
 * The charts of a history answer: each statistic's average per point (the per-core chart has no history).
 * @param {{ data: any[] }} response  `GET /api/v1/history`
 * @returns {Record<string, ChartData>}
 */
export function historyCharts(response) {
  const points = response.data;
  const x = points.map((point) => seconds(point.timestamp));
  /** @param {Record<string, (point: any) => number | null>} series */
  const chart = (series) => ({ labels: Object.keys(series), x, columns: Object.values(series).map((read) => points.map(read)) });
  /** @type {string[]} */
  const mountpoints = [];
  for (const point of points) {
    for (const name of Object.keys(point.mounts ?? {})) if (!mountpoints.includes(name)) mountpoints.push(name);
  }
  return {
    cpu: chart({ total: (p) => avg(p.cpu) }),
    memory: chart({ memory: (p) => avg(p.memory), swap: (p) => avg(p.swap) }),
    load: chart({ '1 min': (p) => avg(p.load?.one), '5 min': (p) => avg(p.load?.five), '15 min': (p) => avg(p.load?.fifteen) }),
    mounts: chart(Object.fromEntries(mountpoints.map((name) => [name, (/** @type {any} */ p) => avg(p.mounts?.[name])]))),
    network: chart({ received: (p) => avg(p.network?.rx), sent: (p) => avg(p.network?.tx) }),
    diskio: chart({ read: (p) => avg(p.diskio?.read), written: (p) => avg(p.diskio?.write) }),
  };
}

/** @typedef {'live' | '1h' | '6h' | '24h' | '7d' | '30d' | 'custom'} RangeName */

const Hour = 3600_000;
const Day = 24 * Hour;

/** The ranges the picker offers, with how far back each reaches (custom: the from/to the user gives). */
export const Ranges = /** @type {const} */ ([
  ['live', 'Live', 0],
  ['1h', '1 h', Hour],
  ['6h', '6 h', 6 * Hour],
  ['24h', '24 h', Day],
  ['7d', '7 d', 7 * Day],
  ['30d', '30 d', 30 * Day],
  ['custom', 'Custom', 0],
]);

/**
 * Each resolution with how long history keeps it and the width of its points (raw: at most one a second, the
 * fastest collection interval), finest first.
 */
const Resolutions = /** @type {const} */ ([
  ['raw', 48 * Hour, 1000],
  ['1m', 14 * Day, 60_000],
  ['5m', 90 * Day, 300_000],
  ['1h', 730 * Day, Hour],
]);

/** Points a history chart stays under: an hour of raw points at one a second, well within the server's 10,000. */
export const HistoryPoints = 4000;

/**
 * The finest resolution that still keeps `from` and gives a window at most `HistoryPoints` points: 1 h raw, 6 h
 * and 24 h by the minute, 7 d by 5 minutes, 30 d by the hour; a zoomed window gets finer as it narrows.
 * @param {number} from  ms
 * @param {number} to  ms
 * @param {number} now  ms
 * @returns {'raw' | '1m' | '5m' | '1h'}
 */
export function resolutionFor(from, to, now) {
  for (const [name, kept, width] of Resolutions) {
    if (now - from <= kept && (to - from) / width <= HistoryPoints) return name;
  }
  return '1h';
}

/**
 * What the host view shows, from its URL: live or a history window. `range` names a picker entry; `from`/`to`
 * (ISO) give the custom one; `zoom` (`from/to`, ISO) narrows any of them to a window dragged on a chart.
 * @typedef {{ range: RangeName, from: string, to: string, zoom: string }} ViewQuery
 * @typedef {{ live: true } | { live: false, from: number, to: number, zoomed: boolean }} View
 */

/** @returns {ViewQuery} */
export function viewQuery(/** @type {string} */ search) {
  const params = new URLSearchParams(search);
  const range = /** @type {RangeName} */ (Ranges.some(([name]) => name === params.get('range')) ? params.get('range') : 'live');
  return { range, from: params.get('from') ?? '', to: params.get('to') ?? '', zoom: params.get('zoom') ?? '' };
}

/**
 * The window a query shows at `now`; null when its times do not read (a custom range half filled in).
 * @param {ViewQuery} query
 * @param {number} now  ms
 * @returns {View | null}
 */
export function viewOf(query, now) {
  if (query.zoom) {
    const [from, to] = query.zoom.split('/').map((iso) => new Date(iso).getTime());
    if (from < to) return { live: false, from, to, zoomed: true };
  }
  if (query.range === 'live') return { live: true };
  if (query.range === 'custom') {
    const from = new Date(query.from).getTime();
    const to = query.to ? new Date(query.to).getTime() : now;
    return from < to ? { live: false, from, to, zoomed: false } : null;
  }
  const span = Ranges.find(([name]) => name === query.range)?.[2] ?? Hour;
  return { live: false, from: now - span, to: now, zoomed: false };
}

/** `from/to` of a zoom window, for the URL. */
export const zoomOf = (/** @type {number} */ from, /** @type {number} */ to) => `${new Date(from).toISOString()}/${new Date(to).toISOString()}`;

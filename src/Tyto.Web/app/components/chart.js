// A time chart drawn by uPlot, fed without re-rendering: its data comes through a Feed, whose updates go straight to
// the plot (setData). It takes its colours from the theme's custom properties, follows the theme and the width of
// its container, and reports a window dragged on it.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../lib/html.js';
import { bytes, percent } from '../lib/format.js';

/** @typedef {import('../lib/series.js').ChartData} ChartData */
/** @typedef {import('../lib/series.js').Unit} Unit */

/** A chart's data and who draws it: `set` replaces it, `changed` tells the plots the data changed in place. */
export class Feed {
  /** @param {ChartData} data */
  constructor(data) {
    this.data = data;
    /** @type {[number, number] | null} the x window shown (Unix seconds); null: the data's own */
    this.span = null;
    /** @type {Set<() => void>} */
    this.listeners = new Set();
  }

  set(/** @type {ChartData} */ data, /** @type {[number, number] | null} */ span = null) {
    this.data = data;
    this.span = span;
    this.changed();
  }

  changed() {
    for (const listener of this.listeners) listener();
  }

  /** @returns {() => void} */
  listen(/** @type {() => void} */ listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** @type {Record<Unit, (value: number) => string>} */
const Formats = {
  percent: (value) => percent(value),
  rate: (value) => `${bytes(value)}/s`,
  number: (value) => value.toFixed(2),
};

/** @type {Record<Unit, (value: number) => string>} */
const AxisFormats = {
  percent: (value) => `${value} %`,
  rate: (value) => bytes(value),
  number: (value) => String(value),
};

const Height = 200;
/** The narrowest time window a chart shows, in seconds: a live chart's first points do not spread over its width. */
const MinSpan = 60;
/** The most series a chart lists in its legend. */
const MaxLegend = 16;

/**
 * The window the points need, at least MinSpan wide and ending at the last point (uPlot would spread a single
 * point over a day); null without points.
 * @returns {[number, number] | null}
 */
function dataSpan(/** @type {readonly number[]} */ x) {
  if (x.length === 0) return null;
  const last = x[x.length - 1];
  return [Math.min(x[0], last - MinSpan), last];
}

/** The theme's value of a custom property, at this moment. */
const themed = (/** @type {string} */ name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/**
 * @param {ChartData} data
 * @returns {uPlot.AlignedData}
 */
const aligned = (data) => /** @type {uPlot.AlignedData} */ ([data.x, ...data.columns]);

/**
 * The plot's options for these series in the current theme.
 * @param {Feed} feed
 * @param {Unit} unit
 * @param {number} width
 * @param {((from: number, to: number) => void) | null} onZoom
 * @returns {uPlot.Options}
 */
function options(feed, unit, width, onZoom) {
  const text = themed('--text');
  const grid = themed('--chart-grid');
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const format = Formats[unit];
  return {
    width,
    height: Height,
    series: [
      { value: (_u, value) => (value === null ? '–' : new Date(value * 1000).toLocaleTimeString()) },
      ...feed.data.labels.map((label, i) => ({
        label,
        stroke: themed(`--series-${(i % 6) + 1}`),
        width: 1.5,
        spanGaps: false,
        value: (/** @type {uPlot} */ _u, /** @type {number | null} */ value) => (value === null ? '–' : format(value)),
      })),
    ],
    scales: {
      x: { time: true, range: (_u, min, max) => feed.span ?? dataSpan(feed.data.x) ?? [min, max] },
      y: { range: (_u, _min, max) => [0, unit === 'percent' ? Math.max(100, max) : Math.max(max * 1.1, unit === 'rate' ? 1024 : 1)] },
    },
    axes: [
      { ...axis, space: 70 },
      { ...axis, size: unit === 'rate' ? 76 : 56, values: (_u, splits) => splits.map((value) => AxisFormats[unit](value)) },
    ],
    cursor: { drag: { x: onZoom !== null, y: false, setScale: false } },
    // A legend of dozens of cores would dwarf its plot: beyond MaxLegend series the lines speak for themselves.
    legend: { live: true, show: feed.data.labels.length <= MaxLegend },
    hooks: {
      setSelect: [
        (u) => {
          if (!onZoom || u.select.width < 4) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          onZoom(from * 1000, to * 1000);
        },
      ],
    },
  };
}

/**
 * @param {{ title: string, unit: Unit, feed: Feed, onZoom?: ((from: number, to: number) => void) | null, id: string }} props
 *   `onZoom` gets the dragged window in ms; without it the chart cannot be dragged.
 */
export function Chart({ title, unit, feed, onZoom = null, id }) {
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  const zoomable = onZoom !== null;

  useEffect(() => {
    const target = /** @type {HTMLDivElement} */ (box.current);
    /** @type {uPlot | null} */
    let plot = null;
    /** @type {string} */
    let drawn = '';
    const report = zoomable ? (/** @type {number} */ from, /** @type {number} */ to) => zoom.current?.(from, to) : null;
    const create = () => {
      plot?.destroy();
      drawn = feed.data.labels.join('\n');
      plot = new uPlot(options(feed, unit, Math.max(target.clientWidth, 100), report), aligned(feed.data), target);
    };
    const update = () => {
      target.dataset.points = String(feed.data.x.length);
      if (!plot || feed.data.labels.join('\n') !== drawn) create();
      else plot.setData(aligned(feed.data));
    };
    update();
    const stop = feed.listen(update);
    const resized = new ResizeObserver(() => {
      const width = Math.max(target.clientWidth, 100);
      if (plot && plot.width !== width) plot.setSize({ width, height: Height });
    });
    resized.observe(target);
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    window.addEventListener('tyto:theme', create);
    scheme.addEventListener('change', create);
    return () => {
      stop();
      resized.disconnect();
      window.removeEventListener('tyto:theme', create);
      scheme.removeEventListener('change', create);
      plot?.destroy();
    };
  }, [feed, unit, zoomable]);

  return html`<figure class="chart-card card" aria-labelledby=${`chart-${id}`}>
    <figcaption id=${`chart-${id}`}>${title}</figcaption>
    <div class="chart" ref=${box} data-chart=${id} role="img" aria-label=${`${title} chart`}></div>
  </figure>`;
}

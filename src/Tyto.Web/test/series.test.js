import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring, extrasOf, frameValues, historyCharts, resolutionFor, viewOf, viewQuery, zoomOf } from '../app/lib/series.js';

/** A `metrics` frame as the stream sends it, with these cores and mounts. */
function frame(/** @type {number[]} */ cores, /** @type {string[]} */ mounts) {
  return {
    timestamp: '2026-01-15T10:30:00Z',
    cpu: { totalUsage: 20, cores: cores.map((id) => ({ id, usage: 10 + id, frequency: 3600 })), loadAverage: { one: 0.5, five: 0.4, fifteen: 0.3 } },
    memory: { total: 16e9, used: 4e9, free: 2e9, available: 10e9, swapTotal: 0, swapUsed: 0 },
    disk: {
      mounts: [...mounts.map((mountpoint) => ({ device: 'sda1', mountpoint, fstype: 'ext4', total: 400, used: 100, free: 300 })), { mountpoint: '/proc', total: 0, used: 0 }],
      io: [{ device: 'sda', readRate: 100, writeRate: 50 }, { device: 'sdb', readRate: 1, writeRate: 2 }],
    },
    network: { interfaces: [{ name: 'lo', rxRate: 1e6, txRate: 1e6 }, { name: 'eth0', rxRate: 300, txRate: 200 }, { name: 'eth1', rxRate: 5, txRate: 5 }] },
  };
}

test('a live frame gives every chart its series, as history reduces a sample', () => {
  const values = frameValues(frame([0, 1], ['/', '/home']));
  assert.deepEqual(values.cpu, { total: 20 });
  assert.deepEqual(values.cores, { 'core 0': 10, 'core 1': 11 });
  assert.deepEqual(values.memory, { memory: 25, swap: 0 });
  assert.deepEqual(values.load, { '1 min': 0.5, '5 min': 0.4, '15 min': 0.3 });
  assert.deepEqual(values.mounts, { '/': 25, '/home': 25 }, 'a mount without size is left out');
  assert.deepEqual(values.network, { received: 305, sent: 205 }, 'the loopback is left out');
  assert.deepEqual(values.diskio, { read: 101, written: 52 });
});

test('a frame missing sections still gives every chart', () => {
  const values = frameValues({ timestamp: '2026-01-15T10:30:00Z', cpu: { totalUsage: 3 } });
  assert.deepEqual(values.cpu, { total: 3 });
  assert.deepEqual(values.mounts, {});
  assert.deepEqual(values.network, { received: 0, sent: 0 });
});

test('temperatures, GPUs, containers and services show only where the host has them', () => {
  const none = extrasOf({
    temperature: { sensors: [] },
    gpu: { available: false, reason: 'nvidia-smi cannot be run' },
    docker: { available: false, reason: 'No Docker socket at /var/run/docker.sock' },
    systemd: { available: false, reason: 'systemd is not the init system of this host' },
  });
  assert.deepEqual(none, { sensors: [], gpus: [], containers: null, services: null });
  assert.deepEqual(extrasOf({}), none, 'an older agent sends none of them');

  const sensor = { name: 'Core 0', value: 45, high: 80, critical: 100 };
  const gpu = { index: 0, name: 'RTX', vendor: 'nvidia', utilization: 45 };
  const some = extrasOf({
    temperature: { sensors: [sensor] },
    gpu: { available: true, gpus: [gpu] },
    docker: { available: true, containers: [] },
    systemd: { available: true, services: [{ name: 'nginx.service', state: 'active', subState: 'running' }] },
  });
  assert.deepEqual(some.sensors, [sensor]);
  assert.deepEqual(some.gpus, [gpu]);
  assert.deepEqual(some.containers, [], 'an engine without containers still shows, empty');
  assert.equal(some.services?.length, 1);
});

test('per-core and per-mount series appear with a column empty before them, and go once gone from every point', () => {
  const cores = new Ring(3);
  const mounts = new Ring(3);
  const push = (/** @type {number} */ x, /** @type {number[]} */ ids, /** @type {string[]} */ points) => {
    const values = frameValues(frame(ids, points));
    cores.push(x, values.cores);
    mounts.push(x, values.mounts);
  };
  push(1, [0], ['/']);
  push(2, [0, 1], ['/', '/mnt/usb']);
  assert.deepEqual(cores.data, { labels: ['core 0', 'core 1'], x: [1, 2], columns: [[10, 10], [null, 11]] });
  assert.deepEqual(mounts.data.labels, ['/', '/mnt/usb']);

  push(3, [0, 1], ['/']);
  assert.deepEqual(mounts.data, { labels: ['/', '/mnt/usb'], x: [1, 2, 3], columns: [[25, 25, 25], [null, 25, null]] });
  push(4, [0, 1], ['/']);
  assert.deepEqual(mounts.data.columns[1], [25, null, null]);
  push(5, [0, 1], ['/']);
  assert.deepEqual(mounts.data, { labels: ['/'], x: [3, 4, 5], columns: [[25, 25, 25]] }, 'the unmounted disk has left the chart');
});

test('a live chart keeps at most its capacity, the newest points', () => {
  const ring = new Ring(600);
  for (let x = 0; x < 1000; x++) ring.push(x, { total: x % 100 });
  assert.equal(ring.length, 600);
  assert.equal(ring.data.columns[0].length, 600);
  assert.equal(ring.data.x[0], 400);
  assert.equal(ring.data.x[599], 999);
});

test('a history answer gives each chart the average of its statistic per point', () => {
  const stats = (/** @type {number} */ avg) => ({ avg, min: avg - 1, max: avg + 1 });
  const point = (/** @type {string} */ timestamp, /** @type {Record<string, any>} */ mounts) => ({
    timestamp,
    samples: 60,
    cpu: stats(10),
    memory: stats(50),
    swap: stats(0),
    load: { one: stats(1), five: stats(2), fifteen: stats(3) },
    disk: stats(40),
    network: { rx: stats(100), tx: stats(200) },
    diskio: { read: stats(7), write: stats(8) },
    mounts,
    interfaces: {},
  });
  const charts = historyCharts({
    data: [point('2026-01-15T10:00:00Z', { '/': stats(40) }), point('2026-01-15T10:01:00Z', { '/': stats(41), '/data': stats(90) })],
  });
  const x = [Date.UTC(2026, 0, 15, 10) / 1000, Date.UTC(2026, 0, 15, 10, 1) / 1000];
  assert.deepEqual(charts.cpu, { labels: ['total'], x, columns: [[10, 10]] });
  assert.deepEqual(charts.memory.columns, [[50, 50], [0, 0]]);
  assert.deepEqual(charts.load.columns, [[1, 1], [2, 2], [3, 3]]);
  assert.deepEqual(charts.mounts, { labels: ['/', '/data'], x, columns: [[40, 41], [null, 90]] });
  assert.deepEqual(charts.network.columns, [[100, 100], [200, 200]]);
  assert.deepEqual(charts.diskio.columns, [[7, 7], [8, 8]]);
  assert.equal(charts.cores, undefined, 'history keeps no per-core series');
});

test('each range gets the finest resolution history keeps for it, within the points a chart wants', () => {
  const now = Date.UTC(2026, 0, 15, 12);
  const hours = (/** @type {number} */ n) => n * 3600_000;
  const last = (/** @type {number} */ span) => resolutionFor(now - span, now, now);
  assert.equal(last(hours(1)), 'raw');
  assert.equal(last(hours(6)), '1m');
  assert.equal(last(hours(24)), '1m');
  assert.equal(last(hours(24 * 7)), '5m');
  assert.equal(last(hours(24 * 30)), '1h');
  assert.equal(last(hours(24 * 365)), '1h');
  assert.equal(resolutionFor(now - hours(50), now - hours(49), now), '1m', 'raw points are kept 48 h');
  assert.equal(resolutionFor(now - hours(24 * 20), now - hours(24 * 19), now), '5m', 'minutes are kept 14 days');
  assert.equal(resolutionFor(now - hours(24 * 100), now - hours(24 * 99), now), '1h', 'five minutes are kept 90 days');
});

test('zooming into a window asks for a finer resolution', () => {
  const now = Date.UTC(2026, 0, 15, 12);
  const hours = (/** @type {number} */ n) => n * 3600_000;
  assert.equal(resolutionFor(now - hours(24 * 7), now, now), '5m');
  assert.equal(resolutionFor(now - hours(30), now - hours(29.5), now), 'raw');
});

test('the URL keeps the range, a custom window and a zoom', () => {
  const now = Date.UTC(2026, 0, 15, 12);
  assert.deepEqual(viewOf(viewQuery(''), now), { live: true });
  assert.deepEqual(viewOf(viewQuery('?range=nonsense'), now), { live: true });
  assert.deepEqual(viewOf(viewQuery('?range=6h'), now), { live: false, from: now - 6 * 3600_000, to: now, zoomed: false });
  const custom = viewQuery('?range=custom&from=2026-01-14T10:00:00Z&to=2026-01-14T11:00:00Z');
  assert.deepEqual(viewOf(custom, now), { live: false, from: Date.UTC(2026, 0, 14, 10), to: Date.UTC(2026, 0, 14, 11), zoomed: false });
  assert.equal(viewOf(viewQuery('?range=custom&from=2026-01-14T10:00:00Z&to=2026-01-14T09:00:00Z'), now), null);
  assert.equal(viewOf(viewQuery('?range=custom'), now), null);

  const zoom = zoomOf(Date.UTC(2026, 0, 15, 11, 10), Date.UTC(2026, 0, 15, 11, 20));
  assert.equal(zoom, '2026-01-15T11:10:00.000Z/2026-01-15T11:20:00.000Z');
  const zoomed = viewQuery(`?range=1h&zoom=${encodeURIComponent(zoom)}`);
  assert.equal(zoomed.range, '1h');
  assert.deepEqual(viewOf(zoomed, now), { live: false, from: Date.UTC(2026, 0, 15, 11, 10), to: Date.UTC(2026, 0, 15, 11, 20), zoomed: true });
});

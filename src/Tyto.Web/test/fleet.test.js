import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeartbeatMs, alertsByHost, applyAlertEvent, boardOf, filterHosts, hostRows, isSilent, read, serversOnly, sortHosts, sortKey } from '../app/lib/fleet.js';

/** A sample as the stream sends it, with what the overview reads. */
function sample(/** @type {string} */ timestamp, { cpu = 12.5, used = 4, mounts = [{ mountpoint: '/', used: 30, total: 100 }] } = {}) {
  return {
    agentId: 'web-1',
    timestamp,
    system: { hostname: 'web-1.example' },
    cpu: { totalUsage: cpu, cores: [] },
    memory: { total: 16, used },
    disk: { mounts: mounts.map((m) => ({ device: '/dev/x', fstype: 'ext4', free: m.total - m.used, ...m })) },
    network: {
      interfaces: [
        { name: 'lo', rxRate: 1000, txRate: 1000 },
        { name: 'eth0', rxRate: 300, txRate: 50 },
        { name: 'eth1', rxRate: 200, txRate: 25 },
      ],
    },
  };
}

/** @param {Partial<import('../app/lib/fleet.js').Agent>} agent */
const agent = (agent) => ({ id: 'x', name: 'x', hostname: 'x', status: 'online', last_seen: null, ...agent });

test('a sample reads as CPU, memory and the fullest disk in percent, and the network without loopback', () => {
  const reading = read(null, sample('2026-01-01T00:00:00Z', { mounts: [{ mountpoint: '/', used: 30, total: 100 }, { mountpoint: '/data', used: 90, total: 100 }, { mountpoint: '/empty', used: 0, total: 0 }] }), 5);
  assert.deepEqual(reading, {
    timestamp: Date.parse('2026-01-01T00:00:00Z'),
    receivedAt: 5,
    interval: 0,
    hostname: 'web-1.example',
    cpu: 12.5,
    memory: 25,
    disk: { mount: '/data', percent: 90 },
    rx: 500,
    tx: 75,
  });
});

test('a host without mounts or interfaces has no disk and no network', () => {
  const bare = { ...sample('2026-01-01T00:00:00Z', { mounts: [] }), network: { interfaces: [{ name: 'lo', rxRate: 5, txRate: 5 }] } };
  const reading = read(null, bare, 0);
  assert.equal(reading.disk, null);
  assert.equal(reading.rx, null);
  assert.equal(reading.tx, null);
});

test('the interval is measured between samples, and an older sample (a drained backlog) changes nothing', () => {
  const first = read(null, sample('2026-01-01T00:00:00Z'), 0);
  const second = read(first, sample('2026-01-01T00:00:02Z', { cpu: 50 }), 2000);
  assert.equal(second.interval, 2000);
  assert.equal(second.cpu, 50);
  assert.equal(read(second, sample('2026-01-01T00:00:01Z', { cpu: 99 }), 2100), second);
  assert.equal(read(second, sample('2026-01-01T00:00:02Z', { cpu: 99 }), 2100), second);
});

test('a host is silent after three heartbeats without a sample, or three of its intervals when it samples less often', () => {
  const quick = read(read(null, sample('2026-01-01T00:00:00Z'), 0), sample('2026-01-01T00:00:01Z'), 1000);
  assert.ok(!isSilent(quick, 0, 1000 + 3 * HeartbeatMs));
  assert.ok(isSilent(quick, 0, 1001 + 3 * HeartbeatMs));
  const slow = read(read(null, sample('2026-01-01T00:00:00Z'), 0), sample('2026-01-01T00:01:00Z'), 60_000);
  assert.ok(!isSilent(slow, 0, 60_000 + 170_000));
  assert.ok(isSilent(slow, 0, 60_000 + 181_000));
});

test('silence counts from when the stream opened, and not at all while it is not open', () => {
  const old = read(null, sample('2026-01-01T00:00:00Z'), 0);
  assert.ok(!isSilent(old, 100_000, 100_000 + 3 * HeartbeatMs));
  assert.ok(isSilent(old, 100_000, 100_001 + 3 * HeartbeatMs));
  assert.ok(isSilent(undefined, 0, 1 + 3 * HeartbeatMs));
  assert.ok(!isSilent(old, null, 1e12));
});

test('alert events keep the board: raised, level changed, acknowledged, resolved', () => {
  const board = boardOf([{ id: 'web-1:cpu:1', agent_id: 'web-1', level: 'warning', acknowledged: false }]);
  applyAlertEvent(board, { kind: 'raised', alert_id: 'web-1:memory:2', agent_id: 'web-1', level: 'warning' });
  applyAlertEvent(board, { kind: 'raised', alert_id: 'db:disk:3', agent_id: 'db', level: 'warning' });
  applyAlertEvent(board, { kind: 'level_changed', alert_id: 'web-1:memory:2', agent_id: 'web-1', level: 'critical' });
  applyAlertEvent(board, { kind: 'acknowledged', alert_id: 'web-1:cpu:1', agent_id: 'web-1', level: null });
  assert.deepEqual(alertsByHost(board), new Map([
    ['web-1', { count: 2, level: 'critical', unacknowledged: 1 }],
    ['db', { count: 1, level: 'warning', unacknowledged: 1 }],
  ]));
  applyAlertEvent(board, { kind: 'resolved', alert_id: 'web-1:memory:2', agent_id: 'web-1', level: null });
  applyAlertEvent(board, { kind: 'resolved', alert_id: 'db:disk:3', agent_id: 'db', level: null });
  assert.deepEqual(alertsByHost(board), new Map([['web-1', { count: 1, level: 'warning', unacknowledged: 0 }]]));
});

test('events replayed over a snapshot that holds them already change nothing', () => {
  const events = [
    { kind: 'raised', alert_id: 'a', agent_id: 'web-1', level: 'warning' },
    { kind: 'raised', alert_id: 'b', agent_id: 'web-1', level: 'warning' },
    { kind: 'acknowledged', alert_id: 'a', agent_id: 'web-1', level: null },
    { kind: 'resolved', alert_id: 'b', agent_id: 'web-1', level: null },
  ];
  const live = boardOf([]);
  for (const event of events) applyAlertEvent(live, event);
  const replayed = boardOf([{ id: 'a', agent_id: 'web-1', level: 'warning', acknowledged: true }]);
  for (const event of events) applyAlertEvent(replayed, event);
  assert.deepEqual(replayed, live);
  applyAlertEvent(live, { kind: 'acknowledged', alert_id: 'unknown', agent_id: 'web-1', level: null });
  applyAlertEvent(live, { kind: 'level_changed', alert_id: 'unknown', agent_id: 'web-1', level: 'critical' });
  assert.deepEqual(replayed, live);
});

test('an online host that stopped sending turns offline on its card', () => {
  const readings = new Map([['web-1', read(null, sample('2026-01-01T00:00:00Z'), 0)]]);
  const agents = [agent({ id: 'web-1', name: 'Web 1', hostname: '' }), agent({ id: 'db', name: '', hostname: 'db.example', status: 'revoked' })];
  const alerts = new Map([['web-1', { count: 1, level: /** @type {const} */ ('warning'), unacknowledged: 1 }]]);
  const [web, db] = hostRows(agents, readings, alerts, 0, 1000);
  assert.equal(web.name, 'Web 1');
  assert.equal(web.hostname, 'web-1.example');
  assert.equal(web.status, 'online');
  assert.equal(web.alerts.count, 1);
  assert.equal(db.name, 'db');
  assert.equal(db.hostname, 'db.example');
  assert.equal(db.status, 'revoked');
  assert.equal(db.alerts.count, 0);
  const [later] = hostRows(agents, readings, alerts, 0, 60_000);
  assert.equal(later.status, 'offline');
});

/** @param {string} name @param {string} status @param {number | null} cpu @param {number | null} disk */
function row(name, status, cpu, disk) {
  const reading = cpu === null ? null : { ...read(null, sample('2026-01-01T00:00:00Z', { cpu }), 0), disk: disk === null ? null : { mount: '/', percent: disk } };
  return { id: name, name, hostname: `${name}.example`, status, lastSeen: null, reading, alerts: { count: 0, level: null, unacknowledged: 0 } };
}

test('the list holds only servers until an agent is added, enrolled or asks to join', () => {
  const node = (/** @type {string} */ id) => ({ id, name: id, hostname: id, status: 'online', last_seen: null, certificate: null });
  assert.equal(serversOnly([node('local')]), true);
  assert.equal(serversOnly([node('node-a'), node('node-b'), node('node-c')]), true);
  assert.equal(serversOnly([node('local'), { ...node('web-1'), status: 'offline' }]), false);
  assert.equal(serversOnly([node('local'), { ...node('web-1'), certificate: { serial: '01', expires_at: '2027-01-01T00:00:00Z' } }]), false);
  assert.equal(serversOnly([node('local'), { ...node('web-1'), status: 'pending' }]), false);
});

test('hosts filter by id, name or hostname in any case, and by status', () => {
  const rows = [row('web-1', 'online', 5, 1), row('web-2', 'offline', null, null), row('db', 'online', 1, 1)];
  assert.deepEqual(filterHosts(rows, 'WEB', '').map((r) => r.id), ['web-1', 'web-2']);
  assert.deepEqual(filterHosts(rows, ' db.exa ', '').map((r) => r.id), ['db']);
  assert.deepEqual(filterHosts(rows, '', 'online').map((r) => r.id), ['web-1', 'db']);
  assert.deepEqual(filterHosts(rows, 'web', 'online').map((r) => r.id), ['web-1']);
  assert.deepEqual(filterHosts(rows, 'nothing', ''), []);
});

test('sorts put names in natural order, problems and the busiest first, hosts without data last', () => {
  const rows = [row('web-10', 'online', 5, 70), row('web-2', 'offline', null, null), row('db', 'online', 80, 10), row('cache', 'revoked', 5, null)];
  assert.deepEqual(sortHosts(rows, 'name').map((r) => r.id), ['cache', 'db', 'web-2', 'web-10']);
  assert.deepEqual(sortHosts(rows, 'status').map((r) => r.id), ['web-2', 'cache', 'db', 'web-10']);
  assert.deepEqual(sortHosts(rows, 'cpu').map((r) => r.id), ['db', 'cache', 'web-10', 'web-2']);
  assert.deepEqual(sortHosts(rows, 'disk').map((r) => r.id), ['web-10', 'db', 'cache', 'web-2']);
  assert.deepEqual(rows.map((r) => r.id), ['web-10', 'web-2', 'db', 'cache']);
  assert.equal(sortKey('memory'), 'memory');
  assert.equal(sortKey('toString'), 'name');
  assert.equal(sortKey(null), 'name');
});

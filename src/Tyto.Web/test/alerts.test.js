import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAlertEvent, describe, fieldProblems, position, stepAfter, subject, thresholdChange, thresholdForm, timeline, windowName } from '../app/lib/alerts.js';

/** @returns {import('../app/lib/alerts.js').AlertEvent} */
const event = (/** @type {Partial<import('../app/lib/alerts.js').AlertEvent>} */ fields) => ({
  kind: 'raised', alert_id: 'local:memory:1', agent_id: 'local', type: null, mount: null, level: null, value: null, threshold: null, user: null,
  timestamp: '2026-03-01T12:00:05.3471234Z', ...fields,
});

const raised = event({ type: 'memory', level: 'warning', value: 42.5, threshold: 1 });

test('stream frames keep the board: raise, change of level, acknowledgement, resolution', () => {
  const cpu = applyAlertEvent([], event({ alert_id: 'web-1:cpu:3', agent_id: 'web-1', type: 'cpu', level: 'critical', value: 99, threshold: 95, timestamp: '2026-03-01T12:00:09Z' }));
  let board = applyAlertEvent(cpu.alerts, raised);
  assert.ok(board.known);
  assert.deepEqual(board.alerts.map((a) => a.id), ['local:memory:1', 'web-1:cpu:3'], 'in the order they were raised');
  assert.deepEqual(board.alerts[0], {
    id: 'local:memory:1', type: 'memory', mount: null, level: 'warning', value: 42.5, threshold: 1, agent_id: 'local',
    created_at: '2026-03-01T12:00:05.3471234Z', acknowledged: false, acknowledged_by: null, acknowledged_at: null,
  });

  board = applyAlertEvent(board.alerts, event({ kind: 'level_changed', level: 'critical', value: 97, threshold: 95 }));
  assert.deepEqual([board.alerts[0].level, board.alerts[0].value, board.alerts[0].threshold, board.alerts[0].created_at], ['critical', 97, 95, raised.timestamp]);

  board = applyAlertEvent(board.alerts, event({ kind: 'acknowledged', user: 'ada', timestamp: '2026-03-01T12:01:00Z' }));
  assert.deepEqual([board.alerts[0].acknowledged, board.alerts[0].acknowledged_by, board.alerts[0].acknowledged_at], [true, 'ada', '2026-03-01T12:01:00Z']);

  board = applyAlertEvent(board.alerts, event({ kind: 'resolved', value: 0.5 }));
  assert.ok(board.known);
  assert.deepEqual(board.alerts.map((a) => a.id), ['web-1:cpu:3']);
});

test('an event about an alert the board does not hold asks for the board again', () => {
  assert.equal(applyAlertEvent([], event({ kind: 'level_changed', level: 'critical', value: 97, threshold: 95 })).known, false);
  assert.equal(applyAlertEvent([], event({ kind: 'acknowledged', user: 'ada' })).known, false);
  assert.equal(applyAlertEvent([], event({ kind: 'raised' })).known, false, 'a raise without its details');
  assert.equal(applyAlertEvent([], event({ kind: 'resolved' })).known, true, 'nothing to remove is nothing to ask');
});

test('alerts and events read in a few words', () => {
  assert.equal(subject({ type: 'disk', mount: '/var' }), 'disk /var');
  assert.equal(subject({ type: 'cpu', mount: null }), 'cpu');
  assert.equal(describe(raised), 'raised warning');
  assert.equal(describe(event({ kind: 'level_changed', level: 'critical' })), 'now critical');
  assert.equal(describe(event({ kind: 'acknowledged', user: 'ada' })), 'acknowledged by ada');
  assert.equal(describe(event({ kind: 'resolved' })), 'resolved');
});

test('the thresholds form sends every line, and what is not a number as null for the API to name', () => {
  const form = thresholdForm({ cpu: { warning: 80, critical: 95 }, memory: { warning: 85, critical: 95 }, disk: { warning: 80, critical: 90 } });
  assert.equal(form['memory.warning'], '85');
  assert.deepEqual(thresholdChange({ ...form, 'memory.warning': ' 1 ', 'disk.critical': '', 'cpu.critical': 'abc' }), {
    cpu: { warning: 80, critical: null }, memory: { warning: 1, critical: 95 }, disk: { warning: 80, critical: null },
  });
});

test('the API refusal is placed by field, anything else kept apart', () => {
  const problems = fieldProblems({ details: { 'memory.warning': 'must be below the critical line (95)', body: 'must be an object' } });
  assert.deepEqual(problems, { fields: { 'memory.warning': 'must be below the critical line (95)' }, other: ['body must be an object'] });
  assert.deepEqual(fieldProblems(null), { fields: {}, other: [] });
});

test('the slider spans the window on a grid of round steps of a few hundred positions at most', () => {
  const end = Date.parse('2026-03-01T12:34:56.789Z');
  const hour = timeline(end, 3600_000);
  assert.equal(hour.step, 5000);
  assert.equal(new Date(hour.min).toISOString(), '2026-03-01T11:34:55.000Z');
  assert.equal(new Date(hour.max).toISOString(), '2026-03-01T12:35:00.000Z');
  for (const span of [3600_000, 6 * 3600_000, 24 * 3600_000, 7 * 24 * 3600_000]) {
    const range = timeline(end, span);
    assert.ok((range.max - range.min) / range.step <= 721, `${span}: ${(range.max - range.min) / range.step} positions`);
    assert.ok(range.min <= end - span && range.max >= end);
  }
  assert.equal(windowName('7d'), '7d');
  assert.equal(windowName('2y'), '1h');
});

test('an event is shown on the first step after it: one step back is before it', () => {
  const range = timeline(Date.parse('2026-03-01T12:30:00Z'), 3600_000);
  const raisedAt = Date.parse(raised.timestamp);
  const at = stepAfter(raised.timestamp, range);
  assert.ok(at > raisedAt && at - range.step < raisedAt);
  assert.equal(new Date(at).toISOString(), '2026-03-01T12:00:10.000Z');
  assert.equal(stepAfter('2026-03-01T10:00:00Z', range), range.min, 'kept within the window');
  assert.equal(position(range.min, range), 0);
  assert.equal(position(range.max + 1000, range), 100);
  assert.equal(position((range.min + range.max) / 2, range), 50);
});

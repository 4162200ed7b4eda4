import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EmptyTail, extraFields, filterParams, filtersOf, isTruncated, levelTone, pageLabel, pageOf, pause, receive, resume,
} from '../app/lib/logs.js';
import { isoOfLocal, localInput } from '../app/lib/format.js';

/** @returns {import('../app/lib/logs.js').LogEntry} */
const entry = (/** @type {number} */ n, fields = {}) => ({
  id: `log-${n}`, timestamp: '2026-03-01T12:00:00Z', agent_id: 'local', source: 'file', source_name: '/var/log/app.log', level: 'info', message: `line ${n}`, fields,
});

test('the filters come from the URL and go to the API as they were, empty ones left out', () => {
  const filters = filtersOf('?agent_id=web-1&source=journal&level=crit,error&q=%22disk%20full%22&from=2026-03-01T12:00:00.000Z&view=tail');
  assert.deepEqual(filters, {
    agent_id: 'web-1', source: 'journal', source_name: '', levels: ['crit', 'error'], q: '"disk full"', from: '2026-03-01T12:00:00.000Z', to: '',
  });
  assert.deepEqual(filterParams(filters), {
    agent_id: 'web-1', source: 'journal', source_name: undefined, level: 'crit,error', q: '"disk full"', from: '2026-03-01T12:00:00.000Z', to: undefined,
  });
  assert.equal(filterParams({ ...filters, levels: ['info', 'emerg', 'error'] }).level, 'emerg,error,info', 'levels from most severe');
  assert.deepEqual(filterParams(filtersOf('')), { agent_id: undefined, source: undefined, source_name: undefined, level: undefined, q: undefined, from: undefined, to: undefined });
});

test('a page is a known size and a whole offset', () => {
  assert.deepEqual(pageOf('?limit=200&offset=400'), { limit: 200, offset: 400 });
  assert.deepEqual(pageOf('?limit=7&offset=-3'), { limit: 100, offset: 0 });
  assert.deepEqual(pageOf('?offset=1.5'), { limit: 100, offset: 0 });
  assert.equal(pageLabel(100, 100, 1234), '101–200 of 1,234');
  assert.equal(pageLabel(0, 0, 0), '0 of 0');
});

test('times go to datetime-local inputs and back to the same instant', () => {
  for (const iso of ['2026-03-01T12:34:56.000Z', '2026-12-31T23:59:59.000Z']) assert.equal(isoOfLocal(localInput(iso, { seconds: true })), iso);
  assert.match(localInput('2026-03-01T12:34:56Z', { seconds: true }), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  assert.equal(localInput(''), '');
  assert.equal(isoOfLocal(''), '');
  assert.equal(isoOfLocal('not a time'), '');
});

test('levels wear the badge of their severity; a cut line is marked, not listed as a field', () => {
  assert.deepEqual(['emerg', 'crit', 'error', 'warning', 'notice', 'info', 'debug'].map(levelTone), ['critical', 'critical', 'critical', 'warning', 'info', 'info', 'debug']);
  const cut = entry(1, { truncated: 'true', pid: '42' });
  assert.ok(isTruncated(cut));
  assert.ok(!isTruncated(entry(2, { pid: '42' })));
  assert.deepEqual(extraFields(cut), [['pid', '42']]);
});

test('the tail shows the newest first and keeps at most its limit', () => {
  let tail = receive(EmptyTail, [entry(1), entry(2)], 3);
  tail = receive(tail, [entry(3), entry(4)], 3);
  assert.deepEqual(tail.lines.map((e) => e.id), ['log-4', 'log-3', 'log-2']);
  assert.equal(tail.dropped, 1);
});

test('paused, the tail counts and holds what arrives, and shows it on resuming', () => {
  let tail = pause(receive(EmptyTail, [entry(1)], 3));
  tail = receive(tail, [entry(2)], 3);
  tail = receive(tail, [entry(3), entry(4), entry(5)], 3);
  assert.deepEqual(tail.lines.map((e) => e.id), ['log-1'], 'nothing new shown while paused');
  assert.equal(tail.arrived, 4);
  assert.deepEqual(tail.held.map((e) => e.id), ['log-3', 'log-4', 'log-5'], 'the newest held, within the limit');
  tail = resume(tail, 3);
  assert.deepEqual(tail.lines.map((e) => e.id), ['log-5', 'log-4', 'log-3']);
  assert.deepEqual([tail.paused, tail.arrived, tail.held.length, tail.dropped], [false, 0, 0, 2]);
});

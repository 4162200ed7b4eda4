import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultPageSize, actionLabel, filtersOf, pageOf, searchOf, targetUserId } from '../app/lib/audit.js';
import { isoOfLocal, localInput } from '../app/lib/format.js';

test('filters come from the URL, with the first page of the default size when it names none or an odd one', () => {
  assert.deepEqual(filtersOf(''), { from: '', to: '', user: '', limit: DefaultPageSize, offset: 0 });
  assert.deepEqual(filtersOf('?user=alice&from=2026-01-01T00%3A00%3A00.000Z&limit=100&offset=200'), {
    from: '2026-01-01T00:00:00.000Z', to: '', user: 'alice', limit: 100, offset: 200,
  });
  assert.deepEqual(filtersOf('?limit=7&offset=-3'), filtersOf(''));
  assert.equal(filtersOf('?offset=1.5').offset, 0);
});

test('the URL holds only what differs from the defaults, and reads back the same', () => {
  assert.deepEqual(searchOf(filtersOf('')), { from: undefined, to: undefined, user: undefined, limit: undefined, offset: undefined });
  const filters = { from: '2026-01-01T00:00:00.000Z', to: '', user: 'bob', limit: 25, offset: 50 };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(searchOf(filters))) if (value !== undefined) search.set(name, value);
  assert.equal(search.toString(), 'from=2026-01-01T00%3A00%3A00.000Z&user=bob&limit=25&offset=50');
  assert.deepEqual(filtersOf(`?${search}`), filters);
});

test('a page knows its rows and its neighbours', () => {
  assert.deepEqual(pageOf(0, 50, 0), { first: 0, last: 0, previous: null, next: null });
  assert.deepEqual(pageOf(120, 50, 0), { first: 1, last: 50, previous: null, next: 50 });
  assert.deepEqual(pageOf(120, 50, 50), { first: 51, last: 100, previous: 0, next: 100 });
  assert.deepEqual(pageOf(120, 50, 100), { first: 101, last: 120, previous: 50, next: null });
  assert.deepEqual(pageOf(120, 50, 30), { first: 31, last: 80, previous: 0, next: 80 });
});

test('a page past the end is empty and leads back to the last page', () => {
  assert.deepEqual(pageOf(120, 50, 500), { first: 0, last: 0, previous: 100, next: null });
  assert.deepEqual(pageOf(0, 50, 100), { first: 0, last: 0, previous: 0, next: null });
});

test('times go between a datetime-local input and the URL as the same instant', () => {
  const local = '2026-03-04T05:06';
  const iso = isoOfLocal(local);
  assert.equal(new Date(iso).getTime(), new Date(2026, 2, 4, 5, 6).getTime());
  assert.equal(localInput(iso), local);
  assert.equal(isoOfLocal(''), '');
  assert.equal(localInput(''), '');
  assert.equal(localInput('not a time'), '');
});

test('audited requests read in words, unknown ones as they are', () => {
  assert.equal(actionLabel('DELETE /api/v1/users/{id}'), 'Disable user');
  assert.equal(actionLabel('POST /api/v1/settings/refresh'), 'Change refresh interval');
  assert.equal(actionLabel('PATCH /api/v1/somewhere'), 'PATCH /api/v1/somewhere');
});

test('a user acted on is found in the target, whether changed or created', () => {
  assert.equal(targetUserId('DELETE /api/v1/users/{id}', 'id=u-1'), 'u-1');
  assert.equal(targetUserId('PUT /api/v1/users/{id}/password', 'id=u-1'), 'u-1');
  assert.equal(targetUserId('POST /api/v1/users', '/api/v1/users/u-2'), 'u-2');
  assert.equal(targetUserId('POST /api/v1/users', null), null);
  assert.equal(targetUserId('DELETE /api/v1/roles/{id}', 'id=ops'), null);
  assert.equal(targetUserId('POST /api/v1/auth/login', null), null);
});

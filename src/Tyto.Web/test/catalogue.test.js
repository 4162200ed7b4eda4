import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredBy, crossWildcards, effective, groups, others, parsePermission, rolesInOrder, toggle } from '../app/lib/catalogue.js';

const catalogue = [
  { name: 'dashboard:view', description: 'Open the dashboard' },
  { name: 'metrics:read', description: 'Read live metrics' },
  { name: 'alerts:read', description: 'Read alerts' },
  { name: 'alerts:acknowledge', description: 'Acknowledge alerts' },
  { name: 'users:read', description: 'Read user accounts' },
  { name: 'users:write', description: 'Change users' },
];

test('the picker groups the catalogue by resource, offering resource:* where a resource has several permissions', () => {
  const picked = groups(catalogue);
  assert.deepEqual(picked.map((g) => g.resource), ['dashboard', 'metrics', 'alerts', 'users']);
  assert.deepEqual(picked[2].permissions.map((p) => p.name), ['alerts:read', 'alerts:acknowledge']);
  assert.equal(picked[2].wildcard?.name, 'alerts:*');
  assert.equal(picked[0].wildcard, null);
});

test('wildcards across resources: an action two resources share, and everything', () => {
  const names = crossWildcards(catalogue).map((p) => p.name);
  assert.deepEqual(names, ['*:read', '*']);
  assert.match(crossWildcards(catalogue)[0].description, /metrics, alerts, users/);
});

test('what the picker does not offer is kept visible', () => {
  assert.deepEqual(others(catalogue, ['alerts:*', 'logs:*', '*:read', 'alerts:read', '*:acknowledge']), ['logs:*', '*:acknowledge']);
});

test('a wildcard covers the permissions under it, not itself nor wider ones', () => {
  assert.equal(coveredBy(['alerts:*'], 'alerts:read'), 'alerts:*');
  assert.equal(coveredBy(['*:read'], 'alerts:read'), '*:read');
  assert.equal(coveredBy(['alerts:*'], 'alerts:*'), null);
  assert.equal(coveredBy(['alerts:read'], 'alerts:*'), null);
  assert.equal(coveredBy(['*:read'], 'alerts:*'), null);
  assert.equal(coveredBy(['*'], 'alerts:*'), '*');
});

test('toggling keeps the order of the rest and never doubles an entry', () => {
  assert.deepEqual(toggle(['a:b', 'c:d'], 'e:f', true), ['a:b', 'c:d', 'e:f']);
  assert.deepEqual(toggle(['a:b', 'c:d'], 'a:b', true), ['c:d', 'a:b']);
  assert.deepEqual(toggle(['a:b', 'c:d'], 'a:b', false), ['c:d']);
});

test('a role is sent without what a wildcard it holds already grants', () => {
  assert.deepEqual(effective(['alerts:read', 'alerts:*', 'users:read', 'users:read']), ['alerts:*', 'users:read']);
  assert.deepEqual(effective(['alerts:*', '*:read', 'metrics:read', '*']), ['*']);
  assert.deepEqual(effective(['*:read', 'alerts:*']), ['*:read', 'alerts:*']);
});

test('a typed permission is resource:action, with * for either side, or * alone', () => {
  assert.equal(parsePermission(' logs:* '), 'logs:*');
  assert.equal(parsePermission('*:write'), '*:write');
  assert.equal(parsePermission('*'), '*');
  assert.equal(parsePermission('logs'), null);
  assert.equal(parsePermission('logs:read:more'), null);
  assert.equal(parsePermission(''), null);
});

test('forms offer the system roles first, as listed, then the others by name', () => {
  const role = (/** @type {string} */ id, /** @type {boolean} */ system) => ({ id, name: id, description: '', permissions: [], is_system: system });
  const ordered = rolesInOrder([role('zeta', false), role('admin', true), role('alpha', false), role('viewer', true)]);
  assert.deepEqual(ordered.map((r) => r.id), ['admin', 'viewer', 'alpha', 'zeta']);
});

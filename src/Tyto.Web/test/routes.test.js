import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grants, holds } from '../app/lib/permissions.js';
import { allowed, match, navigation, routes } from '../app/routes.js';

test('wildcards grant as the server grants them', () => {
  assert.ok(grants('*', 'users:write'));
  assert.ok(grants('alerts:*', 'alerts:acknowledge'));
  assert.ok(grants('*:read', 'logs:read'));
  assert.ok(!grants('*:read', 'users:write'));
  assert.ok(!grants('alerts:read', 'alerts:acknowledge'));
  assert.ok(!grants('alert:*', 'alerts:read'));
  assert.ok(!holds([], 'dashboard:view'));
});

test('the viewer role sees the fleet, alerts, logs and agents, and no administration', () => {
  const viewer = ['dashboard:view', 'metrics:read', 'history:read', 'alerts:read', 'agents:read', 'logs:read'];
  assert.deepEqual(navigation(viewer).map((r) => r.title), ['Fleet', 'Alerts', 'Logs', 'Agents']);
});

test('an admin sees every listed page, administration last', () => {
  const titles = navigation(['*']).map((r) => `${r.nav}:${r.title}`);
  assert.deepEqual(titles, ['main:Fleet', 'main:Alerts', 'main:Logs', 'main:Agents', 'admin:Users', 'admin:Roles', 'admin:Audit log', 'admin:Settings']);
});

test('without dashboard:view no page opens, whatever else is held', () => {
  const held = ['*:read', 'users:write'];
  assert.deepEqual(navigation(held), []);
  assert.ok(routes.every((route) => !allowed(held, route)));
});

test('each administration page needs its own permission', () => {
  const auditor = ['dashboard:view', 'audit:read'];
  assert.deepEqual(navigation(auditor).map((r) => r.path), ['/admin/audit']);
});

test('paths bind their parameters, decoded', () => {
  const found = match('/hosts/web%201.example');
  assert.equal(found?.route.path, '/hosts/:id');
  assert.deepEqual(found?.params, { id: 'web 1.example' });
  assert.equal(match('/')?.route.title, 'Fleet');
  assert.equal(match('/admin/users/extra'), null);
  assert.equal(match('/nowhere'), null);
});

// Roles and the permission catalogue as the administration pages show them: a picker grouped by resource, with the
// wildcards worth offering, and what a role's list of permissions comes to.
import { grants } from './permissions.js';

/** @typedef {{ name: string, description: string }} Permission  a catalogue entry of `GET /api/v1/permissions` */
/** @typedef {{ id: string, name: string, description: string, permissions: string[], is_system: boolean }} Role */
/** @typedef {{ resource: string, permissions: Permission[], wildcard: Permission | null }} PermissionGroup */

const resourceOf = (/** @type {string} */ name) => name.split(':')[0];
const actionOf = (/** @type {string} */ name) => name.split(':')[1] ?? '';

/**
 * The catalogue by resource, in catalogue order; a resource with two or more permissions also offers `resource:*`.
 * @param {readonly Permission[]} catalogue
 * @returns {PermissionGroup[]}
 */
export function groups(catalogue) {
  /** @type {Map<string, Permission[]>} */
  const byResource = new Map();
  for (const permission of catalogue) {
    const resource = resourceOf(permission.name);
    byResource.set(resource, [...(byResource.get(resource) ?? []), permission]);
  }
  return [...byResource].map(([resource, permissions]) => ({
    resource,
    permissions,
    wildcard: permissions.length > 1 ? { name: `${resource}:*`, description: `Every ${resource} permission, and those to come` } : null,
  }));
}

/**
 * Wildcards across resources: `*:action` for each action two or more resources share, then `*` for everything.
 * @param {readonly Permission[]} catalogue
 * @returns {Permission[]}
 */
export function crossWildcards(catalogue) {
  /** @type {Map<string, Set<string>>} */
  const resourcesByAction = new Map();
  for (const { name } of catalogue) {
    const action = actionOf(name);
    resourcesByAction.set(action, (resourcesByAction.get(action) ?? new Set()).add(resourceOf(name)));
  }
  const shared = [...resourcesByAction].filter(([, resources]) => resources.size > 1);
  return [
    ...shared.map(([action, resources]) => ({ name: `*:${action}`, description: `Every ${action} permission: ${[...resources].join(', ')}, and those to come` })),
    { name: '*', description: 'Every permission, and those to come' },
  ];
}

/**
 * The permissions of `selected` that the picker does not offer (an unusual wildcard, or one the catalogue dropped),
 * so that they can still be seen and removed.
 * @param {readonly Permission[]} catalogue
 * @param {readonly string[]} selected
 */
export function others(catalogue, selected) {
  const offered = new Set([
    ...groups(catalogue).flatMap((group) => [...group.permissions.map((p) => p.name), ...(group.wildcard ? [group.wildcard.name] : [])]),
    ...crossWildcards(catalogue).map((p) => p.name),
  ]);
  return selected.filter((name) => !offered.has(name));
}

/** Another of `selected` that already covers `name` (a wildcard), or null. */
export function coveredBy(/** @type {readonly string[]} */ selected, /** @type {string} */ name) {
  return selected.find((granted) => granted !== name && grants(granted, name)) ?? null;
}

/** `selected` with `name` in or out, keeping the order of the rest. */
export function toggle(/** @type {readonly string[]} */ selected, /** @type {string} */ name, /** @type {boolean} */ on) {
  const rest = selected.filter((p) => p !== name);
  return on ? [...rest, name] : rest;
}

/**
 * What a role's permissions come to, as the API is sent them: each once, without those another one covers (`alerts:read`
 * beside `alerts:*`). The picker keeps them while a wildcard is on, so turning it off gives them back.
 * @param {readonly string[]} selected
 */
export function effective(selected) {
  const unique = [...new Set(selected)];
  return unique.filter((name) => coveredBy(unique, name) === null);
}

/** `text` as a permission to add: trimmed, and null when it is not `*` nor of the form `resource:action`. */
export function parsePermission(/** @type {string} */ text) {
  const name = text.trim();
  return name === '*' || /^[a-z*]+:[a-z*]+$/.test(name) ? name : null;
}

/** The roles in the order a form offers them: system roles first (as the server lists them), then by name. */
export function rolesInOrder(/** @type {readonly Role[]} */ roles) {
  return [...roles].sort((a, b) => Number(b.is_system) - Number(a.is_system) || (a.is_system ? 0 : a.name.localeCompare(b.name)));
}

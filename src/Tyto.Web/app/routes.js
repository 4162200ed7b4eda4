// Every page of the dashboard: where it lives, what it needs, and where the navigation shows it.
import { holdsAll } from './lib/permissions.js';

/**
 * @typedef {object} Route
 * @property {string} path  a pattern: `/hosts/:id` binds `id`
 * @property {string} title
 * @property {string[]} requires  every permission the page needs, besides `dashboard:view`
 * @property {'main' | 'admin' | null} nav  the navigation group it is listed in, or none
 * @property {() => Promise<{ default: import('preact').FunctionComponent<any> }>} load
 */

/** @type {Route[]} */
export const routes = [
  { path: '/', title: 'Fleet', requires: ['agents:read', 'metrics:read'], nav: 'main', load: () => import('./pages/overview.js') },
  { path: '/hosts/:id', title: 'Host', requires: ['metrics:read'], nav: null, load: () => import('./pages/host.js') },
  { path: '/alerts', title: 'Alerts', requires: ['alerts:read'], nav: 'main', load: () => import('./pages/alerts.js') },
  { path: '/logs', title: 'Logs', requires: ['logs:read'], nav: 'main', load: () => import('./pages/logs.js') },
  { path: '/agents', title: 'Agents', requires: ['agents:read'], nav: 'main', load: () => import('./pages/agents.js') },
  { path: '/admin/users', title: 'Users', requires: ['users:read'], nav: 'admin', load: () => import('./pages/users.js') },
  { path: '/admin/roles', title: 'Roles', requires: ['roles:read'], nav: 'admin', load: () => import('./pages/roles.js') },
  { path: '/admin/audit', title: 'Audit log', requires: ['audit:read'], nav: 'admin', load: () => import('./pages/audit.js') },
  { path: '/admin/settings', title: 'Settings', requires: ['settings:read'], nav: 'admin', load: () => import('./pages/settings.js') },
  { path: '/profile', title: 'Profile', requires: [], nav: null, load: () => import('./pages/profile.js') },
];

export const DashboardPermission = 'dashboard:view';

/** Whether the held permissions open a route: `dashboard:view` and everything the route names. */
export function allowed(/** @type {readonly string[]} */ held, /** @type {Route} */ route) {
  return holdsAll(held, [DashboardPermission, ...route.requires]);
}

/** The routes the navigation lists for these permissions, in order. */
export function navigation(/** @type {readonly string[]} */ held) {
  return routes.filter((route) => route.nav !== null && allowed(held, route));
}

/**
 * The route a path opens, with the parameters it binds; null when none does.
 * @returns {{ route: Route, params: Record<string, string> } | null}
 */
export function match(/** @type {string} */ path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    /** @type {Record<string, string>} */
    const params = {};
    const fits = pattern.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return segment === parts[i];
    });
    if (fits) return { route, params };
  }
  return null;
}

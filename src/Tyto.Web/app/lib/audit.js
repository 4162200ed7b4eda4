// The audit log page's state, kept in its URL: filters and page; with how an audited request reads in words.

export const PageSizes = [25, 50, 100, 200];
export const DefaultPageSize = 50;

/** @typedef {{ from: string, to: string, user: string, limit: number, offset: number }} AuditFilters  times as ISO instants, '' for none */

/** The filters a query string holds; a missing or odd page size or offset gives the first page of the default size. */
export function filtersOf(/** @type {string} */ search) {
  const params = new URLSearchParams(search);
  const limit = Number(params.get('limit'));
  const offset = Number(params.get('offset'));
  return {
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    user: params.get('user') ?? '',
    limit: PageSizes.includes(limit) ? limit : DefaultPageSize,
    offset: Number.isSafeInteger(offset) && offset > 0 ? offset : 0,
  };
}

/**
 * The filters as query values for `setSearch`: those at their default are left out, so a plain page has a plain URL.
 * @param {AuditFilters} filters
 * @returns {Record<string, string | undefined>}
 */
export function searchOf(filters) {
  return {
    from: filters.from || undefined,
    to: filters.to || undefined,
    user: filters.user || undefined,
    limit: filters.limit === DefaultPageSize ? undefined : String(filters.limit),
    offset: filters.offset > 0 ? String(filters.offset) : undefined,
  };
}

/**
 * Where a page sits among `total` entries: its first and last row (1-based; both 0 when it holds none), and the
 * offsets of the pages before and after it (null at either end). A page past the end goes back to the last one.
 */
export function pageOf(/** @type {number} */ total, /** @type {number} */ limit, /** @type {number} */ offset) {
  const lastPage = total > 0 ? Math.floor((total - 1) / limit) * limit : 0;
  const holds = offset < total;
  return {
    first: holds ? offset + 1 : 0,
    last: holds ? Math.min(total, offset + limit) : 0,
    previous: offset > 0 ? Math.min(Math.max(0, offset - limit), lastPage) : null,
    next: offset + limit < total ? offset + limit : null,
  };
}

/** @type {Record<string, string>} */
const Actions = {
  'POST /api/v1/auth/login': 'Sign in',
  'POST /api/v1/auth/logout': 'Sign out',
  'POST /api/v1/auth/register': 'Register',
  'PUT /api/v1/auth/me': 'Change own profile',
  'PUT /api/v1/auth/me/password': 'Change own password',
  'POST /api/v1/users': 'Create user',
  'PUT /api/v1/users/{id}': 'Change user',
  'DELETE /api/v1/users/{id}': 'Disable user',
  'PUT /api/v1/users/{id}/password': 'Reset password',
  'POST /api/v1/roles': 'Create role',
  'PUT /api/v1/roles/{id}': 'Change role',
  'DELETE /api/v1/roles/{id}': 'Delete role',
  'POST /api/v1/settings/refresh': 'Change refresh interval',
  'POST /api/v1/alerts/config': 'Change alert thresholds',
  'POST /api/v1/alerts/{id}/acknowledge': 'Acknowledge alert',
  'POST /api/v1/agents': 'Add agent',
  'DELETE /api/v1/agents/{id}': 'Delete agent',
  'POST /api/v1/agents/{id}/revoke': 'Revoke agent',
  'POST /api/v1/agents/pending/{id}/approve': 'Approve agent',
  'POST /api/v1/agents/pending/{id}/reject': 'Reject agent',
  'POST /api/v1/processes/{pid}/signal': 'Signal process',
};

/** What an audited request (`METHOD /route`) did, in words; the request itself when it is none the dashboard knows. */
export function actionLabel(/** @type {string} */ action) {
  return Actions[action] ?? action;
}

/**
 * The id of the user an audited request acted on, when its target names one: `id=…` on a user's route, or the
 * location of a user it created; null otherwise.
 */
export function targetUserId(/** @type {string} */ action, /** @type {string | null} */ target) {
  const route = action.split(' ')[1] ?? '';
  if (!target) return null;
  if (route.startsWith('/api/v1/users/{id}')) return /^id=(.+)$/.exec(target)?.[1] ?? null;
  if (route === '/api/v1/users') return /^\/api\/v1\/users\/(.+)$/.exec(target)?.[1] ?? null;
  return null;
}

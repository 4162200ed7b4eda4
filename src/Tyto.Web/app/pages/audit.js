// The audit log: every state-changing request, newest first, a page at a time; its filters and page kept in the URL.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { useApi } from '../lib/hooks.js';
import { setSearch } from '../lib/router.js';
import { dateTime, isoOfLocal, localInput } from '../lib/format.js';
import { useSession } from '../lib/session.js';
import { PageSizes, actionLabel, filtersOf, pageOf, searchOf, targetUserId } from '../lib/audit.js';
import { Empty, ErrorState, Loading } from '../components/states.js';

/**
 * @typedef {{ id: number, timestamp: string, user_id: string | null, username: string | null, action: string, target: string | null,
 *   status: number, outcome: string, client_address: string | null, count: number }} AuditEntry
 * @typedef {import('../lib/audit.js').AuditFilters} AuditFilters
 */

const OutcomeBadges = /** @type {Record<string, string>} */ ({ success: 'ok', denied: 'warning', failure: 'critical' });

/**
 * The filters as a form: applied (to the URL) when submitted, so typing does not query at every key.
 * @param {{ filters: AuditFilters }} props
 */
function Filters({ filters }) {
  const [from, setFrom] = useState(localInput(filters.from));
  const [to, setTo] = useState(localInput(filters.to));
  const [user, setUser] = useState(filters.user);
  const apply = (/** @type {Event} */ event) => {
    event.preventDefault();
    setSearch(searchOf({ ...filters, from: isoOfLocal(from), to: isoOfLocal(to), user: user.trim(), offset: 0 }));
  };
  const clear = () => setSearch(searchOf({ from: '', to: '', user: '', limit: filters.limit, offset: 0 }));
  const filtered = filters.from || filters.to || filters.user;
  return html`<form class="toolbar audit-filters" onSubmit=${apply} role="search" aria-label="Filter the audit log">
    <label>From<input type="datetime-local" name="from" value=${from} onInput=${(/** @type {any} */ e) => setFrom(e.currentTarget.value)} /></label>
    <label>To<input type="datetime-local" name="to" value=${to} onInput=${(/** @type {any} */ e) => setTo(e.currentTarget.value)} /></label>
    <label>User<input name="user" placeholder="username or id" autocomplete="off" value=${user} onInput=${(/** @type {any} */ e) => setUser(e.currentTarget.value)} /></label>
    <label>Per page<select name="limit" value=${String(filters.limit)}
      onChange=${(/** @type {any} */ e) => setSearch(searchOf({ ...filters, limit: Number(e.currentTarget.value), offset: 0 }))}>
      ${PageSizes.map((size) => html`<option value=${String(size)}>${size}</option>`)}
    </select></label>
    <button type="submit" class="primary">Filter</button>
    ${filtered ? html`<button type="button" onClick=${clear}>Clear</button>` : null}
  </form>`;
}

/**
 * One entry; a user it acted on is named, when the page could read the users.
 * @param {{ entry: AuditEntry, usernames: Map<string, string> }} props
 */
function Row({ entry, usernames }) {
  const label = actionLabel(entry.action);
  const targetUser = usernames.get(targetUserId(entry.action, entry.target) ?? '');
  return html`<tr>
    <td class="when">${dateTime(entry.timestamp)}</td>
    <td class="who">${entry.username ?? html`<span class="muted">anonymous</span>`}</td>
    <td class="what">${label}${label !== entry.action ? html`<div class="muted"><code>${entry.action}</code></div>` : null}</td>
    <td class="target">${!entry.target
      ? html`<span class="muted">–</span>`
      : targetUser
        ? html`${targetUser}<div class="muted"><code>${entry.target}</code></div>`
        : html`<code>${entry.target}</code>`}</td>
    <td class="outcome"><span class=${`badge ${OutcomeBadges[entry.outcome] ?? ''}`}>${entry.outcome}</span> <span class="muted">${entry.status}</span>
      ${entry.count > 1 ? html` <span class="muted" title="attempts counted on this row">×${entry.count}</span>` : null}</td>
    <td class="hide-narrow">${entry.client_address ?? '–'}</td>
  </tr>`;
}

/** @param {{ search: string }} props */
export default function Audit({ search }) {
  const { can } = useSession();
  const filters = filtersOf(search);
  /** @type {import('../lib/hooks.js').Loaded<{ entries: AuditEntry[], total: number }>} */
  const log = useApi('/api/v1/audit', { from: filters.from, to: filters.to, user: filters.user, limit: filters.limit, offset: filters.offset });
  /** @type {import('../lib/hooks.js').Loaded<{ users: { id: string, username: string }[] }>} */
  const users = useApi(can('users:read') ? '/api/v1/users' : null);
  const usernames = new Map((users.data?.users ?? []).map((u) => [u.id, u.username]));
  const page = log.data ? pageOf(log.data.total, filters.limit, filters.offset) : null;
  const goTo = (/** @type {number} */ offset) => setSearch(searchOf({ ...filters, offset }));

  let body;
  if (log.error) body = html`<${ErrorState} error=${log.error} retry=${log.reload} />`;
  else if (!log.data || !page) body = html`<${Loading} />`;
  else if (log.data.entries.length === 0) {
    body = html`<${Empty} title=${log.data.total > 0 ? 'No entries on this page' : 'No entries'}>
      ${page.previous !== null ? html`<button type="button" onClick=${() => goTo(/** @type {number} */ (page.previous))}>Back to the last page</button>` : null}
      ${page.previous === null && (filters.from || filters.to || filters.user) ? 'Nothing matches these filters.' : null}
    <//>`;
  } else {
    body = html`<div class="card">
      <div class="table-wrap"><table class="audit">
        <thead><tr>
          <th scope="col">Time</th><th scope="col">User</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th>
          <th scope="col" class="hide-narrow">Address</th>
        </tr></thead>
        <tbody aria-busy=${log.loading}>${log.data.entries.map((entry) => html`<${Row} key=${entry.id} entry=${entry} usernames=${usernames} />`)}</tbody>
      </table></div>
      <nav class="pager" aria-label="Pages">
        <span class="muted" role="status">${page.first}–${page.last} of ${log.data.total}</span>
        <button type="button" disabled=${page.previous === null} onClick=${() => goTo(/** @type {number} */ (page.previous))}>Newer</button>
        <button type="button" disabled=${page.next === null} onClick=${() => goTo(/** @type {number} */ (page.next))}>Older</button>
      </nav>
    </div>`;
  }

  return html`<section class="page admin">
    <div class="page-head">
      <h1>Audit log</h1>
      <div class="actions"><button type="button" onClick=${log.reload} disabled=${log.loading}>Refresh</button></div>
    </div>
    <${Filters} key=${search} filters=${filters} />
    ${body}
  </section>`;
}

// Logs: the search with every filter of the API, kept in the URL and paged, and a live tail of the same filters that
// can be paused (what arrives meanwhile is counted and held, then shown on resuming).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { useApi } from '../lib/hooks.js';
import { useStream } from '../lib/sse.js';
import { setSearch } from '../lib/router.js';
import { useSession } from '../lib/session.js';
import { dateTime, isoOfLocal, localInput } from '../lib/format.js';
import { Empty, ErrorState, FormError, Loading, StreamStatus } from '../components/states.js';
import {
  EmptyTail, Levels, PageSizes, Sources, TailLimit, extraFields, filterParams, filtersOf, isTruncated, levelTone,
  pageLabel, pageOf, pause, receive, resume,
} from '../lib/logs.js';

/** @typedef {import('../lib/logs.js').LogEntry} LogEntry */
/** @typedef {import('../lib/logs.js').LogFilters} LogFilters */
/** @typedef {(id: string) => string} HostName */

/** @param {{ search: string }} props */
export default function Logs({ search }) {
  const { can } = useSession();
  const filters = filtersOf(search);
  const { limit, offset } = pageOf(search);
  const tailing = new URLSearchParams(search).get('view') === 'tail';
  const params = filterParams(filters);
  const key = JSON.stringify(params);

  const agents = useApi(can('agents:read') ? '/api/v1/agents' : null);
  // The search runs in both views: its answer says whether the filters hold before the tail opens a stream with them.
  const results = useApi(/** @type {string} */ ('/api/v1/logs'), { ...params, limit, offset });
  const refused = results.error && (results.error.status === 400 || results.error.status === 404) ? results.error : null;

  const list = /** @type {{ agents: { id: string, name: string }[] } | undefined} */ (agents.data)?.agents ?? [];
  const names = new Map(list.map((a) => [a.id, a.name]));
  const hostName = (/** @type {string} */ id) => names.get(id) ?? id;

  return html`<section class="page logs">
    <div class="page-head">
      <h1>Logs</h1>
      <div class="views" role="group" aria-label="View">
        <button type="button" aria-pressed=${!tailing} onClick=${() => setSearch({ view: undefined })}>Results</button>
        <button type="button" aria-pressed=${tailing} onClick=${() => setSearch({ view: 'tail' })}>Live tail</button>
      </div>
    </div>
    <${Filters} filters=${filters} hosts=${list} canListHosts=${can('agents:read')} error=${refused} />
    ${tailing
      ? html`<${Tail} params=${params} ready=${results.data !== undefined && !results.loading && !results.error} key=${key} hostName=${hostName} />`
      : html`<${Results} results=${results} refused=${refused !== null} limit=${limit} offset=${offset} hostName=${hostName} />`}
  </section>`;
}

/**
 * Every filter of the API, applied together on submit and kept in the URL; the API's refusal shows beside them.
 * @param {{ filters: LogFilters, hosts: { id: string, name: string }[], canListHosts: boolean, error: any }} props
 */
function Filters({ filters, hosts, canListHosts, error }) {
  const shown = () => ({ ...filters, from: localInput(filters.from, { seconds: true }), to: localInput(filters.to, { seconds: true }) });
  const [draft, setDraft] = useState(shown);
  useEffect(() => setDraft(shown()), [JSON.stringify(filters)]);
  const set = (/** @type {keyof LogFilters} */ name) => (/** @type {any} */ e) => setDraft({ ...draft, [name]: e.currentTarget.value });
  const toggle = (/** @type {string} */ level) => setDraft({
    ...draft, levels: draft.levels.includes(level) ? draft.levels.filter((l) => l !== level) : [...draft.levels, level],
  });
  const invalid = (/** @type {string} */ name) => (error?.details && name in error.details ? 'true' : undefined);

  const apply = (/** @type {Event} */ event) => {
    event.preventDefault();
    setSearch({ ...filterParams({ ...draft, from: isoOfLocal(draft.from), to: isoOfLocal(draft.to) }), offset: undefined });
  };
  const clear = () => setSearch({ ...filterParams(filtersOf('')), offset: undefined });
  const knownHost = draft.agent_id === '' || hosts.some((h) => h.id === draft.agent_id);

  return html`<form class="card log-filters" onSubmit=${apply} aria-label="Filters">
    <label>Text<input type="search" name="q" value=${draft.q} placeholder='words, "a phrase", prefix*' onInput=${set('q')} aria-invalid=${invalid('q')} /></label>
    <div class="filter-grid">
      ${canListHosts
        ? html`<label>Host
            <select name="agent_id" value=${draft.agent_id} onChange=${set('agent_id')} aria-invalid=${invalid('agent_id')}>
              <option value="">All hosts</option>
              ${hosts.map((h) => html`<option value=${h.id}>${h.name}</option>`)}
              ${knownHost ? null : html`<option value=${draft.agent_id}>${draft.agent_id}</option>`}
            </select>
          </label>`
        : html`<label>Host id<input name="agent_id" value=${draft.agent_id} onInput=${set('agent_id')} aria-invalid=${invalid('agent_id')} /></label>`}
      <label>Source
        <select name="source" value=${draft.source} onChange=${set('source')} aria-invalid=${invalid('source')}>
          <option value="">Any source</option>
          ${Sources.map((s) => html`<option value=${s}>${s}</option>`)}
        </select>
      </label>
      <label class="wide-narrow">Source name<input name="source_name" value=${draft.source_name} placeholder="nginx.service, /var/log/app.log" onInput=${set('source_name')} /></label>
      <label class="wide-narrow">From<input type="datetime-local" step="1" name="from" value=${draft.from} onInput=${set('from')} aria-invalid=${invalid('from')} /></label>
      <label class="wide-narrow">To<input type="datetime-local" step="1" name="to" value=${draft.to} onInput=${set('to')} aria-invalid=${invalid('to')} /></label>
    </div>
    <fieldset class="levels">
      <legend>Levels <span class="muted">(none checked: all)</span></legend>
      ${Levels.map((level) => html`<label class="inline"><input type="checkbox" name="level" value=${level} checked=${draft.levels.includes(level)}
        onChange=${() => toggle(level)} />${level}</label>`)}
    </fieldset>
    <${FormError} error=${error} />
    <div class="actions">
      <button type="button" onClick=${clear}>Clear</button>
      <button type="submit" class="primary">Search</button>
    </div>
  </form>`;
}

/**
 * One page of the search's answer, newest first, with the total and the way to the next and previous pages.
 * @param {{ results: import('../lib/hooks.js').Loaded<{ entries: LogEntry[], total: number }>, refused: boolean, limit: number, offset: number, hostName: HostName }} props
 */
function Results({ results, refused, limit, offset, hostName }) {
  if (refused) return null;
  if (results.error) return html`<${ErrorState} error=${results.error} retry=${results.reload} />`;
  if (!results.data) return html`<${Loading} />`;
  const { entries, total } = results.data;
  const pager = html`<div class="pager">
    <span role="status">${pageLabel(offset, entries.length, total)}</span>
    <label class="inline">Per page
      <select value=${limit} onChange=${(/** @type {any} */ e) => setSearch({ limit: e.currentTarget.value, offset: undefined })}>
        ${PageSizes.map((size) => html`<option value=${size}>${size}</option>`)}
      </select>
    </label>
    <button type="button" disabled=${offset === 0} onClick=${() => setSearch({ offset: offset - limit > 0 ? String(offset - limit) : undefined })}>Previous</button>
    <button type="button" disabled=${offset + limit >= total} onClick=${() => setSearch({ offset: String(offset + limit) })}>Next</button>
  </div>`;
  return html`<section class="card log-results" aria-labelledby="results-title" aria-busy=${results.loading ? 'true' : 'false'}>
    <div class="log-head"><h2 id="results-title">Results</h2>${pager}</div>
    ${entries.length === 0
      ? html`<${Empty} title="No log lines match these filters" />`
      : html`<ol class="log-list">${entries.map((entry) => html`<${LogLine} key=${entry.id} entry=${entry} hostName=${hostName} />`)}</ol>`}
    ${total > limit ? pager : null}
  </section>`;
}

/**
 * The lines that match the filters as they are stored, newest first; paused, it counts and holds what arrives.
 * @param {{ params: Record<string, string | undefined>, ready: boolean, hostName: HostName }} props
 */
function Tail({ params, ready, hostName }) {
  const [tail, setTail] = useState(EmptyTail);
  const state = useStream(ready ? '/api/v1/logs/stream' : null, params, {
    log: (/** @type {LogEntry} */ entry) => setTail((t) => receive(t, [entry])),
  });

  return html`<section class="card log-tail" aria-labelledby="tail-title">
    <div class="log-head">
      <h2 id="tail-title">Live tail</h2>
      <div class="tail-controls">
        ${ready ? html`<${StreamStatus} state=${state} />` : html`<span class="muted">Checking the filters…</span>`}
        ${tail.paused
          ? html`<span class="badge pending">Paused</span>
              <span class="held" role="status">${tail.arrived.toLocaleString('en')} new ${tail.arrived === 1 ? 'line' : 'lines'} while paused</span>
              <button type="button" class="primary" onClick=${() => setTail(resume(tail))}>Resume</button>`
          : html`<button type="button" onClick=${() => setTail(pause(tail))}>Pause</button>`}
        <button type="button" disabled=${tail.lines.length === 0} onClick=${() => setTail({ ...tail, lines: [], dropped: 0 })}>Clear</button>
      </div>
    </div>
    ${tail.dropped > 0 ? html`<p class="muted">Showing the newest ${TailLimit.toLocaleString('en')} lines.</p>` : null}
    ${tail.lines.length === 0
      ? html`<${Empty} title="Waiting for new lines">Lines that match the filters show here as they are stored, newest first.<//>`
      : html`<ol class="log-list">${tail.lines.map((entry) => html`<${LogLine} key=${entry.id} entry=${entry} hostName=${hostName} />`)}</ol>`}
  </section>`;
}

/**
 * One log line: when, where from, how severe, what it says (wrapped, marked when cut), and its fields on demand.
 * @param {{ entry: LogEntry, hostName: HostName }} props
 */
function LogLine({ entry, hostName }) {
  const fields = extraFields(entry);
  return html`<li class="log-line">
    <div class="log-meta">
      <time datetime=${entry.timestamp}>${dateTime(entry.timestamp)}</time>
      <span class="log-host">${hostName(entry.agent_id)}</span>
      <span class=${`badge ${levelTone(entry.level)}`}>${entry.level}</span>
      <span class="log-source">${entry.source} · ${entry.source_name}</span>
      ${isTruncated(entry) ? html`<span class="tag truncated" title="The line was longer than the source keeps; this is its start">truncated</span>` : null}
    </div>
    <pre class="log-message">${entry.message}</pre>
    ${fields.length > 0
      ? html`<details class="log-fields">
          <summary>Fields (${fields.length})</summary>
          <dl class="facts">${fields.map(([name, value]) => html`<dt>${name}</dt><dd><code>${value}</code></dd>`)}</dl>
        </details>`
      : null}
  </li>`;
}

// The host view's process table: every process of the last collection, sorted and filtered by the API and
// refreshed while shown; holders of `processes:signal` may send a signal to one, after confirming.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { post } from '../lib/api.js';
import { useApi, useInterval } from '../lib/hooks.js';
import { bytes, percent } from '../lib/format.js';
import { useConfirm } from '../components/confirm.js';
import { Empty, ErrorState, FormError, Loading } from '../components/states.js';

const Refresh = 5000;

/** The signals offered, by name and number (Linux). */
const Signals = /** @type {const} */ ([
  ['TERM', 15],
  ['KILL', 9],
  ['HUP', 1],
  ['INT', 2],
  ['STOP', 19],
  ['CONT', 18],
]);

/** The columns the API sorts by, with the order it sorts them in. */
const Sorts = /** @type {const} */ ([
  ['pid', 'PID', 'ascending'],
  ['name', 'Name', 'ascending'],
  ['cpu', 'CPU', 'descending'],
  ['memory', 'Memory', 'descending'],
]);

/** @typedef {{ pid: number, name: string, cmdline: string, user: string, state: string, cpu: number, memory: number, threads: number }} ProcessRow */

/** @param {{ id: string, maySignal: boolean }} props */
export function Processes({ id, maySignal }) {
  const [sort, setSort] = useState('cpu');
  const [filter, setFilter] = useState('');
  const list = useApi('/api/v1/processes', { sort, q: filter.trim(), agent_id: id });
  useInterval(list.reload, Refresh);
  const answer = /** @type {{ total: number, matched: number, processes: ProcessRow[] } | undefined} */ (list.data);

  const [dialog, ask] = useConfirm();
  const [outcome, setOutcome] = useState(/** @type {{ ok: string } | { error: { message: string } } | null} */ (null));
  const [chosen, setChosen] = useState(/** @type {Record<number, string>} */ ({}));

  /** @param {ProcessRow} process */
  const signal = async (process) => {
    const name = chosen[process.pid] ?? 'TERM';
    const number = Signals.find(([n]) => n === name)?.[1] ?? 15;
    const yes = await ask({
      title: `Send SIG${name} to ${process.name}?`,
      message: `Process ${process.pid} (${process.user}): ${process.cmdline || process.name}`,
      confirm: `Send SIG${name}`,
      danger: true,
    });
    if (!yes) return;
    try {
      await post(`/api/v1/processes/${process.pid}/signal?agent_id=${encodeURIComponent(id)}`, { signal: number });
      setOutcome({ ok: `Sent SIG${name} to ${process.name} (${process.pid}).` });
      list.reload();
    } catch (error) {
      setOutcome({ error: /** @type {{ message: string }} */ (error) });
    }
  };

  return html`<section class="card host-processes" aria-labelledby="processes-title">
    <div class="processes-head">
      <h2 id="processes-title">Processes</h2>
      ${answer ? html`<span class="muted">${answer.matched === answer.total ? `${answer.total} processes` : `${answer.matched} of ${answer.total} processes`}</span>` : null}
    </div>
    <div class="toolbar">
      <label>Filter by name or command
        <input type="search" value=${filter} onInput=${(/** @type {any} */ e) => setFilter(e.currentTarget.value)} />
      </label>
    </div>
    ${outcome && 'ok' in outcome ? html`<p class="form-ok" role="status">${outcome.ok}</p>` : null}
    ${outcome && 'error' in outcome ? html`<${FormError} error=${outcome.error} />` : null}
    ${list.error ? html`<${ErrorState} error=${list.error} retry=${list.reload} />` : null}
    ${!answer && list.loading ? html`<${Loading} />` : null}
    ${answer && answer.processes.length === 0 ? html`<${Empty} title=${filter ? 'No process matches the filter' : 'No processes'} />` : null}
    ${answer && answer.processes.length > 0
      ? html`<div class="table-wrap processes-wrap"><table>
          <thead><tr>
            ${Sorts.map(([key, label, order]) => html`<th class=${key === 'cpu' || key === 'memory' || key === 'pid' ? 'num' : ''} aria-sort=${sort === key ? order : 'none'}>
              <button type="button" class="sort" onClick=${() => setSort(key)}>${label}</button>
            </th>`)}
            <th class="hide-narrow">User</th><th class="hide-narrow">State</th><th class="num hide-narrow">Threads</th><th class="hide-narrow">Command</th>
            ${maySignal ? html`<th>Signal</th>` : null}
          </tr></thead>
          <tbody>${answer.processes.map((p) => html`<tr key=${p.pid}>
            <td class="num">${p.pid}</td>
            <td>${p.name}</td>
            <td class="num">${percent(p.cpu)}</td>
            <td class="num">${bytes(p.memory)}</td>
            <td class="hide-narrow">${p.user}</td>
            <td class="hide-narrow">${p.state}</td>
            <td class="num hide-narrow">${p.threads}</td>
            <td class="hide-narrow command" title=${p.cmdline}>${p.cmdline}</td>
            ${maySignal
              ? html`<td class="signal">
                  <select aria-label=${`Signal for ${p.name} (${p.pid})`} value=${chosen[p.pid] ?? 'TERM'}
                    onChange=${(/** @type {any} */ e) => setChosen({ ...chosen, [p.pid]: e.currentTarget.value })}>
                    ${Signals.map(([name]) => html`<option value=${name}>SIG${name}</option>`)}
                  </select>
                  <button type="button" onClick=${() => signal(p)}>Send</button>
                </td>`
              : null}
          </tr>`)}</tbody>
        </table></div>`
      : null}
    ${dialog}
  </section>`;
}

// The agents: every host's status, version, certificate and outbox; the requests waiting for approval; adding a host
// with its one-time enrollment token and the command to run there; revoking and removing, each asked first.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { del, post } from '../lib/api.js';
import { useApi, useInterval } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';
import { ago, dateTime } from '../lib/format.js';
import { HeartbeatMs } from '../lib/fleet.js';
import { enrollCommand, expiresSoon, shortVersion } from '../lib/agents.js';
import { Empty, ErrorState, FormError, Loading } from '../components/states.js';
import { useConfirm } from '../components/confirm.js';

/**
 * @typedef {object} AgentView
 * @property {string} id
 * @property {string} name
 * @property {string} hostname
 * @property {string} status
 * @property {string} architecture
 * @property {string} os
 * @property {string | null} last_seen
 * @property {string} registered_at
 * @property {number} buffered
 * @property {number} dropped
 * @property {string | null} version
 * @property {{ serial: string, expires_at: string } | null} certificate
 */

/** @typedef {{ id: string, enrollment: import('../lib/agents.js').Enrollment }} Added */

const count = new Intl.NumberFormat();

export default function Agents() {
  const { can } = useSession();
  const agents = useApi('/api/v1/agents');
  const pending = useApi('/api/v1/agents/pending');
  const reload = () => {
    agents.reload();
    pending.reload();
  };
  useInterval(reload, HeartbeatMs);
  const [confirmDialog, ask] = useConfirm();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState(/** @type {any} */ (null));

  /**
   * Carries out an action on one agent after asking, when `question` is given; its error is shown above the lists.
   * @param {() => Promise<unknown>} action
   * @param {import('../components/confirm.js').Question} [question]
   */
  const act = async (action, question) => {
    if (question && !(await ask(question))) return;
    setActionError(null);
    setBusy(true);
    try {
      await action();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
      reload();
    }
  };
  const id = (/** @type {string} */ agentId) => encodeURIComponent(agentId);
  const approve = (/** @type {AgentView} */ a) => act(() => post(`/api/v1/agents/pending/${id(a.id)}/approve`));
  const reject = (/** @type {AgentView} */ a) =>
    act(() => post(`/api/v1/agents/pending/${id(a.id)}/reject`), {
      title: `Reject ${a.id}?`,
      message: 'The agent is told no and exits; the request is forgotten. Restarted, it asks again.',
      confirm: 'Reject',
      danger: true,
    });
  const revoke = (/** @type {AgentView} */ a) =>
    act(() => post(`/api/v1/agents/${id(a.id)}/revoke`), {
      title: `Revoke ${a.id}?`,
      message: 'Its certificate is refused from now on and its connection closes. To come back it must enroll again and be approved.',
      confirm: 'Revoke',
      danger: true,
    });
  const remove = (/** @type {AgentView} */ a) =>
    act(() => del(`/api/v1/agents/${id(a.id)}`), {
      title: `Delete ${a.id}?`,
      message: 'Its connection closes and its alerts resolve; its history stays.',
      confirm: 'Delete',
      danger: true,
    });

  return html`<section class="page agents">
    <div class="page-head"><h1>Agents</h1></div>
    ${can('agents:write') ? html`<${AddHost} onAdded=${reload} />` : null}
    <${FormError} error=${actionError} />
    <section class="card agents-pending" aria-labelledby="pending-title">
      <h2 id="pending-title">Waiting for approval</h2>
      ${pending.data
        ? pending.data.agents.length === 0
          ? html`<p class="muted">No host is asking to join. An agent started without a token asks here.</p>`
          : html`<div class="table-wrap"><table>
              <thead><tr><th>Agent</th><th class="hide-narrow">Host</th><th>Asked</th>${can('agents:approve') ? html`<th class="agents-actions">Actions</th>` : null}</tr></thead>
              <tbody>
                ${pending.data.agents.map((/** @type {AgentView} */ a) => html`<tr key=${a.id}>
                  <td><${AgentName} agent=${a} /></td>
                  <td class="hide-narrow">${a.hostname} <span class="muted">${a.os} ${a.architecture}</span></td>
                  <td title=${dateTime(a.registered_at)}>${ago(a.registered_at)}</td>
                  ${can('agents:approve')
                    ? html`<td class="agents-actions">
                        <button type="button" class="primary" disabled=${busy} onClick=${() => approve(a)} aria-label=${`Approve ${a.id}`}>Approve</button>
                        <button type="button" disabled=${busy} onClick=${() => reject(a)} aria-label=${`Reject ${a.id}`}>Reject</button>
                      </td>`
                    : null}
                </tr>`)}
              </tbody>
            </table></div>`
        : pending.error
          ? html`<${ErrorState} error=${pending.error} retry=${pending.reload} />`
          : html`<${Loading} />`}
    </section>
    <section class="card agents-list" aria-labelledby="agents-title">
      <h2 id="agents-title">Hosts</h2>
      ${agents.data
        ? html`<${AgentTable}
            agents=${agents.data.agents.filter((/** @type {AgentView} */ a) => a.status !== 'pending')}
            busy=${busy}
            onRevoke=${can('agents:revoke') ? revoke : null}
            onDelete=${can('agents:write') ? remove : null}
          />`
        : agents.error
          ? html`<${ErrorState} error=${agents.error} retry=${agents.reload} />`
          : html`<${Loading} />`}
      ${agents.data && agents.error ? html`<p class="form-error" role="alert">The list could not be refreshed: ${agents.error.message}</p>` : null}
    </section>
    ${confirmDialog}
  </section>`;
}

/** @param {{ agent: AgentView }} props */
function AgentName({ agent }) {
  return html`<strong>${agent.name}</strong>${agent.name !== agent.id ? html`<code class="agents-id">${agent.id}</code>` : null}`;
}

/**
 * @param {{ agents: AgentView[], busy: boolean, onRevoke: ((a: AgentView) => void) | null, onDelete: ((a: AgentView) => void) | null }} props
 */
function AgentTable({ agents, busy, onRevoke, onDelete }) {
  if (agents.length === 0) return html`<${Empty} title="No hosts yet" />`;
  const now = Date.now();
  const withActions = onRevoke !== null || onDelete !== null;
  return html`<div class="table-wrap"><table>
    <thead><tr>
      <th>Agent</th><th>Status</th><th class="hide-narrow">Host</th><th class="hide-narrow">Version</th><th>Last seen</th><th>Certificate expires</th>
      <th class="num">Buffered</th><th class="num">Dropped</th>
      ${withActions ? html`<th class="agents-actions">Actions</th>` : null}
    </tr></thead>
    <tbody>
      ${agents.map((a) => {
        // A server's own host has no certificate and cannot be removed; an invited host has none yet, and has never been seen.
        const serverHost = a.id === 'local' || (a.certificate === null && a.last_seen !== null && a.status !== 'revoked');
        return html`<tr key=${a.id}>
          <td><a href=${`/hosts/${encodeURIComponent(a.id)}`}><${AgentName} agent=${a} /></a></td>
          <td><span class=${`badge ${a.status}`}>${a.status}</span></td>
          <td class="hide-narrow">${a.hostname || '–'} <span class="muted">${a.os} ${a.architecture}</span></td>
          <td class="hide-narrow" title=${a.version ?? undefined}>${a.version ? shortVersion(a.version) : '–'}</td>
          <td title=${a.last_seen ? dateTime(a.last_seen) : undefined}>${ago(a.last_seen, now)}</td>
          <td>${a.certificate
            ? html`<span class=${expiresSoon(a.certificate.expires_at, now) ? 'agents-expiring' : ''}>${dateTime(a.certificate.expires_at)}</span>`
            : html`<span class="muted">${serverHost ? 'none: a server’s own host' : a.status === 'revoked' ? 'revoked' : 'not enrolled yet'}</span>`}</td>
          <td class="num">${count.format(a.buffered)}</td>
          <td class=${a.dropped > 0 ? 'num agents-dropped' : 'num'}>${count.format(a.dropped)}</td>
          ${withActions
            ? html`<td class="agents-actions">
                ${onRevoke && a.certificate && a.status !== 'revoked'
                  ? html`<button type="button" disabled=${busy} onClick=${() => onRevoke(a)} aria-label=${`Revoke ${a.id}`}>Revoke</button>`
                  : null}
                ${onDelete && !serverHost
                  ? html`<button type="button" class="danger" disabled=${busy} onClick=${() => onDelete(a)} aria-label=${`Delete ${a.id}`}>Delete</button>`
                  : null}
              </td>`
            : null}
        </tr>`;
      })}
    </tbody>
  </table></div>`;
}

/** @param {{ onAdded: () => void }} props */
function AddHost({ onAdded }) {
  const [agentId, setAgentId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState(/** @type {any} */ (null));
  const [sending, setSending] = useState(false);
  const [added, setAdded] = useState(/** @type {Added | null} */ (null));

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setError(null);
    setSending(true);
    try {
      const answer = await post('/api/v1/agents', { id: agentId.trim(), name: name.trim() || null });
      setAdded({ id: answer.id, enrollment: answer.enrollment });
      setAgentId('');
      setName('');
      onAdded();
    } catch (e) {
      setError(e);
    } finally {
      setSending(false);
    }
  };

  if (added) return html`<${Enrollment} added=${added} onDone=${() => setAdded(null)} />`;
  return html`<form class="card agents-add" onSubmit=${submit} aria-labelledby="add-title">
    <h2 id="add-title">Add a host</h2>
    <div class="agents-add-fields">
      <label>Agent id
        <input name="id" required maxlength="64" autocomplete="off" spellcheck=${false} value=${agentId} onInput=${(/** @type {any} */ e) => setAgentId(e.currentTarget.value)} aria-describedby="add-id-rule" />
      </label>
      <label>Name <input name="name" maxlength="200" autocomplete="off" value=${name} onInput=${(/** @type {any} */ e) => setName(e.currentTarget.value)} placeholder="the id when empty" /></label>
      <button type="submit" class="primary" disabled=${sending}>Add host</button>
    </div>
    <p id="add-id-rule" class="muted agents-hint">1 to 64 letters, digits, <code>.</code> <code>_</code> <code>-</code>; the host gets a one-time token to enroll with.</p>
    <${FormError} error=${error} />
  </form>`;
}

/**
 * What the new host needs, shown this once: the server keeps only the token's hash.
 * @param {{ added: Added, onDone: () => void }} props
 */
function Enrollment({ added, onDone }) {
  const { enrollment } = added;
  const command = enrollCommand(added.id, enrollment);
  const [copied, setCopied] = useState(/** @type {string | null} */ (null));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied('Copied.');
    } catch {
      setCopied('The browser refused the clipboard: select the command and copy it.');
    }
  };
  return html`<section class="card agents-enrollment" aria-labelledby="enroll-title">
    <h2 id="enroll-title">Enroll ${added.id}</h2>
    <p class="agents-once" role="status">This token is shown only this once; copy it now.</p>
    <dl class="facts">
      <dt>Token</dt><dd><code class="agents-token">${enrollment.token}</code></dd>
      <dt>Expires</dt><dd>${dateTime(enrollment.expires_at)}</dd>
      <dt>CA fingerprint</dt><dd><code>${enrollment.ca_fingerprint}</code></dd>
      <dt>Server</dt><dd><code>${enrollment.server}</code></dd>
    </dl>
    <p>Run this on the new host, from the folder of a published Tyto (<code>Tyto.Host.dll</code>):</p>
    <pre class="agents-command" tabindex="0" aria-label="Command to run on the new host"><code>${command}</code></pre>
    <div class="actions">
      ${copied ? html`<span class="muted" role="status">${copied}</span>` : null}
      <button type="button" onClick=${copy}>Copy command</button>
      <button type="button" class="primary" onClick=${onDone}>Done</button>
    </div>
  </section>`;
}

// User accounts: who they are, their roles, when they last signed in; and for holders of users:write, creating them,
// changing their e-mail and roles, resetting their password, and disabling them (or enabling them again).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { del, post, put } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';
import { ago, dateTime } from '../lib/format.js';
import { rolesInOrder } from '../lib/catalogue.js';
import { useConfirm } from '../components/confirm.js';
import { Empty, ErrorState, FormError, Loading } from '../components/states.js';

/**
 * @typedef {{ id: string, username: string, email: string | null, roles: string[], auth_provider: string, disabled: boolean,
 *   created_at: string, last_login: string | null }} Account
 * @typedef {import('../lib/catalogue.js').Role} Role
 */

const value = (/** @type {(v: string) => void} */ set) => (/** @type {any} */ e) => set(e.currentTarget.value);

/**
 * The roles to give: a checkbox for each role when the roles can be read (undefined while they load), else their ids typed.
 * @param {{ roles: Role[] | null | undefined, chosen: string[], onChange: (roles: string[]) => void, prefix: string }} props
 */
function RoleChoice({ roles, chosen, onChange, prefix }) {
  if (roles === undefined) return html`<${Loading} label="Loading roles…" />`;
  if (roles === null) {
    return html`<label>Roles (ids, separated by commas)
        <input name="roles" aria-describedby=${`${prefix}-help`} value=${chosen.join(', ')}
          onInput=${(/** @type {any} */ e) => onChange(e.currentTarget.value.split(',').map((/** @type {string} */ r) => r.trim()).filter(Boolean))} />
      </label>
      <p class="hint muted" id=${`${prefix}-help`}>Your account may not read the roles (roles:read), so they are not listed.</p>`;
  }
  const flip = (/** @type {string} */ id, /** @type {boolean} */ on) => onChange(on ? [...chosen, id] : chosen.filter((r) => r !== id));
  return html`<fieldset class="choices">
    <legend>Roles</legend>
    ${roles.length === 0 ? html`<p class="muted">No roles exist.</p>` : null}
    ${rolesInOrder(roles).map((role) => html`<div class="choice" key=${role.id}>
      <label class="inline">
        <input type="checkbox" checked=${chosen.includes(role.id)} aria-describedby=${`${prefix}-${role.id}`}
          onChange=${(/** @type {any} */ e) => flip(role.id, e.currentTarget.checked)} />
        ${role.name}
      </label>
      <span class="muted" id=${`${prefix}-${role.id}`}>${role.is_system ? 'System role. ' : ''}${role.description}</span>
    </div>`)}
  </fieldset>`;
}

/** @param {{ roles: Role[] | null | undefined, onCreated: (account: Account) => void, onCancel: () => void }} props */
function NewUser({ roles, onCreated, onCancel }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [chosen, setChosen] = useState(/** @type {string[]} */ ([]));
  const [error, setError] = useState(/** @type {any} */ (null));
  const [busy, setBusy] = useState(false);
  const heading = useRef(/** @type {HTMLHeadingElement | null} */ (null));
  useEffect(() => heading.current?.focus(), []);

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      onCreated(await post('/api/v1/users', { username, password, email: email === '' ? null : email, roles: chosen }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="card editor" onSubmit=${submit} aria-labelledby="new-user-title">
    <h2 id="new-user-title" tabindex="-1" ref=${heading}>New user</h2>
    <div class="grid two">
      <div>
        <label>Username<input name="username" autocomplete="off" required value=${username} onInput=${value(setUsername)} /></label>
        <label>Password<input type="password" name="password" autocomplete="new-password" required aria-describedby="new-user-password-help"
          value=${password} onInput=${value(setPassword)} /></label>
        <p class="hint muted" id="new-user-password-help">At least 10 characters, not the username.</p>
        <label>E-mail (optional)<input type="email" name="email" autocomplete="off" value=${email} onInput=${value(setEmail)} /></label>
      </div>
      <${RoleChoice} roles=${roles} chosen=${chosen} onChange=${setChosen} prefix="new-user-role" />
    </div>
    <${FormError} error=${error} />
    <div class="actions">
      <button type="button" onClick=${onCancel}>Cancel</button>
      <button type="submit" class="primary" disabled=${busy}>Create user</button>
    </div>
  </form>`;
}

/**
 * One account's editor: e-mail and roles, a new password, and whether it may sign in.
 * @param {{ account: Account, roles: Role[] | null | undefined, self: boolean, onChanged: (message: string) => void, onClose: () => void }} props
 */
function EditUser({ account, roles, self, onChanged, onClose }) {
  const [email, setEmail] = useState(account.email ?? '');
  const [chosen, setChosen] = useState(account.roles);
  const [accountError, setAccountError] = useState(/** @type {any} */ (null));
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState(/** @type {any} */ (null));
  const [accessError, setAccessError] = useState(/** @type {any} */ (null));
  const [confirmDialog, ask] = useConfirm();
  const heading = useRef(/** @type {HTMLHeadingElement | null} */ (null));
  useEffect(() => heading.current?.focus(), [account.id]);

  const saveAccount = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setAccountError(null);
    try {
      await put(`/api/v1/users/${encodeURIComponent(account.id)}`, { email, roles: chosen });
      onChanged(`Saved ${account.username}.`);
    } catch (e) {
      setAccountError(e);
    }
  };
  const resetPassword = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setPasswordError(null);
    try {
      await put(`/api/v1/users/${encodeURIComponent(account.id)}/password`, { new_password: password });
      setPassword('');
      onChanged(`Reset the password of ${account.username}; its sessions have ended.`);
    } catch (e) {
      setPasswordError(e);
    }
  };
  const disable = async () => {
    setAccessError(null);
    const yes = await ask({
      title: `Disable ${account.username}?`,
      message: `${account.username} is signed out everywhere at once and cannot sign in until enabled again.`,
      confirm: 'Disable',
      danger: true,
    });
    if (!yes) return;
    try {
      await del(`/api/v1/users/${encodeURIComponent(account.id)}`);
      onChanged(`Disabled ${account.username}.`);
    } catch (e) {
      setAccessError(e);
    }
  };
  const enable = async () => {
    setAccessError(null);
    try {
      await put(`/api/v1/users/${encodeURIComponent(account.id)}`, { disabled: false });
      onChanged(`Enabled ${account.username}.`);
    } catch (e) {
      setAccessError(e);
    }
  };

  return html`<section class="card editor" aria-labelledby="edit-user-title">
    <div class="editor-head">
      <h2 id="edit-user-title" tabindex="-1" ref=${heading}>${account.username}</h2>
      <button type="button" onClick=${onClose}>Close</button>
    </div>
    <dl class="facts">
      <dt>Status</dt><dd><${Status} account=${account} /></dd>
      <dt>Created</dt><dd>${dateTime(account.created_at)}</dd>
      <dt>Last sign-in</dt><dd>${dateTime(account.last_login)}</dd>
      <dt>Signs in with</dt><dd>${account.auth_provider}</dd>
    </dl>
    <div class="grid two">
      <form onSubmit=${saveAccount} aria-label="Account">
        <h3>Account</h3>
        <label>E-mail<input type="email" name="email" autocomplete="off" value=${email} onInput=${value(setEmail)} /></label>
        <${RoleChoice} roles=${roles} chosen=${chosen} onChange=${setChosen} prefix="edit-user-role" />
        <${FormError} error=${accountError} />
        <div class="actions"><button type="submit" class="primary">Save</button></div>
      </form>
      <div>
        <form onSubmit=${resetPassword} aria-label="Reset password">
          <h3>Password</h3>
          <label>New password<input type="password" name="new_password" autocomplete="new-password" required aria-describedby="reset-password-help"
            value=${password} onInput=${value(setPassword)} /></label>
          <p class="hint muted" id="reset-password-help">At least 10 characters. Every session of ${account.username} ends.</p>
          <${FormError} error=${passwordError} />
          <div class="actions"><button type="submit">Reset password</button></div>
        </form>
        <h3>Access</h3>
        ${self
          ? html`<p class="muted">You cannot disable your own account.</p>`
          : account.disabled
            ? html`<p class="muted">${account.username} cannot sign in.</p>
                <div class="actions"><button type="button" onClick=${enable}>Enable</button></div>`
            : html`<p class="muted">Disabling ends every session of ${account.username} at once.</p>
                <div class="actions"><button type="button" class="danger" onClick=${disable}>Disable</button></div>`}
        <${FormError} error=${accessError} />
      </div>
    </div>
    ${confirmDialog}
  </section>`;
}

/** @param {{ account: Account }} props */
function Status({ account }) {
  return account.disabled ? html`<span class="badge disabled">disabled</span>` : html`<span class="badge ok">enabled</span>`;
}

export default function Users() {
  const { user, can, refresh } = useSession();
  const writable = can('users:write');
  const readsRoles = can('roles:read');
  /** @type {import('../lib/hooks.js').Loaded<{ users: Account[] }>} */
  const users = useApi('/api/v1/users');
  /** @type {import('../lib/hooks.js').Loaded<{ roles: Role[] }>} */
  const roles = useApi(writable && readsRoles ? '/api/v1/roles' : null);
  const [editing, setEditing] = useState(/** @type {'new' | string | null} */ (null));
  const [notice, setNotice] = useState('');

  const accounts = users.data?.users;
  const roleList = readsRoles ? roles.data?.roles : null;
  const edited = accounts?.find((a) => a.id === editing);
  const open = (/** @type {'new' | string} */ which) => {
    setNotice('');
    setEditing(which);
  };
  const changed = (/** @type {string} */ message) => {
    setNotice(message);
    users.reload();
    // Narrowing one's own roles narrows what this session may do.
    if (editing === user.id) refresh();
  };

  let body;
  if (users.error && !accounts) body = html`<${ErrorState} error=${users.error} retry=${users.reload} />`;
  else if (!accounts) body = html`<${Loading} />`;
  else if (accounts.length === 0) body = html`<${Empty} title="No users" />`;
  else {
    body = html`<div class="card"><div class="table-wrap"><table class="users">
      <thead><tr>
        <th scope="col">User</th><th scope="col">Roles</th><th scope="col" class="hide-narrow">Status</th><th scope="col" class="hide-narrow">Last sign-in</th>
        ${writable ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : null}
      </tr></thead>
      <tbody>${accounts.map((account) => html`<tr key=${account.id} class=${account.disabled ? 'is-disabled' : undefined}>
        <td>
          <strong>${account.username}</strong>${account.id === user.id ? html` <span class="tag">you</span>` : null}
          ${account.email ? html`<div class="muted">${account.email}</div>` : null}
          <div class="narrow-only"><${Status} account=${account} /></div>
        </td>
        <td>${account.roles.length === 0 ? html`<span class="muted">none</span>` : account.roles.map((r) => html`<span class="tag">${r}</span>`)}</td>
        <td class="hide-narrow"><${Status} account=${account} /></td>
        <td class="hide-narrow" title=${dateTime(account.last_login)}>${ago(account.last_login)}</td>
        ${writable
          ? html`<td class="row-actions"><button type="button" aria-label=${`Edit ${account.username}`} onClick=${() => open(account.id)}>Edit</button></td>`
          : null}
      </tr>`)}</tbody>
    </table></div></div>`;
  }

  return html`<section class="page admin">
    <div class="page-head">
      <h1>Users</h1>
      ${writable ? html`<div class="actions"><button type="button" class="primary" onClick=${() => open('new')}>New user</button></div>` : null}
    </div>
    ${notice ? html`<p class="form-ok" role="status">${notice}</p>` : null}
    ${roles.error ? html`<${ErrorState} error=${roles.error} retry=${roles.reload} />` : null}
    ${writable && editing === 'new'
      ? html`<${NewUser} roles=${roleList} onCancel=${() => setEditing(null)} onCreated=${(/** @type {Account} */ created) => {
          setEditing(null);
          changed(`Created ${created.username}.`);
        }} />`
      : null}
    ${writable && edited
      ? html`<${EditUser} key=${edited.id} account=${edited} roles=${roleList} self=${edited.id === user.id} onClose=${() => setEditing(null)} onChanged=${changed} />`
      : null}
    ${users.error && accounts ? html`<${ErrorState} error=${users.error} retry=${users.reload} />` : null}
    ${body}
  </section>`;
}

// Roles and what they grant; for holders of roles:write, custom roles made, changed and deleted with a permission picker
// built from the API's catalogue. System roles are shown as such and cannot be changed.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { del, post, put } from '../lib/api.js';
import { useApi } from '../lib/hooks.js';
import { useSession } from '../lib/session.js';
import { coveredBy, crossWildcards, effective, groups, others, parsePermission, rolesInOrder, toggle } from '../lib/catalogue.js';
import { useConfirm } from '../components/confirm.js';
import { Empty, ErrorState, FormError, Loading } from '../components/states.js';

/**
 * @typedef {import('../lib/catalogue.js').Role} Role
 * @typedef {import('../lib/catalogue.js').Permission} Permission
 */

/**
 * A checkbox for one permission or wildcard; checked and locked while a wider one chosen grants it.
 * @param {{ permission: Permission, selected: string[], onChange: (selected: string[]) => void }} props
 */
function PermissionBox({ permission, selected, onChange }) {
  const by = coveredBy(selected, permission.name);
  const id = `permission-${permission.name.replaceAll('*', 'all').replaceAll(':', '-')}`;
  return html`<div class="choice">
    <label class="inline">
      <input type="checkbox" value=${permission.name} checked=${by !== null || selected.includes(permission.name)} disabled=${by !== null}
        aria-describedby=${id} onChange=${(/** @type {any} */ e) => onChange(toggle(selected, permission.name, e.currentTarget.checked))} />
      <code>${permission.name}</code>
    </label>
    <span class="muted" id=${id}>${permission.description}${by !== null ? ` (granted by ${by})` : ''}</span>
  </div>`;
}

/**
 * The permissions a role grants, picked from the catalogue by resource, with wildcards, and any other typed in.
 * @param {{ catalogue: Permission[], selected: string[], onChange: (selected: string[]) => void }} props
 */
function PermissionPicker({ catalogue, selected, onChange }) {
  const [typed, setTyped] = useState('');
  const [typedError, setTypedError] = useState(/** @type {Error | null} */ (null));
  const add = () => {
    const name = parsePermission(typed);
    if (name === null) {
      setTypedError(new Error('Write a permission as resource:action, with * for either side (logs:*, *:read), or * alone.'));
      return;
    }
    setTypedError(null);
    setTyped('');
    onChange(toggle(selected, name, true));
  };
  const extra = others(catalogue, selected);
  const box = (/** @type {Permission} */ permission) =>
    html`<${PermissionBox} key=${permission.name} permission=${permission} selected=${selected} onChange=${onChange} />`;

  return html`<fieldset class="picker">
    <legend>Permissions</legend>
    <div class="picker-groups">
      ${groups(catalogue).map((group) => html`<fieldset class="picker-group" key=${group.resource}>
        <legend>${group.resource}</legend>
        ${group.wildcard ? box(group.wildcard) : null}
        ${group.permissions.map(box)}
      </fieldset>`)}
      <fieldset class="picker-group">
        <legend>Across resources</legend>
        ${crossWildcards(catalogue).map(box)}
      </fieldset>
      ${extra.length > 0
        ? html`<fieldset class="picker-group">
            <legend>Others</legend>
            ${extra.map((name) => box({ name, description: 'Not in the catalogue' }))}
          </fieldset>`
        : null}
    </div>
    <div class="toolbar picker-add">
      <label>Another permission or wildcard<input name="permission" placeholder="logs:*" value=${typed}
        onInput=${(/** @type {any} */ e) => setTyped(e.currentTarget.value)}
        onKeyDown=${(/** @type {KeyboardEvent} */ e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }} /></label>
      <button type="button" onClick=${add}>Add</button>
    </div>
    <${FormError} error=${typedError} />
  </fieldset>`;
}

/**
 * Creating a custom role (no `role`) or changing one.
 * @param {{ role: Role | null, catalogue: Permission[], onSaved: (role: Role) => void, onCancel: () => void }} props
 */
function RoleEditor({ role, catalogue, onSaved, onCancel }) {
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [selected, setSelected] = useState(role?.permissions ?? ['dashboard:view']);
  const [error, setError] = useState(/** @type {any} */ (null));
  const [busy, setBusy] = useState(false);
  const heading = useRef(/** @type {HTMLHeadingElement | null} */ (null));
  useEffect(() => heading.current?.focus(), [role?.id]);
  const granted = effective(selected);

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body = { name, description, permissions: granted };
      onSaved(role ? await put(`/api/v1/roles/${encodeURIComponent(role.id)}`, body) : await post('/api/v1/roles', body));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="card editor" onSubmit=${submit} aria-labelledby="role-editor-title">
    <div class="editor-head">
      <h2 id="role-editor-title" tabindex="-1" ref=${heading}>${role ? `Edit ${role.name}` : 'New role'}</h2>
      ${role ? html`<code class="muted">${role.id}</code>` : null}
    </div>
    <div class="grid two">
      <label>Name<input name="name" required autocomplete="off" value=${name} onInput=${(/** @type {any} */ e) => setName(e.currentTarget.value)} /></label>
      <label>Description<input name="description" autocomplete="off" value=${description} onInput=${(/** @type {any} */ e) => setDescription(e.currentTarget.value)} /></label>
    </div>
    <${PermissionPicker} catalogue=${catalogue} selected=${selected} onChange=${setSelected} />
    <p class="grants"><span class="muted">Grants </span>${granted.length === 0 ? html`<span class="muted">nothing</span>` : granted.map((p) => html`<code class="tag">${p}</code>`)}</p>
    <${FormError} error=${error} />
    <div class="actions">
      <button type="button" onClick=${onCancel}>Cancel</button>
      <button type="submit" class="primary" disabled=${busy}>${role ? 'Save role' : 'Create role'}</button>
    </div>
  </form>`;
}

export default function Roles() {
  const { can, refresh } = useSession();
  const writable = can('roles:write');
  /** @type {import('../lib/hooks.js').Loaded<{ roles: Role[] }>} */
  const roles = useApi('/api/v1/roles');
  /** @type {import('../lib/hooks.js').Loaded<{ permissions: Permission[] }>} */
  const catalogue = useApi(writable ? '/api/v1/permissions' : null);
  const [editing, setEditing] = useState(/** @type {'new' | string | null} */ (null));
  const [notice, setNotice] = useState('');
  const [refused, setRefused] = useState(/** @type {{ id: string, error: any } | null} */ (null));
  const [confirmDialog, ask] = useConfirm();

  const list = roles.data?.roles;
  const edited = editing === 'new' ? null : list?.find((r) => r.id === editing);
  const open = (/** @type {'new' | string} */ which) => {
    setNotice('');
    setRefused(null);
    setEditing(which);
  };
  const changed = (/** @type {string} */ message) => {
    setEditing(null);
    setNotice(message);
    roles.reload();
    // The signed-in user may hold the role that changed.
    refresh();
  };
  const remove = async (/** @type {Role} */ role) => {
    setNotice('');
    setRefused(null);
    const yes = await ask({
      title: `Delete the role ${role.name}?`,
      message: 'A role still given to a user cannot be deleted: take it from them first.',
      confirm: 'Delete',
      danger: true,
    });
    if (!yes) return;
    try {
      await del(`/api/v1/roles/${encodeURIComponent(role.id)}`);
      changed(`Deleted ${role.name}.`);
    } catch (e) {
      setRefused({ id: role.id, error: e });
    }
  };

  let editor = null;
  if (writable && editing !== null && (editing === 'new' || edited)) {
    if (catalogue.error) editor = html`<${ErrorState} error=${catalogue.error} retry=${catalogue.reload} />`;
    else if (!catalogue.data) editor = html`<${Loading} label="Loading the permissions…" />`;
    else {
      editor = html`<${RoleEditor} key=${editing} role=${edited ?? null} catalogue=${catalogue.data.permissions} onCancel=${() => setEditing(null)}
        onSaved=${(/** @type {Role} */ saved) => changed(`${edited ? 'Saved' : 'Created'} ${saved.name}.`)} />`;
    }
  }

  let body;
  if (roles.error && !list) body = html`<${ErrorState} error=${roles.error} retry=${roles.reload} />`;
  else if (!list) body = html`<${Loading} />`;
  else if (list.length === 0) body = html`<${Empty} title="No roles" />`;
  else {
    body = html`<ul class="grid two role-list">${rolesInOrder(list).map((role) => html`<li class="card role" key=${role.id} aria-labelledby=${`role-${role.id}`}>
      <div class="editor-head">
        <h2 id=${`role-${role.id}`}>${role.name}</h2>
        ${role.is_system ? html`<span class="badge system">system</span>` : null}
      </div>
      <p><code class="muted">${role.id}</code>${role.description ? html` · ${role.description}` : null}</p>
      <p class="grants">${role.permissions.length === 0 ? html`<span class="muted">Grants nothing</span>` : role.permissions.map((p) => html`<code class="tag">${p}</code>`)}</p>
      ${role.is_system
        ? html`<p class="muted">System roles cannot be changed or deleted.</p>`
        : writable
          ? html`<div class="actions">
              <button type="button" aria-label=${`Edit ${role.name}`} onClick=${() => open(role.id)}>Edit</button>
              <button type="button" class="danger" aria-label=${`Delete ${role.name}`} onClick=${() => remove(role)}>Delete</button>
            </div>`
          : null}
      ${refused?.id === role.id ? html`<${FormError} error=${refused.error} />` : null}
    </li>`)}</ul>`;
  }

  return html`<section class="page admin">
    <div class="page-head">
      <h1>Roles</h1>
      ${writable ? html`<div class="actions"><button type="button" class="primary" onClick=${() => open('new')}>New role</button></div>` : null}
    </div>
    ${notice ? html`<p class="form-ok" role="status">${notice}</p>` : null}
    ${editor}
    ${roles.error && list ? html`<${ErrorState} error=${roles.error} retry=${roles.reload} />` : null}
    ${body}
    ${confirmDialog}
  </section>`;
}

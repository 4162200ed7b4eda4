// The signed-in user's own account: e-mail, roles and permissions, and a new password.
import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { put } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { FormError } from '../components/states.js';
import { dateTime } from '../lib/format.js';

export default function Profile() {
  const { user, refresh } = useSession();
  const [email, setEmail] = useState(user.email ?? '');
  const [saved, setSaved] = useState('');
  const [profileError, setProfileError] = useState(/** @type {any} */ (null));
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [passwordError, setPasswordError] = useState(/** @type {any} */ (null));
  const [passwordSaved, setPasswordSaved] = useState(false);

  const saveProfile = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setProfileError(null);
    setSaved('');
    try {
      await put('/api/v1/auth/me', { email: email === '' ? null : email });
      setSaved('Saved.');
      refresh();
    } catch (e) {
      setProfileError(e);
    }
  };
  const changePassword = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setPasswordError(null);
    setPasswordSaved(false);
    if (next !== repeat) {
      setPasswordError(new Error('The new passwords differ.'));
      return;
    }
    try {
      await put('/api/v1/auth/me/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setRepeat('');
      setPasswordSaved(true);
    } catch (e) {
      setPasswordError(e);
    }
  };
  const value = (/** @type {(v: string) => void} */ set) => (/** @type {any} */ e) => set(e.currentTarget.value);

  return html`<section class="page">
    <h1>${user.username}</h1>
    <div class="grid two">
      <form class="card" onSubmit=${saveProfile}>
        <h2>Profile</h2>
        <dl class="facts">
          <dt>Roles</dt><dd>${user.roles.join(', ') || 'none'}</dd>
          <dt>Permissions</dt><dd>${user.permissions.map((p) => html`<code class="tag">${p}</code> `)}</dd>
          <dt>Last sign-in</dt><dd>${dateTime(user.last_login)}</dd>
        </dl>
        <label>E-mail<input type="email" name="email" autocomplete="email" value=${email} onInput=${value(setEmail)} /></label>
        <${FormError} error=${profileError} />
        ${saved ? html`<p class="form-ok" role="status">${saved}</p>` : null}
        <button type="submit" class="primary">Save</button>
      </form>
      <form class="card" onSubmit=${changePassword}>
        <h2>Password</h2>
        <label>Current password<input type="password" name="current_password" autocomplete="current-password" required value=${current} onInput=${value(setCurrent)} /></label>
        <label>New password<input type="password" name="new_password" autocomplete="new-password" required value=${next} onInput=${value(setNext)} /></label>
        <label>New password again<input type="password" name="repeat_password" autocomplete="new-password" required value=${repeat} onInput=${value(setRepeat)} /></label>
        <${FormError} error=${passwordError} />
        ${passwordSaved ? html`<p class="form-ok" role="status">Password changed.</p>` : null}
        <button type="submit" class="primary">Change password</button>
      </form>
    </div>
  </section>`;
}

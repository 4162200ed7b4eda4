// Sign-in: a wrong password says so; a throttled address is told how long to wait.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { ApiError, signIn } from '../lib/api.js';
import { useInterval } from '../lib/hooks.js';

/** @param {{ onSignedIn: (user: import('../lib/api.js').User) => void }} props */
export default function SignIn({ onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), waitUntil > now ? 1000 : null);
  useEffect(() => {
    document.title = 'Sign in · Tyto';
  }, []);
  const waiting = Math.ceil((waitUntil - now) / 1000);

  const submit = async (/** @type {Event} */ event) => {
    event.preventDefault();
    setBusy(true);
    setMessage('');
    try {
      onSignedIn(await signIn(username, password));
    } catch (e) {
      if (e instanceof ApiError && e.status === 429) {
        const seconds = e.retryAfter ?? 60;
        setWaitUntil(Date.now() + seconds * 1000);
        setNow(Date.now());
        setMessage('Too many failed sign-ins from here.');
      } else if (e instanceof ApiError && e.status === 401) {
        setMessage('Wrong username or password.');
      } else {
        setMessage(e instanceof Error ? e.message : String(e));
      }
      setBusy(false);
    }
  };

  return html`<main class="signin">
    <form class="card signin-card" onSubmit=${submit} aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to Tyto</h1>
      <label>Username<input name="username" autocomplete="username" required value=${username} onInput=${(/** @type {any} */ e) => setUsername(e.currentTarget.value)} /></label>
      <label>Password<input name="password" type="password" autocomplete="current-password" required value=${password} onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} /></label>
      ${message
        ? html`<p class="form-error" role="alert">${message}${waiting > 0 ? html` Try again in <span class="wait">${waiting}</span> s.` : null}</p>`
        : null}
      <button type="submit" class="primary" disabled=${busy || waiting > 0}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  </main>`;
}

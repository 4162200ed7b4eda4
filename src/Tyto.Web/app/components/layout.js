// The frame around every signed-in page: navigation for what the user may open, the theme switch and the user menu.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { navigation } from '../routes.js';
import { signOut } from '../lib/api.js';
import { applyTheme, currentTheme } from '../lib/theme.js';
import { useSession } from '../lib/session.js';

const Icon = new URL('../icon.svg', import.meta.url).href;
const Themes = /** @type {const} */ (['system', 'light', 'dark']);

/** @param {{ path: string, children: any }} props */
export function Layout({ path, children }) {
  const { user } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const [theme, setTheme] = useState(currentTheme);
  useEffect(() => setMenuOpen(false), [path]);
  const pages = navigation(user.permissions);
  const link = (/** @type {import('../routes.js').Route} */ route) => {
    const current = route.path === '/' ? path === '/' || path.startsWith('/hosts/') : path.startsWith(route.path);
    return html`<li><a href=${route.path} aria-current=${current ? 'page' : undefined}>${route.title}</a></li>`;
  };
  const main = pages.filter((route) => route.nav === 'main');
  const admin = pages.filter((route) => route.nav === 'admin');
  const nextTheme = () => {
    const next = Themes[(Themes.indexOf(theme) + 1) % Themes.length];
    applyTheme(next);
    setTheme(next);
  };

  return html`<div class="shell">
    <a class="skip" href="#main">Skip to content</a>
    <header class="topbar">
      <a class="brand" href="/"><img src=${Icon} alt="" class="brand-icon" width="24" height="24" />Tyto</a>
      <button type="button" class="menu-toggle" aria-expanded=${menuOpen} aria-controls="nav" onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
      <nav id="nav" class=${menuOpen ? 'nav open' : 'nav'} aria-label="Main">
        <ul>${main.map(link)}</ul>
        ${admin.length > 0 ? html`<ul class="nav-admin" aria-label="Administration">${admin.map(link)}</ul>` : null}
      </nav>
      <div class="user">
        <button type="button" class="theme" onClick=${nextTheme} title="Switch theme" aria-label=${`Theme: ${theme}`}>${theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}</button>
        <a href="/profile" class="who">${user.username}</a>
        <button type="button" onClick=${() => signOut()}>Sign out</button>
      </div>
    </header>
    <main id="main" tabindex="-1">${children}</main>
  </div>`;
}

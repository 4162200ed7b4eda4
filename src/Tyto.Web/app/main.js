// Starts the dashboard: the signed-in user first, then the page its path opens, if the user may open it.
import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { html } from './lib/html.js';
import { get, hasToken, onSignedOut } from './lib/api.js';
import { interceptLinks, navigate, useLocation } from './lib/router.js';
import { SessionContext, sessionOf } from './lib/session.js';
import { DashboardPermission, allowed, match } from './routes.js';
import { holds } from './lib/permissions.js';
import { applyTheme, currentTheme } from './lib/theme.js';
import { Layout } from './components/layout.js';
import { Empty, ErrorState, Loading } from './components/states.js';
import SignIn from './pages/signin.js';

/**
 * Loads a page's module when it is first opened.
 * @param {{ load: import('./routes.js').Route['load'], params: Record<string, string>, search: string }} props
 */
function Page({ load, params, search }) {
  const [loaded, setLoaded] = useState(/** @type {{ load: any, component: any } | null} */ (null));
  const [error, setError] = useState(/** @type {any} */ (null));
  useEffect(() => {
    let current = true;
    load().then(
      (/** @type {any} */ module) => current && setLoaded({ load, component: module.default }),
      (/** @type {any} */ e) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [load]);
  if (error) return html`<${ErrorState} error=${error} retry=${() => location.reload()} />`;
  if (!loaded || loaded.load !== load) return html`<${Loading} />`;
  return html`<${loaded.component} ...${params} search=${search} />`;
}

function App() {
  const { path, search } = useLocation();
  const [user, setUser] = useState(/** @type {import('./lib/api.js').User | null} */ (null));
  const [error, setError] = useState(/** @type {any} */ (null));
  const [signedIn, setSignedIn] = useState(hasToken());

  const refresh = useCallback(() => {
    get('/api/v1/auth/me').then(setUser, setError);
  }, []);
  useEffect(() => onSignedOut(() => {
    setUser(null);
    setSignedIn(false);
  }), []);
  useEffect(() => {
    if (signedIn) refresh();
  }, [signedIn]);

  if (!signedIn) {
    if (path !== '/signin') {
      const next = path + search;
      navigate(`/signin${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`, { replace: true });
      return null;
    }
    return html`<${SignIn} onSignedIn=${(/** @type {any} */ u) => {
      setUser(u);
      setSignedIn(true);
      const next = new URLSearchParams(search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    }} />`;
  }
  if (error && !user) return html`<main class="center"><${ErrorState} error=${error} retry=${refresh} /></main>`;
  if (!user) return html`<main class="center"><${Loading} /></main>`;
  if (path === '/signin') {
    navigate('/', { replace: true });
    return null;
  }

  const found = match(path);
  const title = found ? found.route.title : 'Not found';
  document.title = `${title} · Tyto`;
  let content;
  if (!holds(user.permissions, DashboardPermission)) {
    content = html`<${Empty} title="Your account may not open the dashboard">An administrator can give one of your roles the permission <code>dashboard:view</code>.<//>`;
  } else if (!found) {
    content = html`<${Empty} title="No such page"><a href="/">Back to the fleet</a><//>`;
  } else if (!allowed(user.permissions, found.route)) {
    content = html`<${Empty} title="You may not open this page">It needs ${found.route.requires.join(', ')}.<//>`;
  } else {
    content = html`<${Page} load=${found.route.load} params=${found.params} search=${search} />`;
  }
  return html`<${SessionContext.Provider} value=${sessionOf(user, refresh)}>
    <${Layout} path=${path}>${content}<//>
  <//>`;
}

applyTheme(currentTheme());
interceptLinks();
render(html`<${App} />`, /** @type {HTMLElement} */ (document.getElementById('app')));

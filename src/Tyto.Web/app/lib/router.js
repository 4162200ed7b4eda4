// Client-side routes on the History API: the server answers every dashboard path with the same page.
import { useEffect, useState } from 'preact/hooks';

const changed = 'tyto:navigate';

/** Opens a path of the dashboard without reloading the page. */
export function navigate(/** @type {string} */ to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(changed));
}

/** The current path and query, re-rendering on every navigation. */
export function useLocation() {
  const [current, setCurrent] = useState(() => ({ path: location.pathname, search: location.search }));
  useEffect(() => {
    const update = () =>
      setCurrent((shown) => (shown.path === location.pathname && shown.search === location.search ? shown : { path: location.pathname, search: location.search }));
    window.addEventListener('popstate', update);
    window.addEventListener(changed, update);
    // A navigation made while rendering, before this listened.
    update();
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(changed, update);
    };
  }, []);
  return current;
}

/** Replaces the query string (keeping the path): the state a page keeps in its URL, such as filters or a range. */
export function setSearch(/** @type {Record<string, string | undefined>} */ values) {
  const search = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === '') search.delete(name);
    else search.set(name, value);
  }
  const text = search.toString();
  navigate(location.pathname + (text ? `?${text}` : ''), { replace: true });
}

/** Follows clicks on same-origin links in place, leaving modified clicks and new tabs to the browser. */
export function interceptLinks() {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a') : null;
    if (!link || link.target || link.hasAttribute('download') || link.origin !== location.origin) return;
    if (link.pathname.startsWith('/api/') || link.pathname.startsWith('/docs')) return;
    if (link.hash && link.pathname === location.pathname) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
}

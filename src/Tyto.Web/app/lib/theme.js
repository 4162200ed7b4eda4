// Light or dark: the system's preference unless the user picked one, kept in this browser.

/** @typedef {'system' | 'light' | 'dark'} Theme */

const Key = 'tyto.theme';

/** @returns {Theme} */
export function currentTheme() {
  const stored = localStorage.getItem(Key);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export function applyTheme(/** @type {Theme} */ theme) {
  if (theme === 'system') {
    localStorage.removeItem(Key);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(Key, theme);
    document.documentElement.dataset.theme = theme;
  }
  window.dispatchEvent(new Event('tyto:theme'));
}

/** Whether the page shows dark now, by choice or by the system's preference. */
export function isDark() {
  const theme = currentTheme();
  return theme === 'dark' || (theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
}

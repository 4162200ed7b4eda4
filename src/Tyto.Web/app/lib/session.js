// The signed-in user, for every component: who it is and what it may do.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { holds } from './permissions.js';

/** @typedef {{ user: import('./api.js').User, can: (permission: string) => boolean, refresh: () => void }} SessionValue */

export const SessionContext = createContext(/** @type {SessionValue | null} */ (null));

/** The session of the signed-in user; only pages shown after sign-in use it. */
export function useSession() {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** @returns {SessionValue} */
export function sessionOf(/** @type {import('./api.js').User} */ user, /** @type {() => void} */ refresh) {
  return { user, can: (permission) => holds(user.permissions, permission), refresh };
}

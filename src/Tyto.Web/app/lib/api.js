// The public API, as every other client uses it: JSON over fetch with the session's bearer token.
// The token lives in memory and in sessionStorage (gone with the tab); a 401 anywhere ends the session.

/** @typedef {{ id: string, username: string, email?: string | null, roles: string[], permissions: string[], auth_provider?: string, last_login?: string | null }} User */
/** @typedef {Record<string, string | number | boolean | null | undefined>} Params */

const TokenKey = 'tyto.token';

/** An answer in the API's error envelope, or a request that got no answer at all (status 0). */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {Record<string, unknown>} [details]
   * @param {number | null} [retryAfter] seconds, from a 429's Retry-After
   */
  constructor(status, code, message, details = {}, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** @type {string | null} */
let token = sessionStorage.getItem(TokenKey);
/** @type {Set<() => void>} */
const signedOut = new Set();

export function hasToken() {
  return token !== null;
}

/** Calls back when the session ends: signed out here, or a 401 from any request. */
export function onSignedOut(/** @type {() => void} */ listener) {
  signedOut.add(listener);
  return () => signedOut.delete(listener);
}

function endSession() {
  const had = token !== null;
  token = null;
  sessionStorage.removeItem(TokenKey);
  if (had) for (const listener of signedOut) listener();
}

/** `?a=1&b=x` from the parameters that have a value; '' when none has. */
export function query(/** @type {Params} */ params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Sends a request and answers its JSON (undefined for 204); any other status throws an ApiError.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ signal?: AbortSignal }} [options]
 * @returns {Promise<any>}
 */
export async function request(method, path, body, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: options.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'UNREACHABLE', 'The server cannot be reached');
  }
  if (response.status === 401 && token) endSession();
  if (response.status === 204) return undefined;
  const isJson = (response.headers.get('Content-Type') ?? '').includes('json');
  const payload = isJson ? await response.json() : await response.text();
  if (response.ok) return payload;
  const retryAfter = Number(response.headers.get('Retry-After')) || null;
  if (isJson && payload && typeof payload.code === 'string') {
    throw new ApiError(response.status, payload.code, payload.error, payload.details ?? {}, retryAfter);
  }
  throw new ApiError(response.status, 'HTTP_' + response.status, `The server answered ${response.status}`, {}, retryAfter);
}

export const get = (/** @type {string} */ path, /** @type {Params} */ params = {}, /** @type {{ signal?: AbortSignal }} */ options = {}) =>
  request('GET', path + query(params), undefined, options);
export const post = (/** @type {string} */ path, /** @type {unknown} */ body = undefined) => request('POST', path, body);
export const put = (/** @type {string} */ path, /** @type {unknown} */ body) => request('PUT', path, body);
export const del = (/** @type {string} */ path) => request('DELETE', path);

/** A URL for an SSE stream or a download: EventSource and links cannot send headers, so the token rides in the query. */
export function authorizedUrl(/** @type {string} */ path, /** @type {Params} */ params = {}) {
  return path + query({ ...params, access_token: token });
}

/**
 * Signs in and keeps the session's token.
 * @returns {Promise<User>}
 */
export async function signIn(/** @type {string} */ username, /** @type {string} */ password) {
  const answer = await post('/api/v1/auth/login', { username, password });
  token = answer.token;
  sessionStorage.setItem(TokenKey, answer.token);
  return answer.user;
}

export async function signOut() {
  try {
    await post('/api/v1/auth/logout');
  } catch {
    // The session ends here whatever the server said: it may already be gone.
  }
  endSession();
}

// The logs page's data: its filters as the URL keeps them and the API takes them, times for the inputs, entries'
// marks and badges, and the live tail's bounded lines.

/**
 * @typedef {{ id: string, timestamp: string, agent_id: string, source: string, source_name: string, level: string, message: string,
 *   fields: Record<string, string> }} LogEntry
 * @typedef {{ agent_id: string, source: string, source_name: string, levels: string[], q: string, from: string, to: string }} LogFilters
 */

export const Sources = /** @type {const} */ (['journal', 'file', 'docker']);
export const Levels = /** @type {const} */ (['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug']);
export const PageSizes = [50, 100, 200, 500];
export const DefaultPageSize = 100;
/** The most lines the live tail keeps, shown or held while paused; older ones are dropped. */
export const TailLimit = 1000;
/** The field the sources add to a line they cut. */
export const TruncatedField = 'truncated';

/** The filters a URL's query holds. */
export function filtersOf(/** @type {string} */ search) {
  const query = new URLSearchParams(search);
  const text = (/** @type {string} */ name) => query.get(name) ?? '';
  return /** @type {LogFilters} */ ({
    agent_id: text('agent_id'),
    source: text('source'),
    source_name: text('source_name'),
    levels: text('level').split(',').filter(Boolean),
    q: text('q'),
    from: text('from'),
    to: text('to'),
  });
}

/** The page of results a URL's query asks for: its offset and size. */
export function pageOf(/** @type {string} */ search) {
  const query = new URLSearchParams(search);
  const limit = Number(query.get('limit'));
  const offset = Number(query.get('offset'));
  return {
    limit: PageSizes.includes(limit) ? limit : DefaultPageSize,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/**
 * The filters as the API's parameters (and the URL's, which are the same): empty ones left out.
 * @returns {Record<string, string | undefined>}
 */
export function filterParams(/** @type {LogFilters} */ filters) {
  const value = (/** @type {string} */ text) => (text.trim() === '' ? undefined : text.trim());
  return {
    agent_id: value(filters.agent_id),
    source: value(filters.source),
    source_name: value(filters.source_name),
    level: filters.levels.length > 0 ? Levels.filter((l) => filters.levels.includes(l)).join(',') : undefined,
    q: value(filters.q),
    from: value(filters.from),
    to: value(filters.to),
  };
}

/** The badge a level wears: the errors and worse as critical, warnings as such, notices and info as info. */
export function levelTone(/** @type {string} */ level) {
  if (['emerg', 'alert', 'crit', 'error'].includes(level)) return 'critical';
  if (level === 'warning') return 'warning';
  if (level === 'notice' || level === 'info') return 'info';
  return 'debug';
}

/** Whether the source cut the line for its length. */
export function isTruncated(/** @type {LogEntry} */ entry) {
  return entry.fields[TruncatedField] === 'true';
}

/** The entry's fields worth expanding: all but the mark of a cut line, which shows by itself. */
export function extraFields(/** @type {LogEntry} */ entry) {
  return Object.entries(entry.fields).filter(([name]) => name !== TruncatedField);
}

/**
 * The live tail: the lines shown (newest first) and, while paused, those that arrived meanwhile (oldest first), each
 * list at most `TailLimit` long; `arrived` counts what came while paused, `dropped` the lines let go for room.
 * @typedef {{ lines: LogEntry[], held: LogEntry[], arrived: number, dropped: number, paused: boolean }} Tail
 */

/** @type {Tail} */
export const EmptyTail = { lines: [], held: [], arrived: 0, dropped: 0, paused: false };

/** The tail after entries (oldest first, as the stream sends them) arrived: shown, or held while paused. */
export function receive(/** @type {Tail} */ tail, /** @type {readonly LogEntry[]} */ entries, limit = TailLimit) {
  if (tail.paused) {
    const held = tail.held.concat(entries);
    return { ...tail, held: held.slice(-limit), arrived: tail.arrived + entries.length, dropped: tail.dropped + Math.max(0, held.length - limit) };
  }
  const lines = [...entries].reverse().concat(tail.lines);
  return { ...tail, lines: lines.slice(0, limit), dropped: tail.dropped + Math.max(0, lines.length - limit) };
}

/** The tail paused: what arrives from now on is counted and held, not shown. */
export function pause(/** @type {Tail} */ tail) {
  return { ...tail, paused: true };
}

/** The tail resumed: what was held joins the lines shown. */
export function resume(/** @type {Tail} */ tail, limit = TailLimit) {
  return receive({ ...tail, paused: false, held: [], arrived: 0 }, tail.held, limit);
}

/** "1–100 of 1,234" for a page of results. */
export function pageLabel(/** @type {number} */ offset, /** @type {number} */ shown, /** @type {number} */ total) {
  if (shown === 0) return `0 of ${total.toLocaleString('en')}`;
  return `${(offset + 1).toLocaleString('en')}–${(offset + shown).toLocaleString('en')} of ${total.toLocaleString('en')}`;
}

// How numbers and times read on screen.

const ByteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB". */
export function bytes(/** @type {number | null | undefined} */ value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  let unit = 0;
  let scaled = Math.abs(value);
  while (scaled >= 1024 && unit < ByteUnits.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const digits = unit === 0 || scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
  return `${value < 0 ? '-' : ''}${scaled.toFixed(digits)} ${ByteUnits[unit]}`;
}

/** Bytes per second: "1.5 KiB/s". */
export const rate = (/** @type {number | null | undefined} */ value) => (value === null || value === undefined ? '–' : `${bytes(value)}/s`);

/** 12.345 → "12.3 %". */
export function percent(/** @type {number | null | undefined} */ value) {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(1)} %`;
}

/** 93784 s → "1 d 2 h". */
export function duration(/** @type {number} */ seconds) {
  const units = /** @type {const} */ ([['d', 86400], ['h', 3600], ['min', 60], ['s', 1]]);
  const parts = [];
  let rest = Math.max(0, Math.round(seconds));
  for (const [name, size] of units) {
    if (rest >= size || (parts.length === 0 && size === 1)) {
      parts.push(`${Math.floor(rest / size)} ${name}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** One formatter for every call: toLocaleString with options builds a new one each time (about 0.5 ms). */
const DateTimes = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** An ISO time as the browser's locale shows it, to the second. */
export function dateTime(/** @type {string | number | Date | null | undefined} */ value) {
  if (value === null || value === undefined) return '–';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '–' : DateTimes.format(date);
}

/** How long ago an ISO time was: "5 s ago", "3 min ago". */
export function ago(/** @type {string | null | undefined} */ value, now = Date.now()) {
  if (!value) return 'never';
  const seconds = (now - new Date(value).getTime()) / 1000;
  return seconds < 1 ? 'just now' : `${duration(seconds)} ago`;
}

const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');

/**
 * An instant (ISO text or Unix ms) as a `datetime-local` input holds it: the browser's local time, to the minute or,
 * with `seconds`, to the second; '' for none or an unreadable one.
 */
export function localInput(/** @type {string | number} */ instant, { seconds = false } = {}) {
  const date = new Date(instant);
  if (instant === '' || Number.isNaN(date.getTime())) return '';
  const minute = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return seconds ? `${minute}:${pad(date.getSeconds())}` : minute;
}

/** A `datetime-local` input's value (local time) as the ISO instant the API takes; '' for none or an unreadable one. */
export function isoOfLocal(/** @type {string} */ local) {
  const date = new Date(local);
  return local === '' || Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

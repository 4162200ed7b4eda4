// The alerts page's data: the board kept current by the stream's alert events, the thresholds form, and the
// timeline's window, steps and instants.

/**
 * @typedef {{ id: string, type: string, mount: string | null, level: string, value: number, threshold: number, agent_id: string,
 *   created_at: string, acknowledged: boolean, acknowledged_by: string | null, acknowledged_at: string | null }} Alert
 * @typedef {{ kind: string, alert_id: string, agent_id: string, type: string | null, mount: string | null, level: string | null,
 *   value: number | null, threshold: number | null, user: string | null, timestamp: string }} AlertEvent
 * @typedef {{ warning: number, critical: number }} Threshold
 * @typedef {{ cpu: Threshold, memory: Threshold, disk: Threshold }} Thresholds
 * @typedef {Record<string, string>} ThresholdForm  `cpu.warning` → what the input holds
 */

export const AlertTypes = /** @type {const} */ (['cpu', 'memory', 'disk']);
export const Lines = /** @type {const} */ (['warning', 'critical']);

/**
 * The board after one event of the live stream, and whether the event told enough to update it: a raise names its
 * alert whole, the other events only its id, so one about an alert the board does not hold needs the board reloaded.
 * @param {readonly Alert[]} alerts
 * @param {AlertEvent} event
 * @returns {{ alerts: Alert[], known: boolean }}
 */
export function applyAlertEvent(alerts, event) {
  const held = alerts.find((a) => a.id === event.alert_id);
  const others = alerts.filter((a) => a.id !== event.alert_id);
  switch (event.kind) {
    case 'raised':
      if (event.type === null || event.level === null || event.value === null || event.threshold === null) return { alerts: [...alerts], known: false };
      return {
        alerts: [...others, {
          id: event.alert_id, type: event.type, mount: event.mount, level: event.level, value: event.value, threshold: event.threshold,
          agent_id: event.agent_id, created_at: event.timestamp, acknowledged: false, acknowledged_by: null, acknowledged_at: null,
        }].sort(byRaise),
        known: true,
      };
    case 'level_changed':
      if (!held || event.level === null) return { alerts: [...alerts], known: false };
      return { alerts: replace(alerts, { ...held, level: event.level, value: event.value ?? held.value, threshold: event.threshold ?? held.threshold }), known: true };
    case 'acknowledged':
      if (!held) return { alerts: [...alerts], known: false };
      return { alerts: replace(alerts, { ...held, acknowledged: true, acknowledged_by: event.user, acknowledged_at: event.timestamp }), known: true };
    case 'resolved':
      return { alerts: others, known: true };
    default:
      return { alerts: [...alerts], known: false };
  }
}

/** The board with one alert replaced by its newer self, in place. */
export function replace(/** @type {readonly Alert[]} */ alerts, /** @type {Alert} */ alert) {
  return alerts.map((a) => (a.id === alert.id ? alert : a));
}

const byRaise = (/** @type {Alert} */ a, /** @type {Alert} */ b) => Date.parse(a.created_at) - Date.parse(b.created_at);

/** What an alert watches: "cpu", "memory", or "disk /var". */
export function subject(/** @type {{ type: string | null, mount: string | null }} */ alert) {
  return alert.mount ? `${alert.type ?? 'disk'} ${alert.mount}` : alert.type ?? 'alert';
}

/** What happened, in a few words: "raised warning", "now critical", "acknowledged by ada", "resolved". */
export function describe(/** @type {AlertEvent} */ event) {
  switch (event.kind) {
    case 'raised':
      return `raised ${event.level}`;
    case 'level_changed':
      return `now ${event.level}`;
    case 'acknowledged':
      return event.user ? `acknowledged by ${event.user}` : 'acknowledged';
    default:
      return event.kind;
  }
}

/** The badge an event wears: its level for a raise or a change, else what it did. */
export function tone(/** @type {AlertEvent} */ event) {
  if (event.kind === 'resolved') return 'ok';
  if (event.kind === 'acknowledged') return 'acknowledged';
  return event.level ?? '';
}

/** The thresholds as the form's inputs show them. */
export function thresholdForm(/** @type {Thresholds} */ config) {
  /** @type {ThresholdForm} */
  const form = {};
  for (const type of AlertTypes) for (const line of Lines) form[`${type}.${line}`] = String(config[type][line]);
  return form;
}

/**
 * The whole form as the request's body: what is not a number goes as null, for the API to name what is wrong with it.
 * @returns {Record<string, Record<string, number | null>>}
 */
export function thresholdChange(/** @type {ThresholdForm} */ form) {
  /** @type {Record<string, Record<string, number | null>>} */
  const body = {};
  for (const type of AlertTypes) {
    body[type] = {};
    for (const line of Lines) {
      const text = (form[`${type}.${line}`] ?? '').trim();
      const value = Number(text);
      body[type][line] = text === '' || !Number.isFinite(value) ? null : value;
    }
  }
  return body;
}

/**
 * The API's refusal by field (`memory.warning` → "must be below the critical line (95)"), and what it names beside them.
 * @param {{ details?: Record<string, unknown> } | null | undefined} error
 * @returns {{ fields: Record<string, string>, other: string[] }}
 */
export function fieldProblems(error) {
  /** @type {Record<string, string>} */
  const fields = {};
  const other = [];
  for (const [field, problem] of Object.entries(error?.details ?? {})) {
    const [type, line] = field.split('.');
    if (AlertTypes.includes(/** @type {any} */ (type)) && Lines.includes(/** @type {any} */ (line))) fields[field] = String(problem);
    else other.push(`${field} ${problem}`);
  }
  return { fields, other };
}

/** The spans the timeline offers, by the name kept in the URL. */
export const Windows = /** @type {const} */ ({ '1h': 3600_000, '6h': 6 * 3600_000, '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000 });

/** @typedef {keyof typeof Windows} WindowName */

export function windowName(/** @type {string | null | undefined} */ name) {
  return /** @type {WindowName} */ (name && name in Windows ? name : '1h');
}

const Steps = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 86400].map((s) => s * 1000);
const MostSteps = 720;

/**
 * The slider over a window that ends at `end`: its bounds on a grid of whole steps (so the instants read round), with a
 * step small enough to land between two events yet no more than a few hundred positions long.
 * @returns {{ min: number, max: number, step: number }}
 */
export function timeline(/** @type {number} */ end, /** @type {number} */ span) {
  const step = Steps.find((s) => span / s <= MostSteps) ?? Steps[Steps.length - 1];
  return { min: Math.floor((end - span) / step) * step, max: Math.ceil(end / step) * step, step };
}

/** The first step of the slider strictly after `timestamp`, where the board shows what happened at it. */
export function stepAfter(/** @type {string} */ timestamp, /** @type {{ min: number, max: number, step: number }} */ range) {
  const after = (Math.floor(Date.parse(timestamp) / range.step) + 1) * range.step;
  return Math.min(range.max, Math.max(range.min, after));
}

/** Where on the axis (0–100 %) an instant lies. */
export function position(/** @type {string | number} */ time, /** @type {{ min: number, max: number }} */ range) {
  const at = typeof time === 'number' ? time : Date.parse(time);
  return range.max === range.min ? 0 : Math.min(100, Math.max(0, ((at - range.min) / (range.max - range.min)) * 100));
}

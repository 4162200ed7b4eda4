// The fleet as the overview shows it: each host's latest sample boiled down to a card's numbers, its active alerts,
// whether it still reports, and the list filtered and sorted. Pure: the page feeds it the stream and the clock.

/** How often an agent says it is alive when it has nothing else to say (AgentWire.HeartbeatInterval). */
export const HeartbeatMs = 5000;

/** Heartbeats (or sample intervals, when longer) a host may miss before it counts as offline: the heartbeat timeout. */
const MissedBeats = 3;

/**
 * The numbers of a host's latest sample.
 * @typedef {object} Reading
 * @property {number} timestamp  when the host took it (ms)
 * @property {number} receivedAt  when this page got it (ms, the browser's clock)
 * @property {number} interval  ms between its last two samples (0 until there are two)
 * @property {string | null} hostname
 * @property {number | null} cpu  % busy
 * @property {number | null} memory  % used
 * @property {{ mount: string, percent: number } | null} disk  the fullest mount
 * @property {number | null} rx  bytes/s received, every interface but loopback
 * @property {number | null} tx  bytes/s sent
 */

/** @typedef {{ id: string, name: string, hostname: string, status: string, last_seen: string | null, certificate?: object | null }} Agent */
/** @typedef {{ id: string, agent_id: string, level: string, acknowledged: boolean }} Alert */
/** @typedef {{ kind: string, alert_id: string, agent_id: string, level: string | null }} AlertEvent */
/** @typedef {{ agentId: string, level: string, acknowledged: boolean }} BoardEntry */
/** @typedef {{ count: number, level: 'critical' | 'warning' | null, unacknowledged: number }} HostAlerts */

/**
 * @typedef {object} HostRow  one card of the overview
 * @property {string} id
 * @property {string} name
 * @property {string} hostname
 * @property {string} status  the agent's status, `offline` when an online host stopped sending samples
 * @property {string | null} lastSeen
 * @property {Reading | null} reading
 * @property {HostAlerts} alerts
 */

const percentOf = (/** @type {number} */ used, /** @type {number} */ total) => (total > 0 ? (100 * used) / total : null);

/**
 * The card's numbers from a sample of the stream (the Metrics Structure), or `previous` when the sample is not newer
 * than it: a backlog an agent drains after a disconnection says nothing about now.
 * @param {Reading | null | undefined} previous
 * @param {any} sample
 * @param {number} receivedAt
 * @returns {Reading}
 */
export function read(previous, sample, receivedAt) {
  const timestamp = Date.parse(sample.timestamp);
  if (previous && !(timestamp > previous.timestamp)) return previous;
  /** @type {Reading['disk']} */
  let disk = null;
  for (const mount of sample.disk?.mounts ?? []) {
    const percent = percentOf(mount.used, mount.total);
    if (percent !== null && (disk === null || percent > disk.percent)) disk = { mount: mount.mountpoint, percent };
  }
  const interfaces = (sample.network?.interfaces ?? []).filter((/** @type {any} */ i) => i.name !== 'lo');
  const sum = (/** @type {'rxRate' | 'txRate'} */ field) =>
    interfaces.length === 0 ? null : interfaces.reduce((/** @type {number} */ total, /** @type {any} */ i) => total + (i[field] ?? 0), 0);
  return {
    timestamp,
    receivedAt,
    interval: previous ? timestamp - previous.timestamp : 0,
    hostname: sample.system?.hostname ?? null,
    cpu: sample.cpu?.totalUsage ?? null,
    memory: sample.memory ? percentOf(sample.memory.used, sample.memory.total) : null,
    disk,
    rx: sum('rxRate'),
    tx: sum('txRate'),
  };
}

/**
 * Whether a host has been quiet past the heartbeat timeout: nothing since `since` (when the stream last opened; null
 * while it is not open, when silence says nothing about the host) for three heartbeats, or three of its own sample
 * intervals when it samples less often.
 * @param {Reading | null | undefined} reading
 * @param {number | null} since
 * @param {number} now
 */
export function isSilent(reading, since, now) {
  if (since === null) return false;
  const heard = Math.max(reading?.receivedAt ?? since, since);
  return now - heard > MissedBeats * Math.max(HeartbeatMs, reading?.interval ?? 0);
}

/** The active alerts by id, from `GET /api/v1/alerts`. */
export function boardOf(/** @type {readonly Alert[]} */ alerts) {
  /** @type {Map<string, BoardEntry>} */
  const board = new Map();
  for (const alert of alerts) board.set(alert.id, { agentId: alert.agent_id, level: alert.level, acknowledged: alert.acknowledged });
  return board;
}

/**
 * Applies an `event: alert` frame of the stream to the board. Each kind sets a state rather than changing one, so
 * events replayed over a snapshot that already holds them leave it as it was.
 * @param {Map<string, BoardEntry>} board
 * @param {AlertEvent} event
 */
export function applyAlertEvent(board, event) {
  const entry = board.get(event.alert_id);
  if (event.kind === 'raised') board.set(event.alert_id, { agentId: event.agent_id, level: event.level ?? 'warning', acknowledged: false });
  else if (event.kind === 'resolved') board.delete(event.alert_id);
  else if (!entry) return;
  else if (event.kind === 'level_changed') board.set(event.alert_id, { ...entry, level: event.level ?? entry.level });
  else if (event.kind === 'acknowledged') board.set(event.alert_id, { ...entry, acknowledged: true });
}

/** Each host's active alerts: how many, the worst level, how many nobody acknowledged yet. */
export function alertsByHost(/** @type {Map<string, BoardEntry>} */ board) {
  /** @type {Map<string, HostAlerts>} */
  const hosts = new Map();
  for (const entry of board.values()) {
    const host = hosts.get(entry.agentId) ?? { count: 0, level: null, unacknowledged: 0 };
    host.count++;
    if (!entry.acknowledged) host.unacknowledged++;
    if (entry.level === 'critical' || (entry.level === 'warning' && host.level === null)) host.level = entry.level;
    hosts.set(entry.agentId, host);
  }
  return hosts;
}

const NoAlerts = /** @type {HostAlerts} */ ({ count: 0, level: null, unacknowledged: 0 });

/**
 * The overview's cards: every agent of the list with its latest reading and alerts.
 * @param {readonly Agent[]} agents
 * @param {ReadonlyMap<string, Reading>} readings
 * @param {ReadonlyMap<string, HostAlerts>} alerts
 * @param {number | null} since  when the stream last opened; null while it is not open
 * @param {number} now
 * @returns {HostRow[]}
 */
export function hostRows(agents, readings, alerts, since, now) {
  return agents.map((agent) => {
    const reading = readings.get(agent.id) ?? null;
    return {
      id: agent.id,
      name: agent.name || agent.id,
      hostname: reading?.hostname ?? agent.hostname,
      status: agent.status === 'online' && isSilent(reading, since, now) ? 'offline' : agent.status,
      lastSeen: agent.last_seen,
      reading,
      alerts: alerts.get(agent.id) ?? NoAlerts,
    };
  });
}

/**
 * Whether the list holds only the servers' own hosts (`local`, or each node's in a cluster): online without a
 * certificate, where every agent added holds one once enrolled and is offline or pending until then.
 */
export function serversOnly(/** @type {readonly Agent[]} */ agents) {
  return agents.every((agent) => agent.status === 'online' && !agent.certificate);
}

/** The hosts whose id, name or hostname holds `text` (any case) and whose status is `status` ('' for any). */
export function filterHosts(/** @type {readonly HostRow[]} */ rows, /** @type {string} */ text, /** @type {string} */ status) {
  const wanted = text.trim().toLowerCase();
  return rows.filter(
    (row) => (!status || row.status === status) && (!wanted || [row.id, row.name, row.hostname].some((field) => field.toLowerCase().includes(wanted))),
  );
}

/** Orders by which the overview sorts, each in the direction an operator reads first: problems and the busiest on top. */
export const Sorts = /** @type {const} */ ({ name: 'Name', status: 'Status', cpu: 'CPU', memory: 'Memory', disk: 'Disk' });

/** @typedef {keyof typeof Sorts} SortKey */

const StatusOrder = ['offline', 'revoked', 'pending', 'online'];
const Names = new Intl.Collator(undefined, { numeric: true });
const byName = (/** @type {HostRow} */ a, /** @type {HostRow} */ b) => Names.compare(a.name, b.name) || Names.compare(a.id, b.id);
const rank = (/** @type {string} */ status) => (StatusOrder.includes(status) ? StatusOrder.indexOf(status) : StatusOrder.length);

/** @type {Record<SortKey, (row: HostRow) => number | null>} */
const Values = {
  name: () => 0,
  status: (row) => -rank(row.status),
  cpu: (row) => row.reading?.cpu ?? null,
  memory: (row) => row.reading?.memory ?? null,
  disk: (row) => row.reading?.disk?.percent ?? null,
};

/** A sorted copy: by the key, highest first, hosts without a value last, then by name. */
export function sortHosts(/** @type {readonly HostRow[]} */ rows, /** @type {SortKey} */ key) {
  const value = Values[key];
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    }
    return byName(a, b);
  });
}

/** A sort key from the URL, `name` for anything else. */
export function sortKey(/** @type {string | null} */ value) {
  return value !== null && Object.hasOwn(Sorts, value) ? /** @type {SortKey} */ (value) : 'name';
}

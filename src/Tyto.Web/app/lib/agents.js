// What the agents page shows of an agent: the one command that enrolls a new host, its version, its certificate's expiry.

/** @typedef {{ token: string, expires_at: string, ca_fingerprint: string, server: string }} Enrollment */

/** Where the command keeps the new agent's key, certificates and outbox (README "Adding a host"). */
export const AgentDataDir = '/var/lib/tyto-agent';

/** A word for a POSIX shell: as it is when it holds nothing the shell would read, else single-quoted. */
export function shellWord(/** @type {string} */ text) {
  return /^[A-Za-z0-9_.\/:=@%+,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The command that enrolls the agent `id` on its host: the token on stdin (never on the agent's command line), the
 * server's agent endpoint, and the CA fingerprint to pin.
 * @param {string} id
 * @param {Enrollment} enrollment
 */
export function enrollCommand(id, enrollment) {
  const args = [
    'agent',
    `--Tyto:Agent:Id=${id}`,
    `--Tyto:Agent:Server:0=${enrollment.server}`,
    `--Tyto:Agent:CaFingerprint=${enrollment.ca_fingerprint}`,
    `--Tyto:DataDir=${AgentDataDir}`,
  ];
  return `printf '%s\\n' ${shellWord(enrollment.token)} | dotnet Tyto.Host.dll ${args.map(shellWord).join(' ')}`;
}

/** Days before a certificate's expiry when the agents page warns of it. */
export const ExpiryWarningDays = 30;

/** Whether a certificate expiring at `expiresAt` (ISO) does so within the warning days, or did already. */
export function expiresSoon(/** @type {string} */ expiresAt, now = Date.now()) {
  return Date.parse(expiresAt) - now < ExpiryWarningDays * 86400_000;
}

/** A version without the long tail of its build metadata: `0.1.0+bf31b8f57bb8…` → `0.1.0+bf31b8f`. */
export function shortVersion(/** @type {string} */ version) {
  return version.replace(/\+([0-9a-f]{7})[0-9a-f]+$/i, '+$1');
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enrollCommand, expiresSoon, shellWord, shortVersion } from '../app/lib/agents.js';

test('the enrollment command gives the token on stdin and pins the server and CA it was given', () => {
  const command = enrollCommand('web-1', {
    token: '-Ab_c9',
    expires_at: '2026-01-02T00:00:00Z',
    ca_fingerprint: 'sha256:00ff',
    server: 'https://tyto.example:8443',
  });
  assert.equal(
    command,
    "printf '%s\\n' -Ab_c9 | dotnet Tyto.Host.dll agent --Tyto:Agent:Id=web-1 --Tyto:Agent:Server:0=https://tyto.example:8443 " +
      '--Tyto:Agent:CaFingerprint=sha256:00ff --Tyto:DataDir=/var/lib/tyto-agent',
  );
});

test('shell words are quoted only when the shell would read something in them', () => {
  assert.equal(shellWord('--Tyto:Agent:Id=web-1.example'), '--Tyto:Agent:Id=web-1.example');
  assert.equal(shellWord('a b'), "'a b'");
  assert.equal(shellWord("it's $HOME"), "'it'\\''s $HOME'");
  assert.equal(shellWord(''), "''");
});

test('a certificate warns within thirty days of its expiry', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.ok(!expiresSoon('2026-03-01T00:00:00Z', now));
  assert.ok(expiresSoon('2026-01-20T00:00:00Z', now));
  assert.ok(expiresSoon('2025-12-01T00:00:00Z', now));
});

test('versions show their build commit short', () => {
  assert.equal(shortVersion('0.1.0+bf31b8f57bb88a38c18ccb7a6b68e97bfb217909'), '0.1.0+bf31b8f');
  assert.equal(shortVersion('1.2.3'), '1.2.3');
  assert.equal(shortVersion('1.2.3+local'), '1.2.3+local');
});

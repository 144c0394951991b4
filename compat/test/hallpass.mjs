// Starts a real `hallpass serve` on free ports with a fresh store, and
// records results for docs/compatibility.md.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.HALLPASS_BIN ?? join(root, 'target', 'debug', 'hallpass');

export async function startHallpass(env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hallpass-compat-'));
  const child = spawn(bin, ['serve', '--fapi-addr', '127.0.0.1:0', '--bapi-addr', '127.0.0.1:0', '--data-dir', dir], {
    env: { ...process.env, RUST_LOG: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const banner = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no banner from ${bin}: ${text}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (/Secret key:.*\n/.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.on('exit', (code) => reject(new Error(`hallpass exited with ${code}: ${text}`)));
  });
  const field = (label) => banner.split('\n').find((l) => l.trim().startsWith(label)).split(label)[1].trim().split(' ')[0];
  return {
    dir,
    /** Runs another hallpass command on the same store and settings. */
    run(args) {
      return execFileSync(bin, [...args, '--data-dir', dir], { env: { ...process.env, RUST_LOG: 'error', ...env } }).toString();
    },
    fapi: field('Frontend API:'),
    bapi: field('Backend API:'),
    publishableKey: field('Publishable key:'),
    secretKey: field('Secret key:'),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Backend API call with the secret key. */
export async function bapi(h, method, path, body) {
  const res = await fetch(`${h.bapi}${path}`, {
    method,
    headers: { authorization: `Bearer ${h.secretKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

/**
 * The id of the user whose external_id is `label`, created through the
 * Backend API the first time: sign-ins need a user who exists.
 */
export async function user(h, label) {
  const found = await bapi(h, 'GET', `/v1/users?external_id=${encodeURIComponent(label)}`);
  if (Array.isArray(found) && found.length > 0) return found[0].id;
  const created = await bapi(h, 'POST', '/v1/users', { external_id: label });
  if (!created.id) throw new Error(`POST /v1/users: ${JSON.stringify(created)}`);
  return created.id;
}

// Results for the compatibility matrix: one row per SDK call.
const resultsFile = join(root, 'target', 'compat-results.json');
export function record(sdk, call, pass) {
  const all = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : [];
  all.push({ sdk, call, pass });
  writeFileSync(resultsFile, JSON.stringify(all, null, 2));
}

export async function check(t, sdk, call, fn) {
  try {
    const value = await fn();
    record(sdk, call, true);
    return value;
  } catch (e) {
    record(sdk, call, false);
    throw e;
  }
}

// Starts the React example's server (server.mjs) as its own process,
// pointed at a running hallpass (compat/test/hallpass.mjs), on a free port;
// and Chromium with a record of every request that left loopback.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
export const root = join(here, '..', '..');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Where the pinned clerk-js builds are installed for the tests. */
export const CLERK_JS_DIR = process.env.HALLPASS__FRONTEND_API__CLERK_JS_DIR ?? join(root, 'target', 'clerk-js');

/** Installs the pinned clerk-js and @clerk/ui (a no-op once done) and builds the app. */
export function prepare() {
  execFileSync(join(root, 'scripts', 'install-clerk-js.sh'), [CLERK_JS_DIR], { stdio: 'inherit' });
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: here, stdio: 'inherit' });
}

/** A port free on loopback now (for an app whose origin must be known first). */
export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

export async function startApp(h, port = 0) {
  const child = spawn(process.execPath, [join(here, 'server.mjs')], {
    env: {
      ...process.env,
      PORT: String(port),
      CLERK_PUBLISHABLE_KEY: h.publishableKey,
      CLERK_SECRET_KEY: h.secretKey,
      CLERK_API_URL: h.bapi,
      HALLPASS_FRONTEND_API: h.fapi,
      CLERK_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no URL from the example: ${text}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const found = text.match(/React example: (http:\/\/\S+)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`the example exited with ${code}: ${text}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context that refuses every request off loopback and records
 * it in `offLoopback`, with the page's console errors in `errors`.
 */
export async function context(browser) {
  const ctx = await browser.newContext();
  ctx.offLoopback = [];
  ctx.errors = [];
  await ctx.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === 'localhost' || host === '127.0.0.1') return route.continue();
    ctx.offLoopback.push(route.request().url());
    return route.abort();
  });
  ctx.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') ctx.errors.push(m.text());
    });
    page.on('pageerror', (e) => ctx.errors.push(String(e)));
  });
  return ctx;
}

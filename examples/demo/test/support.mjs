// Starts the demo app (server.mjs) as its own process, pointed at a running
// hallpass (see compat/test/hallpass.mjs), on a free port.
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const demo = join(dirname(fileURLToPath(import.meta.url)), '..');
export const root = join(demo, '..', '..');

export async function startApp(h) {
  const child = spawn(process.execPath, [join(demo, 'server.mjs')], {
    env: {
      ...process.env,
      PORT: '0',
      CLERK_PUBLISHABLE_KEY: h.publishableKey,
      CLERK_SECRET_KEY: h.secretKey,
      CLERK_API_URL: h.bapi,
      CLERK_PROXY_URL: h.fapi,
      CLERK_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no URL from the demo app: ${text}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const found = text.match(/Demo app: (http:\/\/\S+)/);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`the demo app exited with ${code}: ${text}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

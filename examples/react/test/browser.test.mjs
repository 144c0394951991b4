// Clerk's own browser SDK against Hallpass, end to end: clerk-js, Clerk's
// React SDK and its prebuilt components (all unchanged, clerk-js and
// @clerk/ui served by Hallpass itself) in Debian's Chromium, headless,
// driven by playwright-core; the app's API on @clerk/express. Every request
// that leaves loopback is refused and fails the test (no CDN, no captcha,
// no telemetry). Run for a development and a production instance, both
// multi-session.
//
// Screenshots of the open pages go to target/e2e/ when a step fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHallpass, bapi } from '../../../compat/test/hallpass.mjs';
import { CHROMIUM, CLERK_JS_DIR, context, freePort, launch, prepare, root, startApp } from './support.mjs';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'target', 'e2e');
const results = [];
let browser;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
  prepare();
  browser = await launch();
});

after(async () => {
  const chromium = browser?.version() ?? 'unknown';
  await browser?.close();
  mkdirSync(join(root, 'target'), { recursive: true });
  const version = (p) => JSON.parse(readFileSync(join(here, 'node_modules', p, 'package.json'), 'utf8')).version;
  const pins = readFileSync(join(root, 'scripts', 'clerk-js.pins'), 'utf8');
  const pinned = (name) => (pins.match(new RegExp(`^${name} (\\S+)`, 'm')) ?? [])[1] ?? 'unknown';
  writeFileSync(
    join(root, 'target', 'e2e-react-results.json'),
    JSON.stringify(
      {
        chromium,
        versions: {
          '@clerk/react': version('@clerk/react'),
          '@clerk/clerk-js': pinned('@clerk/clerk-js'),
          '@clerk/ui': pinned('@clerk/ui'),
          '@clerk/express': version('@clerk/express'),
        },
        results,
      },
      null,
      2,
    ),
  );
});

/** Runs `body` as a recorded scenario; screenshots every page on failure. */
async function scenario(t, name, ctx, body) {
  await t.test(name, async () => {
    try {
      await body();
      results.push({ scenario: name, pass: true });
    } catch (e) {
      results.push({ scenario: name, pass: false });
      mkdirSync(shots, { recursive: true });
      for (const [i, page] of ctx.pages().entries()) {
        await page.screenshot({ path: join(shots, `react-${name.replace(/\W+/g, '-').slice(0, 60)}-${i}.png`) }).catch(() => {});
      }
      throw e;
    }
  });
}

const ready = (page) => page.waitForFunction(() => window.Clerk?.status === 'ready', null, { timeout: 20_000 });

async function signIn(page, app, username) {
  await page.goto(`${app.url}/sign-in`);
  await ready(page);
  await page.fill('input[name=username]', username);
  await page.click('#sign-in button[type=submit]');
  await page.waitForURL(`${app.url}/`);
  await page.waitForSelector(`#name:has-text("${username} Example")`, { timeout: 20_000 });
}

async function callApi(page) {
  await page.evaluate(() => {
    document.getElementById('api-answer').textContent = '';
  });
  await page.click('#call-api');
  await page.waitForFunction(() => document.getElementById('api-answer').textContent.length > 0);
  return JSON.parse(await page.textContent('#api-answer'));
}

for (const environment of ['development', 'production']) {
  test(`Clerk's React SDK and prebuilt components, ${environment} instance`, async (t) => {
    // A production instance allows only the origins it is told (the app's,
    // known before it starts); a development one allows any loopback origin.
    const port = await freePort();
    const h = await startHallpass({
      HALLPASS__ENVIRONMENT: environment,
      HALLPASS__SESSIONS__MULTI_SESSION: 'true',
      HALLPASS__FRONTEND_API__CLERK_JS_DIR: CLERK_JS_DIR,
      ...(environment === 'production' ? { HALLPASS__FRONTEND_API__ALLOWED_ORIGINS: `http://localhost:${port}` } : {}),
    });
    const app = await startApp(h, port);
    const ctx = await context(browser);
    const page = await ctx.newPage();
    try {
      await scenario(t, `${environment}: clerk-js and @clerk/ui load from Hallpass alone, ready`, ctx, async () => {
        await page.goto(app.url);
        await ready(page);
        await page.waitForSelector('#state:has-text("Signed out.")');
        const env = await page.evaluate(() => window.Clerk.__unstable__environment?.displayConfig?.instanceEnvironmentType);
        if (env !== undefined) assert.equal(env, environment);
      });

      await scenario(t, `${environment}: signs in with a ticket through useSignIn; the API reads getToken()'s session`, ctx, async () => {
        await signIn(page, app, 'ada_l');
        const sessionId = await page.textContent('#session-id');
        const answer = await callApi(page);
        assert.equal(answer.sessionId, sessionId);
        const users = await bapi(h, 'GET', '/v1/users?username=ada_l');
        assert.equal(answer.userId, users[0].id);
        assert.equal(answer.orgId, null);
      });

      await scenario(t, `${environment}: a reload is signed in from the client's last_active_token`, ctx, async () => {
        await page.reload();
        await ready(page);
        const token = await page.evaluate(() => window.Clerk.session?.lastActiveToken?.getRawString());
        assert.ok(token, 'the reloaded client carries a token');
        await page.waitForSelector('#name:has-text("ada_l Example")');
        const answer = await callApi(page);
        assert.equal(answer.sessionId, await page.textContent('#session-id'));
      });

      await scenario(t, `${environment}: \`<OrganizationSwitcher/>\` lists the membership and activates it`, ctx, async () => {
        await page.click('.cl-organizationSwitcherTrigger');
        await page.click('.cl-organizationSwitcherPopoverCard >> text=Analytical Engines');
        await page.waitForSelector('#organization:has-text("Analytical Engines")', { timeout: 20_000 });
        const answer = await callApi(page);
        assert.equal(answer.orgSlug, 'engines');
        assert.equal(answer.orgRole, 'org:admin');
      });

      await scenario(t, `${environment}: \`<UserButton/>\` adds a second account, switches back, signs out of all`, ctx, async () => {
        await page.click('.cl-userButtonTrigger');
        await page.click('.cl-userButtonPopoverCard >> text=Add account');
        await page.waitForURL(/\/sign-in/);
        await signIn(page, app, 'grace_h');
        const grace = await callApi(page);
        await page.click('.cl-userButtonTrigger');
        await page.click('.cl-userButtonPopoverCard >> text=ada_l Example');
        await page.waitForSelector('#name:has-text("ada_l Example")', { timeout: 20_000 });
        const ada = await callApi(page);
        assert.notEqual(ada.sessionId, grace.sessionId);
        const sessions = await bapi(h, 'GET', `/v1/sessions?user_id=${grace.userId}&status=active`);
        assert.equal(sessions.length, 1, 'both sessions stay live');
        await page.click('.cl-userButtonTrigger');
        await page.click('.cl-userButtonPopoverCard >> text=Sign out of all accounts');
        await page.waitForSelector('#state:has-text("Signed out.")', { timeout: 20_000 });
        for (const user of [ada.userId, grace.userId]) {
          assert.equal((await bapi(h, 'GET', `/v1/sessions?user_id=${user}&status=active`)).length, 0);
        }
      });

      await scenario(t, `${environment}: nothing was fetched off loopback and no page error was logged`, ctx, async () => {
        assert.deepEqual(ctx.offLoopback, []);
        assert.deepEqual(ctx.errors, []);
      });
    } finally {
      await ctx.close();
      await app.stop();
      await h.stop();
    }
  });
}

// Clerk's own browser SDK against Hallpass, end to end: clerk-js, Clerk's
// React SDK and its prebuilt components (all unchanged, clerk-js and
// @clerk/ui served by Hallpass itself) in Debian's Chromium, headless,
// driven by playwright-core; the app's API on @clerk/express. Every request
// that leaves loopback is refused and fails the test (no CDN, no captcha,
// no telemetry). Run for a development and a production instance, both
// multi-session, with the shortest token lifetime (30 s) so that a test can
// wait for a token to expire: beside the single-page app, a page rendered
// on the server from the cookies alone (`/account`, clerkMiddleware, no
// clerk-js) shows the handshake, the server-side refresh, sign-out seen
// from another tab, and revocation.
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
const TOKEN_LIFETIME_SECS = 30; // the minimum sessions.token_lifetime_secs allows
const CLOCK_SKEW_SECS = 5; // @clerk/backend's default clockSkewInMs
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

/** Navigates (or reloads) and returns every URL of the redirect chain, first to last. */
async function navigate(page, url) {
  const res = url ? await page.goto(url) : await page.reload();
  assert.ok(res, 'a navigation');
  const chain = [];
  for (let r = res.request(); r; r = r.redirectedFrom()) chain.unshift(r.url());
  return chain;
}

const isHandshake = (u) => new URL(u).pathname.endsWith('/v1/client/handshake');
const handshakes = (chain) => chain.filter(isHandshake).length;
/** Why the SDK sent the browser to the handshake (`__clerk_hs_reason`). */
const reason = (chain) => new URL(chain.find(isHandshake)).searchParams.get('__clerk_hs_reason');

/** The session and user the server-rendered account page shows. */
async function account(page) {
  assert.equal(new URL(page.url()).pathname, '/account', `on ${page.url()}`);
  return {
    sid: await page.textContent('#session-id'),
    user: await page.textContent('#user-id'),
    username: await page.textContent('#username'),
  };
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
      HALLPASS__SESSIONS__TOKEN_LIFETIME_SECS: String(TOKEN_LIFETIME_SECS),
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

      // A page rendered on the server (@clerk/express, cookies only; no
      // clerk-js on it), in two browsers: A (ctx) and B (other).
      const seen = {};
      await scenario(t, `${environment}: the server-rendered page sends a signed-out browser to sign in`, ctx, async () => {
        const chain = await navigate(page, `${app.url}/account`);
        if (environment === 'development') {
          // No dev browser cookie yet: the SDK's handshake makes one.
          assert.equal(handshakes(chain), 1, chain.join('\n'));
          assert.equal(reason(chain), 'dev-browser-missing');
          const cookies = await ctx.cookies(app.url);
          assert.match(cookies.find((c) => c.name === '__clerk_db_jwt')?.value ?? '', /^dvb_/);
        } else {
          assert.equal(handshakes(chain), 0, chain.join('\n'));
        }
        assert.ok(chain.length <= 5, `no loop:\n${chain.join('\n')}`);
        assert.equal(new URL(page.url()).pathname, '/sign-in', chain.join('\n'));
        assert.equal(handshakes(await navigate(page, `${app.url}/account`)), 0);
      });

      await scenario(t, `${environment}: after signing in in the app, the server-rendered page reads the session from the cookies`, ctx, async () => {
        await signIn(page, app, 'ada_l');
        const sid = await page.textContent('#session-id');
        const chain = await navigate(page, `${app.url}/account`);
        assert.equal(handshakes(chain), 0, chain.join('\n'));
        const shown = await account(page);
        assert.equal(shown.sid, sid);
        assert.equal(shown.username, 'ada_l');
        seen.ada = shown;
      });

      await scenario(t, `${environment}: signing out in one tab signs the server-rendered page in another out on its next navigation`, ctx, async () => {
        const second = await ctx.newPage();
        try {
          const chain = await navigate(second, `${app.url}/account`);
          assert.equal(handshakes(chain), 0, chain.join('\n'));
          assert.equal((await account(second)).sid, seen.ada.sid);
          await page.goto(app.url);
          await ready(page);
          await page.click('.cl-userButtonTrigger');
          await page.click('.cl-userButtonPopoverCard >> text=Sign out');
          await page.waitForSelector('#state:has-text("Signed out.")', { timeout: 20_000 });
          const after = await navigate(second, `${app.url}/account`);
          assert.equal(new URL(second.url()).pathname, '/sign-in', after.join('\n'));
          // Ended at Hallpass too, not only in this browser's cookies.
          assert.notEqual((await bapi(h, 'GET', `/v1/sessions/${seen.ada.sid}`)).status, 'active');
        } finally {
          await second.close();
        }
      });

      const other = await context(browser);
      const otherPage = await other.newPage();
      try {
        await scenario(t, `${environment}: a session revoked through the Backend API keeps its token until it expires`, ctx, async () => {
          await signIn(page, app, 'ada_l');
          await navigate(page, `${app.url}/account`);
          const { sid, user } = await account(page);
          assert.notEqual(sid, seen.ada.sid);
          assert.equal(user, seen.ada.user, 'the same user signs in again');
          assert.equal((await bapi(h, 'POST', `/v1/sessions/${sid}/revoke`)).status, 'revoked');
          // Apps verify the token in hand offline: it holds until it expires.
          assert.equal(handshakes(await navigate(page)), 0);
          assert.equal((await account(page)).sid, sid);
          seen.revoked = sid;
          // Another browser signs in meanwhile, and leaves the app (and its
          // clerk-js, which would refresh the token) for the server page.
          await signIn(otherPage, app, 'grace_h');
          await navigate(otherPage, `${app.url}/account`);
          await navigate(otherPage, `${app.url}/account`);
          seen.grace = await account(otherPage);
          seen.lastToken = Date.now();
        });

        // Renewal takes one of two ways. On development, this browser's first
        // visit to the page went through the handshake (for its dev browser),
        // which also left a refresh token in `__refresh_<suffix>`: the SDK
        // then renews server-side (POST /v1/sessions/{id}/refresh), without a
        // redirect. On production nothing left one: the handshake renews.
        await scenario(t, `${environment}: after the token expired, the server-rendered page is renewed with the same session`, other, async () => {
          const wait = seen.lastToken + (TOKEN_LIFETIME_SECS + CLOCK_SKEW_SECS + 2) * 1000 - Date.now();
          await new Promise((r) => setTimeout(r, Math.max(0, wait)));
          // Each cookie by its name without the instance's suffix.
          const cookies = async () => Object.fromEntries((await other.cookies(app.url)).map((c) => [c.name.replace(/^(__session|__refresh|__client_uat|__clerk_db_jwt)_.+$/, '$1'), c.value]));
          const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));
          const before = await cookies();
          assert.ok(claims(before.__session).exp * 1000 < Date.now() - CLOCK_SKEW_SECS * 1000, 'the token in the cookie has expired');
          const chain = await navigate(otherPage);
          const after = await cookies();
          if (environment === 'development') {
            assert.ok(before.__refresh, 'the handshake left a refresh token');
            assert.equal(handshakes(chain), 0, `renewed server-side, no redirect:\n${chain.join('\n')}`);
            assert.notEqual(after.__refresh, before.__refresh, 'the refresh token was rotated');
          } else {
            assert.equal(before.__refresh, undefined);
            assert.equal(handshakes(chain), 1, `one handshake:\n${chain.join('\n')}`);
            assert.match(reason(chain), /^session-token-expired/);
            assert.ok(chain.length <= 4, `app → Hallpass → app with the payload → clean URL:\n${chain.join('\n')}`);
          }
          assert.ok(claims(after.__session).exp * 1000 > Date.now(), 'a fresh token in the cookie');
          assert.equal(claims(after.__session).sid, seen.grace.sid);
          assert.deepEqual(await account(otherPage), seen.grace);
          // The renewed cookies hold: the next reload needs no handshake.
          assert.equal(handshakes(await navigate(otherPage)), 0);
          assert.deepEqual(await account(otherPage), seen.grace);
        });

        await scenario(t, `${environment}: after the token expired, the revoked session ends signed out without a redirect loop`, ctx, async () => {
          const chain = await navigate(page, `${app.url}/account`);
          assert.equal(handshakes(chain), 1, chain.join('\n'));
          assert.match(reason(chain), /^session-token-expired/);
          assert.ok(chain.length <= 5, `no loop:\n${chain.join('\n')}`);
          assert.equal(new URL(page.url()).pathname, '/sign-in', chain.join('\n'));
          // And it stays signed out, without another handshake.
          const again = await navigate(page, `${app.url}/account`);
          assert.equal(handshakes(again), 0, again.join('\n'));
          assert.equal(new URL(page.url()).pathname, '/sign-in');
        });

        await scenario(t, `${environment}: nothing was fetched off loopback and no page error was logged`, ctx, async () => {
          assert.deepEqual([...ctx.offLoopback, ...other.offLoopback], []);
          assert.deepEqual([...ctx.errors, ...other.errors], []);
        });
      } finally {
        await other.close();
      }
    } finally {
      await ctx.close();
      await app.stop();
      await h.stop();
    }
  });
}

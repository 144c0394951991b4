// End to end in a real browser: Debian's Chromium, headless, driven by
// playwright-core, against the demo app (@clerk/express, unchanged) and a
// hallpass started on free ports with a fresh store and the shortest token
// lifetime (30 s), so the test can wait for a token to expire.
//
// One wait for expiry serves two browser contexts (two separate browsers as
// far as cookies go):
//   A: sign in; a second tab; sign out in one tab, the other is signed out
//      on its next navigation; sign in again; that session is revoked
//      through the Backend API;
//   B: sign in.
// After the wait, B's reload is renewed by the handshake (real redirects,
// real cookies, the same session), and A's next navigation ends signed out
// after one handshake, without a loop.
//
// Screenshots of every open tab go to target/e2e/ when a step fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startHallpass, bapi } from '../../../compat/test/hallpass.mjs';
import { startApp, root } from './support.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TOKEN_LIFETIME_SECS = 30; // the minimum sessions.token_lifetime_secs allows
const CLOCK_SKEW_SECS = 5; // @clerk/backend's default clockSkewInMs
const shots = join(root, 'target', 'e2e');
const results = [];
let h, app, browser, alice, bob;

before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)`);
  h = await startHallpass({ HALLPASS__SESSIONS__TOKEN_LIFETIME_SECS: String(TOKEN_LIFETIME_SECS) });
  app = await startApp(h);
  // launch() runs Chromium on a fresh temporary user-data-dir, deleted on close.
  browser = await chromium.launch({
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
  alice = await browser.newContext();
  bob = await browser.newContext();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await h?.stop();
  mkdirSync(join(root, 'target'), { recursive: true });
  writeFileSync(
    join(root, 'target', 'e2e-results.json'),
    JSON.stringify({ chromium: browser?.version() ?? 'unknown', results }, null, 2),
  );
});

/** A scenario: its result is recorded for docs/compatibility.md, and every open tab is photographed if it fails. */
function scenario(name, fn) {
  test(name, { timeout: 120_000 }, async () => {
    try {
      await fn();
      results.push({ scenario: name, pass: true });
    } catch (e) {
      results.push({ scenario: name, pass: false });
      mkdirSync(shots, { recursive: true });
      const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      for (const [who, context] of [['a', alice], ['b', bob]]) {
        for (const [i, page] of (context?.pages() ?? []).entries()) {
          const path = join(shots, `${slug}-${who}${i}.png`);
          await page.screenshot({ path, fullPage: true }).catch(() => {});
          console.error(`screenshot: ${path} (${page.url()})`);
        }
      }
      throw e;
    }
  });
}

/** Navigates (or reloads) and returns every URL of the redirect chain, first to last. */
async function navigate(page, url) {
  const res = url ? await page.goto(url) : await page.reload();
  assert.ok(res, 'a navigation');
  const chain = [];
  for (let r = res.request(); r; r = r.redirectedFrom()) chain.unshift(r.url());
  return chain;
}

const isHandshake = (u) => new URL(u).pathname === '/v1/client/handshake';
const handshakes = (chain) => chain.filter(isHandshake).length;
/** Why the SDK sent the browser to the handshake (`__clerk_hs_reason`). */
const reason = (chain) => new URL(chain.find(isHandshake)).searchParams.get('__clerk_hs_reason');

/** Signs in through the sign-in page; the cookies its script sets need no handshake on the way to /protected. */
async function signIn(page, username) {
  await navigate(page, `${app.url}/sign-in`);
  await page.fill('input[name=username]', username);
  const requests = [];
  const listen = (r) => r.isNavigationRequest() && requests.push(r.url());
  page.on('request', listen);
  await Promise.all([page.waitForURL(`${app.url}/protected`), page.click('button[type=submit]')]);
  page.off('request', listen);
  assert.equal(handshakes(requests), 0, `no handshake after the sign-in:\n${requests.join('\n')}`);
  return shown(page);
}

/** The session and user the protected page shows. */
async function shown(page) {
  assert.equal(new URL(page.url()).pathname, '/protected', `on ${page.url()}: ${await page.locator('#error').textContent().catch(() => '')}`);
  return {
    sid: await page.textContent('#session-id'),
    user: await page.textContent('#user-id'),
    username: await page.textContent('#username'),
  };
}

const session = {};

scenario('a first visit gets a development browser through the handshake', async () => {
  const page = await alice.newPage();
  const chain = await navigate(page, `${app.url}/`);
  assert.equal(handshakes(chain), 1, chain.join('\n'));
  assert.equal(reason(chain), 'dev-browser-missing');
  assert.equal(await page.textContent('#state'), 'Signed out.');
  const cookies = await alice.cookies(app.url);
  assert.match(cookies.find((c) => c.name === '__clerk_db_jwt')?.value ?? '', /^dvb_/);
  // The dev browser cookie stops further handshakes.
  assert.equal(handshakes(await navigate(page, `${app.url}/`)), 0);
});

scenario('signs in with a ticket and shows the session on the protected page', async () => {
  const [page] = alice.pages();
  const { sid, user, username } = await signIn(page, 'alice');
  assert.match(sid, /^sess_/);
  assert.match(user, /^user_/);
  assert.equal(username, 'alice');
  session.aliceUser = user;
  const cookies = Object.fromEntries((await alice.cookies(app.url)).map((c) => [c.name, c.value]));
  assert.ok(cookies.__session, 'the __session cookie');
  assert.notEqual(cookies.__client_uat ?? '0', '0');
  session.alice1 = sid;
});

scenario('a second tab is signed in; signing out in one signs the other out on its next navigation', async () => {
  const [first] = alice.pages();
  const second = await alice.newPage();
  const chain = await navigate(second, `${app.url}/protected`);
  assert.equal(handshakes(chain), 0, chain.join('\n'));
  assert.equal((await shown(second)).sid, session.alice1);

  await Promise.all([first.waitForURL(`${app.url}/`), first.click('#sign-out')]);
  assert.equal(await first.textContent('#state'), 'Signed out.');
  const after = await navigate(second, `${app.url}/protected`);
  assert.equal(new URL(second.url()).pathname, '/sign-in', after.join('\n'));
  // Signed out at Hallpass too, not only in this browser's cookies.
  const s = await bapi(h, 'GET', `/v1/sessions/${session.alice1}`);
  assert.notEqual(s.status, 'active');
  await second.close();
});

scenario('signs in again; the session is revoked through the Backend API', async () => {
  const [page] = alice.pages();
  const { sid, user } = await signIn(page, 'alice');
  assert.notEqual(sid, session.alice1);
  assert.equal(user, session.aliceUser, 'the same user signs in again');
  const revoked = await bapi(h, 'POST', `/v1/sessions/${sid}/revoke`);
  assert.equal(revoked.status, 'revoked');
  session.alice2 = sid;
  // Until it expires, the token in hand is still accepted: apps verify it offline.
  await navigate(page, `${app.url}/protected`);
  assert.equal((await shown(page)).sid, sid);
  // Another browser signs in at the same time.
  const other = await bob.newPage();
  const signedIn = await signIn(other, 'bobby');
  assert.notEqual(signedIn.user, session.aliceUser);
  session.bob = signedIn.sid;
  session.bobUser = signedIn.user;
  session.signedInAt = Date.now();
});

scenario('after the token expired, a reload is renewed by the handshake with the same session', async () => {
  const [page] = bob.pages();
  const wait = session.signedInAt + (TOKEN_LIFETIME_SECS + CLOCK_SKEW_SECS + 2) * 1000 - Date.now();
  await new Promise((r) => setTimeout(r, Math.max(0, wait)));

  const chain = await navigate(page);
  assert.equal(handshakes(chain), 1, `one handshake:\n${chain.join('\n')}`);
  assert.match(reason(chain), /^session-token-expired/);
  assert.ok(chain.length <= 4, `app → Hallpass → app with the payload → clean URL:\n${chain.join('\n')}`);
  assert.deepEqual(await shown(page), { sid: session.bob, user: session.bobUser, username: 'bobby' });
  // The renewed cookies hold: the next reload needs no handshake.
  assert.equal(handshakes(await navigate(page)), 0);
  assert.deepEqual(await shown(page), { sid: session.bob, user: session.bobUser, username: 'bobby' });
});

scenario('after the token expired, the revoked session ends signed out without a redirect loop', async () => {
  const [page] = alice.pages();
  const chain = await navigate(page, `${app.url}/protected`);
  assert.equal(handshakes(chain), 1, chain.join('\n'));
  assert.match(reason(chain), /^session-token-expired/);
  assert.ok(chain.length <= 5, `no loop:\n${chain.join('\n')}`);
  assert.equal(new URL(page.url()).pathname, '/sign-in', chain.join('\n'));
  // And it stays signed out, without another handshake.
  const again = await navigate(page, `${app.url}/`);
  assert.equal(handshakes(again), 0, again.join('\n'));
  assert.equal(await page.textContent('#state'), 'Signed out.');
});

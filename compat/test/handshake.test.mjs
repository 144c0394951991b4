// @clerk/backend's authenticateRequest through a full handshake, as a
// browser would go through it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient } from '@clerk/backend';
import { startHallpass, bapi, check, user as userOf } from './hallpass.mjs';

const SDK = '@clerk/backend';
const APP = 'http://localhost:3000';
const doc = { 'sec-fetch-dest': 'document', accept: 'text/html' };
let h, clerk;

before(async () => {
  h = await startHallpass();
  clerk = createClerkClient({ secretKey: h.secretKey, publishableKey: h.publishableKey, apiUrl: h.bapi, proxyUrl: h.fapi });
});
after(async () => h.stop());

const cookieOf = (res, name) =>
  res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1);

/** A development browser signed in by ticket on `instance`. */
async function signedInDevBrowser(user, instance = h) {
  const dvb = (await (await fetch(`${instance.fapi}/v1/dev_browser`, { method: 'POST' })).json()).token;
  await fetch(`${instance.fapi}/v1/client?_method=PUT&__clerk_db_jwt=${dvb}`, { method: 'POST' });
  const ticket = (await bapi(instance, 'POST', '/v1/sign_in_tokens', { user_id: await userOf(instance, user) })).token;
  const res = await fetch(`${instance.fapi}/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP },
    body: `strategy=ticket&ticket=${ticket}`,
  });
  const body = await res.json();
  return { dvb, sid: body.response.created_session_id };
}

/** A production browser (the `__client` cookie) signed in by ticket on `instance`. */
async function signedInProdBrowser(user, instance) {
  let res = await fetch(`${instance.fapi}/v1/client?_method=PUT`, { method: 'POST', headers: { origin: APP } });
  let client = cookieOf(res, '__client');
  const ticket = (await bapi(instance, 'POST', '/v1/sign_in_tokens', { user_id: await userOf(instance, user) })).token;
  res = await fetch(`${instance.fapi}/v1/client/sign_ins`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: APP, cookie: `__client=${client}` },
    body: `strategy=ticket&ticket=${ticket}`,
  });
  const sid = (await res.json()).response.created_session_id;
  client = cookieOf(res, '__client');
  return { sid, client, uat: cookieOf(res, '__client_uat') };
}

async function handshake(url, cookie) {
  const opts = { publishableKey: h.publishableKey, secretKey: h.secretKey };
  const first = await clerk.authenticateRequest(new Request(url, { headers: { ...doc, cookie } }), opts);
  assert.equal(first.status, 'handshake', first.reason);
  const viaHallpass = await fetch(first.headers.get('location'), { redirect: 'manual' });
  assert.equal(viaHallpass.status, 307);
  const back = viaHallpass.headers.get('location');
  return clerk.authenticateRequest(new Request(back, { headers: { ...doc, cookie } }), opts);
}

test('a signed-in development browser ends signed in after the handshake', async (t) => {
  const { dvb, sid } = await signedInDevBrowser('user_hs');
  const state = await check(t, SDK, 'authenticateRequest (development handshake, token format)', () =>
    handshake(`${APP}/dash?__clerk_db_jwt=${dvb}`, `__clerk_db_jwt=${dvb}`));
  assert.equal(state.status, 'signed-in', state.reason);
  const auth = state.toAuth();
  assert.equal(auth.sessionId, sid);
  assert.equal(auth.userId, await userOf(h, 'user_hs'));
  // The cookies the SDK set keep the browser signed in without a handshake.
  const jar = state.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
  const next = await clerk.authenticateRequest(new Request(`${APP}/dash`, { headers: { ...doc, cookie: jar } }), {
    publishableKey: h.publishableKey,
    secretKey: h.secretKey,
  });
  assert.equal(next.status, 'signed-in', next.reason);
});

test('a revoked session ends signed out after the handshake, not in a loop', async (t) => {
  const { dvb, sid } = await signedInDevBrowser('user_gone');
  await bapi(h, 'POST', `/v1/sessions/${sid}/revoke`);
  const state = await check(t, SDK, 'authenticateRequest (revoked session signed out)', () =>
    handshake(`${APP}/dash?__clerk_db_jwt=${dvb}`, `__clerk_db_jwt=${dvb}`));
  assert.equal(state.status, 'signed-out', state.reason);
});

test('a session token in the Authorization header is verified without a handshake', async (t) => {
  const { sid } = await signedInDevBrowser('user_header');
  const token = (await bapi(h, 'POST', `/v1/sessions/${sid}/tokens`)).jwt;
  const state = await check(t, SDK, 'authenticateRequest (Authorization header)', () =>
    clerk.authenticateRequest(new Request(`${APP}/api`, { headers: { authorization: `Bearer ${token}` } }), {
      publishableKey: h.publishableKey,
      secretKey: h.secretKey,
    }));
  assert.equal(state.status, 'signed-in', state.reason);
  assert.equal(state.toAuth().userId, await userOf(h, 'user_header'));
});

test('a production browser ends signed in after a cookie-carried handshake', async (t) => {
  const prod = await startHallpass({
    HALLPASS__ENVIRONMENT: 'production',
    HALLPASS__FRONTEND_API__ALLOWED_ORIGINS: APP,
  });
  try {
    const sdk = createClerkClient({ secretKey: prod.secretKey, publishableKey: prod.publishableKey, apiUrl: prod.bapi, proxyUrl: prod.fapi });
    // A browser with a client cookie on the Frontend API, signed in by ticket.
    const { sid, client, uat } = await signedInProdBrowser('user_prod', prod);

    const opts = { publishableKey: prod.publishableKey, secretKey: prod.secretKey };
    const first = await sdk.authenticateRequest(new Request(`${APP}/home`, { headers: { ...doc, cookie: `__client_uat=${uat}` } }), opts);
    assert.equal(first.status, 'handshake', first.reason);
    const viaHallpass = await fetch(first.headers.get('location'), { redirect: 'manual', headers: { cookie: `__client=${client}` } });
    assert.equal(viaHallpass.status, 307);
    const handshakeCookie = cookieOf(viaHallpass, '__clerk_handshake') ?? cookieOf(viaHallpass, '__clerk_handshake_nonce');
    const name = cookieOf(viaHallpass, '__clerk_handshake') ? '__clerk_handshake' : '__clerk_handshake_nonce';
    const state = await check(t, '@clerk/backend', 'authenticateRequest (production handshake, cookie transport)', () =>
      sdk.authenticateRequest(
        new Request(viaHallpass.headers.get('location'), { headers: { ...doc, cookie: `__client_uat=${uat}; ${name}=${handshakeCookie}` } }),
        opts,
      ));
    assert.equal(state.status, 'signed-in', state.reason);
    assert.equal(state.toAuth().sessionId, sid);
  } finally {
    await prod.stop();
  }
});

test('nonce format: the SDK redeems the handshake payload at the Backend API (development and production)', async (t) => {
  // Clerk hands payloads over 2 KB through a nonce; a threshold of 0 makes
  // every handshake use one, so the SDK's nonce path is exercised.
  const dev = await startHallpass({ HALLPASS__FRONTEND_API__HANDSHAKE_NONCE_MIN_BYTES: '0' });
  const prod = await startHallpass({
    HALLPASS__ENVIRONMENT: 'production',
    HALLPASS__FRONTEND_API__ALLOWED_ORIGINS: APP,
    HALLPASS__FRONTEND_API__HANDSHAKE_NONCE_MIN_BYTES: '0',
  });
  try {
    // Development: the nonce comes back in the redirect's query.
    {
      const sdk = createClerkClient({ secretKey: dev.secretKey, publishableKey: dev.publishableKey, apiUrl: dev.bapi, proxyUrl: dev.fapi });
      const opts = { publishableKey: dev.publishableKey, secretKey: dev.secretKey };
      const { dvb, sid } = await signedInDevBrowser('user_nonce_dev', dev);
      const first = await sdk.authenticateRequest(
        new Request(`${APP}/dash?__clerk_db_jwt=${dvb}`, { headers: { ...doc, cookie: `__clerk_db_jwt=${dvb}` } }),
        opts,
      );
      assert.equal(first.status, 'handshake', first.reason);
      assert.equal(new URL(first.headers.get('location')).searchParams.get('format'), 'nonce', 'the SDK asks for nonces');
      const viaHallpass = await fetch(first.headers.get('location'), { redirect: 'manual' });
      assert.equal(viaHallpass.status, 307);
      const back = new URL(viaHallpass.headers.get('location'));
      assert.ok(back.searchParams.get('__clerk_handshake_nonce'), back.toString());
      assert.equal(back.searchParams.get('__clerk_handshake'), null, 'no token in the URL');
      const state = await check(t, SDK, 'authenticateRequest (development handshake, nonce format)', () =>
        sdk.authenticateRequest(new Request(back, { headers: { ...doc, cookie: `__clerk_db_jwt=${dvb}` } }), opts));
      assert.equal(state.status, 'signed-in', state.reason);
      assert.equal(state.toAuth().sessionId, sid);
      // The nonce is single use: replaying the same URL yields nothing.
      const replay = await fetch(`${dev.bapi}/v1/clients/handshake_payload?nonce=${back.searchParams.get('__clerk_handshake_nonce')}`, {
        headers: { authorization: `Bearer ${dev.secretKey}` },
      });
      assert.equal(replay.status, 404);
    }
    // Production: the nonce comes back as a cookie.
    {
      const sdk = createClerkClient({ secretKey: prod.secretKey, publishableKey: prod.publishableKey, apiUrl: prod.bapi, proxyUrl: prod.fapi });
      const opts = { publishableKey: prod.publishableKey, secretKey: prod.secretKey };
      const { sid, client, uat } = await signedInProdBrowser('user_nonce_prod', prod);
      const first = await sdk.authenticateRequest(new Request(`${APP}/home`, { headers: { ...doc, cookie: `__client_uat=${uat}` } }), opts);
      assert.equal(first.status, 'handshake', first.reason);
      const viaHallpass = await fetch(first.headers.get('location'), { redirect: 'manual', headers: { cookie: `__client=${client}` } });
      assert.equal(viaHallpass.status, 307);
      const nonce = cookieOf(viaHallpass, '__clerk_handshake_nonce');
      assert.ok(nonce, viaHallpass.headers.getSetCookie().join('\n'));
      assert.equal(cookieOf(viaHallpass, '__clerk_handshake'), undefined);
      const state = await check(t, SDK, 'authenticateRequest (production handshake, nonce format)', () =>
        sdk.authenticateRequest(
          new Request(viaHallpass.headers.get('location'), { headers: { ...doc, cookie: `__client_uat=${uat}; __clerk_handshake_nonce=${nonce}` } }),
          opts,
        ));
      assert.equal(state.status, 'signed-in', state.reason);
      assert.equal(state.toAuth().sessionId, sid);
    }
  } finally {
    await dev.stop();
    await prod.stop();
  }
});

test('an expired session token is refreshed through the Backend API without a redirect', { timeout: 90_000 }, async (t) => {
  const short = await startHallpass({ HALLPASS__SESSIONS__TOKEN_LIFETIME_SECS: '30' });
  try {
    const sdk = createClerkClient({ secretKey: short.secretKey, publishableKey: short.publishableKey, apiUrl: short.bapi, proxyUrl: short.fapi });
    const opts = { publishableKey: short.publishableKey, secretKey: short.secretKey };
    const { dvb, sid } = await signedInDevBrowser('user_refresh', short);
    // A handshake gives the browser its cookies, the refresh cookie among them.
    const first = await sdk.authenticateRequest(new Request(`${APP}/?__clerk_db_jwt=${dvb}`, { headers: doc }), opts);
    const viaHallpass = await fetch(first.headers.get('location'), { redirect: 'manual' });
    const done = await sdk.authenticateRequest(new Request(viaHallpass.headers.get('location'), { headers: { ...doc, cookie: `__clerk_db_jwt=${dvb}` } }), opts);
    assert.equal(done.status, 'signed-in', done.reason);
    const jar = done.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('=')).join('; ');
    assert.match(jar, /__refresh_/);
    // Wait for the 30 s token (plus the SDK's 5 s clock skew) to expire.
    await new Promise((r) => setTimeout(r, 36_000));
    const state = await check(t, '@clerk/backend', 'authenticateRequest (expired token refreshed via Backend API)', () =>
      sdk.authenticateRequest(new Request(`${APP}/dash`, { headers: { ...doc, cookie: jar } }), opts));
    assert.equal(state.status, 'signed-in', state.reason);
    assert.equal(state.toAuth().sessionId, sid);
    assert.ok(state.headers.getSetCookie().some((c) => c.startsWith('__refresh_')), 'the refresh cookie rotates');
  } finally {
    await short.stop();
  }
});

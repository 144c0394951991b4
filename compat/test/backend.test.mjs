// @clerk/backend's Backend API client, unchanged, against hallpass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient, verifyToken } from '@clerk/backend';
import { startHallpass, bapi, check, user } from './hallpass.mjs';

const SDK = '@clerk/backend';
let h, clerk, session, userCompat;

before(async () => {
  h = await startHallpass();
  clerk = createClerkClient({ secretKey: h.secretKey, publishableKey: h.publishableKey, apiUrl: h.bapi });
  userCompat = await user(h, 'user_compat');
  session = await bapi(h, 'POST', '/v1/sessions', { user_id: userCompat });
  await bapi(h, 'POST', '/v1/sessions', { user_id: userCompat });
});
after(async () => h.stop());

test('sessions.getSessionList is paginated and filtered', async (t) => {
  const list = await check(t, SDK, 'sessions.getSessionList', () => clerk.sessions.getSessionList({ userId: userCompat, limit: 1 }));
  assert.equal(list.totalCount, 2);
  assert.equal(list.data.length, 1);
  assert.equal(list.data[0].userId, userCompat);
  const byStatus = await clerk.sessions.getSessionList({ userId: userCompat, status: 'revoked' });
  assert.equal(byStatus.totalCount, 0);
});

test('sessions.getSession', async (t) => {
  const s = await check(t, SDK, 'sessions.getSession', () => clerk.sessions.getSession(session.id));
  assert.equal(s.id, session.id);
  assert.equal(s.status, 'active');
  assert.equal(s.clientId, session.client_id);
});

test('sessions.getToken and verifyToken (JWKS from the Backend API, and networkless jwtKey)', async (t) => {
  const token = await check(t, SDK, 'sessions.getToken', () => clerk.sessions.getToken(session.id));
  const jwt = token.jwt ?? token;
  const claims = await check(t, SDK, 'verifyToken (JWKS via Backend API)', () => verifyToken(jwt, { secretKey: h.secretKey, apiUrl: h.bapi }));
  assert.equal(claims.sid, session.id);
  assert.equal(claims.sub, userCompat);
  const jwks = await (await fetch(`${h.fapi}/.well-known/jwks.json`)).json();
  const { createPublicKey } = await import('node:crypto');
  const pem = createPublicKey({ key: jwks.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const local = await check(t, SDK, 'verifyToken (networkless jwtKey)', () => verifyToken(jwt, { jwtKey: pem }));
  assert.equal(local.sid, session.id);
});

test('jwtTemplates CRUD and getToken with a template', async (t) => {
  const created = await check(t, SDK, 'jwtTemplates.create', () => clerk.jwtTemplates.create({ name: 'compat', claims: { aud: 'api', uid: '{{user.id}}' } }));
  assert.equal(created.name, 'compat');
  const list = await check(t, SDK, 'jwtTemplates.list', () => clerk.jwtTemplates.list());
  assert.ok((list.data ?? list).some((x) => x.id === created.id));
  const got = await check(t, SDK, 'jwtTemplates.get', () => clerk.jwtTemplates.get(created.id));
  assert.equal(got.id, created.id);
  const token = await check(t, SDK, 'sessions.getToken (template)', () => clerk.sessions.getToken(session.id, 'compat'));
  const payload = JSON.parse(Buffer.from((token.jwt ?? token).split('.')[1], 'base64url'));
  assert.equal(payload.uid, userCompat);
  // Marked as a template token (authenticateRequest refuses it as a session token).
  const header = JSON.parse(Buffer.from((token.jwt ?? token).split('.')[0], 'base64url'));
  assert.equal(header.cat, 'cl_B7d4PD222AAA');
  const updated = await check(t, SDK, 'jwtTemplates.update', () => clerk.jwtTemplates.update({ templateId: created.id, name: 'compat', claims: { aud: 'api2' } }));
  assert.equal(updated.claims.aud, 'api2');
  const deleted = await check(t, SDK, 'jwtTemplates.delete', () => clerk.jwtTemplates.delete(created.id));
  assert.equal(deleted.deleted, true);
});

test('clients.getClient and clients.verifyClient', async (t) => {
  const client = await check(t, SDK, 'clients.getClient', () => clerk.clients.getClient(session.client_id));
  assert.equal(client.id, session.client_id);
  assert.deepEqual(client.sessionIds, [session.id]);
  // A client token, as a native app holds it.
  const res = await fetch(`${h.fapi}/v1/client?_is_native=1&_method=PUT`, { method: 'POST' });
  const token = res.headers.get('authorization');
  const created = (await res.json()).response;
  const verified = await check(t, SDK, 'clients.verifyClient', () => clerk.clients.verifyClient(token));
  assert.equal(verified.id, created.id);
});

test('sessions.revokeSession, then no token', async (t) => {
  const revoked = await check(t, SDK, 'sessions.revokeSession', () => clerk.sessions.revokeSession(session.id));
  assert.equal(revoked.status, 'revoked');
  await assert.rejects(clerk.sessions.getToken(session.id), (e) => e.errors?.[0]?.code === 'invalid_action_for_session');
});

test('a wrong secret key is refused with clerk_key_invalid', async (t) => {
  const bad = createClerkClient({ secretKey: `${h.secretKey}x`, apiUrl: h.bapi });
  await check(t, SDK, 'wrong secret key refused', () =>
    assert.rejects(bad.sessions.getSessionList({ userId: userCompat }), (e) => e.errors?.[0]?.code === 'clerk_key_invalid'));
});

// verifyToken keeps working across a signing-key rotation: the next key is
// published before it signs, the SDK refetches the JWKS on an unknown kid,
// and tokens of the old key keep verifying until they expire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyToken } from '@clerk/backend';
import { startHallpass, bapi, check, user } from './hallpass.mjs';

const header = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url'));

test('tokens verify before, during and after a key rotation', { timeout: 60_000 }, async (t) => {
  const h = await startHallpass({ HALLPASS__KEYS__ROTATION_DELAY_SECS: '2', HALLPASS__KEYS__REFRESH_INTERVAL_SECS: '1' });
  try {
    const session = await bapi(h, 'POST', '/v1/sessions', { user_id: await user(h, 'user_rot') });
    const mint = async () => (await bapi(h, 'POST', `/v1/sessions/${session.id}/tokens`)).jwt;
    const verify = (jwt) => verifyToken(jwt, { secretKey: h.secretKey, apiUrl: h.bapi });
    const before = await mint();
    await verify(before);
    const oldKid = header(before).kid;
    h.run(['keys', 'rotate']);
    let after;
    for (let i = 0; i < 50; i++) {
      after = await mint();
      if (header(after).kid !== oldKid) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.notEqual(header(after).kid, oldKid, 'the new key never started signing');
    await check(t, '@clerk/backend', 'verifyToken across a key rotation (new kid)', () => verify(after));
    await check(t, '@clerk/backend', 'verifyToken across a key rotation (old kid)', () => verify(before));
  } finally {
    await h.stop();
  }
});

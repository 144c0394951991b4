// Every object shape Hallpass returns, validated against Clerk's published
// OpenAPI schemas (compat/spec, 2026-05-12): strict about required fields
// and `additionalProperties: false`, as clerk-rs's generated models are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHallpass, bapi, check, user } from './hallpass.mjs';
import { schemaErrors } from './schema.mjs';

const SPEC = 'OpenAPI 2026-05-12';
let h;
before(async () => {
  h = await startHallpass();
});
after(async () => h.stop());

function valid(spec, name, value) {
  const errors = schemaErrors(spec, name, value);
  assert.deepEqual(errors, [], `${spec} ${name}: ${JSON.stringify(errors, null, 1)}\n${JSON.stringify(value)}`);
}

test('Backend API objects match the BAPI schemas', async (t) => {
  const session = await bapi(h, 'POST', '/v1/sessions', { user_id: await user(h, 'user_schema') });
  await check(t, SPEC, 'BAPI Session', async () => {
    valid('bapi', 'Session', session);
    valid('bapi', 'Session', await bapi(h, 'GET', `/v1/sessions/${session.id}`));
    for (const s of await bapi(h, 'GET', `/v1/sessions?user_id=${await user(h, 'user_schema')}`)) valid('bapi', 'Session', s);
  });
  await check(t, SPEC, 'BAPI Client', async () => valid('bapi', 'Client', await bapi(h, 'GET', `/v1/clients/${session.client_id}`)));
  await check(t, SPEC, 'BAPI Token', async () => valid('bapi', 'Token', await bapi(h, 'POST', `/v1/sessions/${session.id}/tokens`)));
  const template = await bapi(h, 'POST', '/v1/jwt_templates', { name: 'schema', claims: { aud: 'x' } });
  await check(t, SPEC, 'BAPI JWTTemplate', async () => {
    valid('bapi', 'JWTTemplate', template);
    for (const x of await bapi(h, 'GET', '/v1/jwt_templates')) valid('bapi', 'JWTTemplate', x);
  });
  await check(t, SPEC, 'BAPI DeletedObject', async () => valid('bapi', 'DeletedObject', await bapi(h, 'DELETE', `/v1/jwt_templates/${template.id}`)));
  await check(t, SPEC, 'BAPI SignInToken', async () => valid('bapi', 'SignInToken', await bapi(h, 'POST', '/v1/sign_in_tokens', { user_id: await user(h, 'user_schema') })));
  await check(t, SPEC, 'BAPI JWKS', async () => valid('bapi', 'JWKS', await bapi(h, 'GET', '/v1/jwks')));
  await check(t, SPEC, 'BAPI ClerkErrors', async () => valid('bapi', 'ClerkErrors', await bapi(h, 'GET', '/v1/sessions/sess_0000000000000000000000')));
  const revoked = await bapi(h, 'POST', `/v1/sessions/${session.id}/revoke`);
  await check(t, SPEC, 'BAPI Session (revoked)', async () => valid('bapi', 'Session', revoked));
});

test('Frontend API objects match the FAPI schemas', async (t) => {
  const dvb = (await (await fetch(`${h.fapi}/v1/dev_browser`, { method: 'POST' })).json()).token;
  const created = await (await fetch(`${h.fapi}/v1/client?_method=PUT&__clerk_db_jwt=${dvb}`, { method: 'POST' })).json();
  await check(t, SPEC, 'FAPI Client (no session)', async () => valid('fapi', 'Client.Client-2', created.response));
  const environment = await (await fetch(`${h.fapi}/v1/environment?__clerk_db_jwt=${dvb}`)).json();
  await check(t, SPEC, 'FAPI Environment', async () => valid('fapi', 'Client.Environment', environment));
  await bapi(h, 'POST', '/v1/organizations', { name: 'Schema', slug: 'schema', created_by: await user(h, 'user_fapi') });
  const ticket = (await bapi(h, 'POST', '/v1/sign_in_tokens', { user_id: await user(h, 'user_fapi') })).token;
  const signIn = await (
    await fetch(`${h.fapi}/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `strategy=ticket&ticket=${ticket}`,
    })
  ).json();
  await check(t, SPEC, 'FAPI Client (signed in)', async () => valid('fapi', 'Client.Client-2', signIn.client));
  await check(t, SPEC, 'FAPI Session', async () => {
    for (const s of signIn.client.sessions) valid('fapi', 'Client.Session-2', s);
  });
  const sid = signIn.response.created_session_id;
  const me = async (list) =>
    (await fetch(`${h.fapi}/v1/me/${list}?paginated=true&limit=10&offset=0&_clerk_session_id=${sid}&__clerk_db_jwt=${dvb}`)).json();
  await check(t, SPEC, 'FAPI OrganizationMemberships (me)', async () => {
    const page = await me('organization_memberships');
    assert.equal(page.response.total_count, 1);
    valid('fapi', 'Client.ClientWrappedOrganizationMemberships', page);
  });
  await check(t, SPEC, 'FAPI OrganizationInvitations (me)', async () =>
    valid('fapi', 'Client.ClientWrappedOrganizationInvitationsUserContext', await me('organization_invitations')));
  await check(t, SPEC, 'FAPI OrganizationSuggestions (me)', async () =>
    valid('fapi', 'Client.ClientWrappedOrganizationSuggestions', await me('organization_suggestions')));
  const token = await (await fetch(`${h.fapi}/v1/client/sessions/${sid}/tokens?__clerk_db_jwt=${dvb}`, { method: 'POST' })).json();
  await check(t, SPEC, 'FAPI Token', async () => valid('fapi', 'Token', token));
  const jwks = await (await fetch(`${h.fapi}/.well-known/jwks.json`)).json();
  await check(t, SPEC, 'FAPI JWKS', async () => valid('fapi', 'JWKS', jwks));
});

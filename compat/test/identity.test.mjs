// @clerk/backend's users, email addresses, phone numbers, organizations and
// memberships calls, unchanged, against hallpass; and the objects they
// parse, checked against the spec's schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient } from '@clerk/backend';
import { startHallpass, bapi, check } from './hallpass.mjs';
import { schemaErrors } from './schema.mjs';

const SDK = '@clerk/backend';
const SPEC = 'OpenAPI 2026-05-12';
let h, clerk;

before(async () => {
  h = await startHallpass();
  clerk = createClerkClient({ secretKey: h.secretKey, publishableKey: h.publishableKey, apiUrl: h.bapi });
});
after(async () => h.stop());

function valid(name, value) {
  const errors = schemaErrors('bapi', name, value);
  assert.deepEqual(errors, [], `bapi ${name}: ${JSON.stringify(errors, null, 1)}\n${JSON.stringify(value)}`);
}

/** The error code of a call the SDK throws for. */
async function refusal(fn) {
  try {
    await fn();
  } catch (e) {
    return { status: e.status, code: e.errors?.[0]?.code };
  }
  throw new Error('the call was not refused');
}

test('users: create, read, list, count, update, metadata, ban, lock, delete', async (t) => {
  const ada = await check(t, SDK, 'users.createUser', () =>
    clerk.users.createUser({
      emailAddress: ['ada@example.com'],
      phoneNumber: ['+14155550100'],
      username: 'ada_l',
      externalId: 'crm-42',
      firstName: 'Ada',
      lastName: 'Lovelace',
      publicMetadata: { plan: 'pro' },
      privateMetadata: { stripe: 'cus_1' },
      createdAt: new Date('2024-01-02T03:04:05.678Z'),
      skipPasswordChecks: true,
      skipPasswordRequirement: true,
    }),
  );
  assert.equal(ada.primaryEmailAddress.emailAddress, 'ada@example.com');
  assert.equal(ada.primaryEmailAddress.verification.status, 'verified');
  assert.equal(ada.primaryPhoneNumber.phoneNumber, '+14155550100');
  assert.equal(ada.fullName, 'Ada Lovelace');
  assert.equal(ada.externalId, 'crm-42');
  assert.equal(ada.createdAt, Date.parse('2024-01-02T03:04:05.678Z'));
  assert.equal(ada.passwordEnabled, false);
  const other = await clerk.users.createUser({ emailAddress: ['bob@example.com'], username: 'bobby' });

  const got = await check(t, SDK, 'users.getUser', () => clerk.users.getUser(ada.id));
  assert.deepEqual(got.raw, ada.raw);
  const list = await check(t, SDK, 'users.getUserList', () => clerk.users.getUserList({ limit: 1 }));
  assert.equal(list.totalCount, 2);
  assert.deepEqual(list.data.map((u) => u.id), [other.id]);
  const byEmail = await clerk.users.getUserList({ emailAddress: ['ADA@example.com', 'nobody@example.com'] });
  assert.deepEqual(byEmail.data.map((u) => u.id), [ada.id]);
  const byExternal = await clerk.users.getUserList({ externalId: ['crm-42'], orderBy: '-created_at' });
  assert.deepEqual(byExternal.data.map((u) => u.id), [ada.id]);
  const count = await check(t, SDK, 'users.getCount', () => clerk.users.getCount({ query: 'bob' }));
  assert.equal(count, 1);

  const updated = await check(t, SDK, 'users.updateUser', () =>
    clerk.users.updateUser(ada.id, { firstName: 'Augusta', publicMetadata: { plan: 'team' } }),
  );
  assert.equal(updated.firstName, 'Augusta');
  assert.deepEqual(updated.publicMetadata, { plan: 'team' });
  const merged = await check(t, SDK, 'users.updateUserMetadata', () =>
    clerk.users.updateUserMetadata(ada.id, { publicMetadata: { seats: 3 }, privateMetadata: { stripe: null } }),
  );
  assert.deepEqual(merged.publicMetadata, { plan: 'team', seats: 3 });
  assert.deepEqual(merged.privateMetadata, {});

  const session = await bapi(h, 'POST', '/v1/sessions', { user_id: ada.id });
  const banned = await check(t, SDK, 'users.banUser', () => clerk.users.banUser(ada.id));
  assert.equal(banned.banned, true);
  assert.equal((await clerk.sessions.getSession(session.id)).status, 'revoked');
  const unbanned = await check(t, SDK, 'users.unbanUser', () => clerk.users.unbanUser(ada.id));
  assert.equal(unbanned.banned, false);
  const locked = await check(t, SDK, 'users.lockUser', () => clerk.users.lockUser(ada.id));
  assert.equal(locked.locked, true);
  const unlocked = await check(t, SDK, 'users.unlockUser', () => clerk.users.unlockUser(ada.id));
  assert.equal(unlocked.locked, false);

  // Passwords: set, verified, replaced, imported as a bcrypt digest
  // (libxcrypt's, of "correct horse battery staple"), refused by the policy.
  const withPassword = await check(t, SDK, 'users.createUser (password)', () =>
    clerk.users.createUser({ emailAddress: ['p@example.com'], password: 'correct horse battery' }),
  );
  assert.equal(withPassword.passwordEnabled, true);
  assert.equal(withPassword.raw.password_last_updated_at, withPassword.createdAt);
  const verified = await check(t, SDK, 'users.verifyPassword', () =>
    clerk.users.verifyPassword({ userId: withPassword.id, password: 'correct horse battery' }),
  );
  assert.deepEqual(verified, { verified: true });
  const wrong = await check(t, SDK, 'users.verifyPassword (incorrect)', () =>
    refusal(() => clerk.users.verifyPassword({ userId: withPassword.id, password: 'correct horse battery!' })),
  );
  assert.deepEqual(wrong, { status: 422, code: 'form_password_incorrect' });
  await check(t, SDK, 'users.updateUser (password)', () =>
    clerk.users.updateUser(withPassword.id, { password: 'another long password' }),
  );
  assert.deepEqual(await clerk.users.verifyPassword({ userId: withPassword.id, password: 'another long password' }), {
    verified: true,
  });
  const imported = await check(t, SDK, 'users.createUser (passwordDigest, bcrypt)', () =>
    clerk.users.createUser({
      emailAddress: ['imported@example.com'],
      passwordDigest: '$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo36',
      passwordHasher: 'bcrypt',
    }),
  );
  assert.deepEqual(await clerk.users.verifyPassword({ userId: imported.id, password: 'correct horse battery staple' }), {
    verified: true,
  });
  const short = await check(t, SDK, 'users.createUser (password too short)', () =>
    refusal(() => clerk.users.createUser({ emailAddress: ['short@example.com'], password: 'seven77' })),
  );
  assert.deepEqual(short, { status: 422, code: 'form_password_length_too_short' });
  await clerk.users.deleteUser(withPassword.id);
  await clerk.users.deleteUser(imported.id);
  const taken = await check(t, SDK, 'users.createUser (email taken)', () =>
    refusal(() => clerk.users.createUser({ emailAddress: ['Ada@Example.com'] })),
  );
  assert.deepEqual(taken, { status: 422, code: 'form_identifier_exists' });

  await check(t, SPEC, 'BAPI User', async () => {
    valid('User', ada.raw);
    valid('User', merged.raw);
    for (const u of await bapi(h, 'GET', '/v1/users')) valid('User', u);
  });
  await check(t, SPEC, 'BAPI TotalCount', async () => valid('TotalCount', await bapi(h, 'GET', '/v1/users/count')));

  const deleted = await check(t, SDK, 'users.deleteUser', () => clerk.users.deleteUser(other.id));
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.id, other.id);
  await check(t, SPEC, 'BAPI DeletedObject (user)', async () =>
    valid('DeletedObject', await bapi(h, 'DELETE', `/v1/users/${ada.id}`)),
  );
  const gone = await refusal(() => clerk.users.getUser(ada.id));
  assert.deepEqual(gone, { status: 404, code: 'resource_not_found' });
});

test('email addresses and phone numbers', async (t) => {
  const user = await clerk.users.createUser({ emailAddress: ['main@example.com'] });
  const email = await check(t, SDK, 'emailAddresses.createEmailAddress', () =>
    clerk.emailAddresses.createEmailAddress({ userId: user.id, emailAddress: 'second@example.com', verified: true }),
  );
  assert.equal(email.emailAddress, 'second@example.com');
  const got = await check(t, SDK, 'emailAddresses.getEmailAddress', () => clerk.emailAddresses.getEmailAddress(email.id));
  assert.equal(got.id, email.id);
  await check(t, SDK, 'emailAddresses.updateEmailAddress', () =>
    clerk.emailAddresses.updateEmailAddress(email.id, { primary: true }),
  );
  assert.equal((await clerk.users.getUser(user.id)).primaryEmailAddressId, email.id);
  const phone = await check(t, SDK, 'phoneNumbers.createPhoneNumber', () =>
    clerk.phoneNumbers.createPhoneNumber({ userId: user.id, phoneNumber: '+442079460958' }),
  );
  await check(t, SDK, 'phoneNumbers.getPhoneNumber', () => clerk.phoneNumbers.getPhoneNumber(phone.id));
  const unverified = await check(t, SDK, 'phoneNumbers.updatePhoneNumber', () =>
    clerk.phoneNumbers.updatePhoneNumber(phone.id, { verified: false }),
  );
  assert.equal(unverified.verification, null);
  await check(t, SPEC, 'BAPI EmailAddress', async () => valid('EmailAddress', await bapi(h, 'GET', `/v1/email_addresses/${email.id}`)));
  await check(t, SPEC, 'BAPI PhoneNumber', async () => valid('PhoneNumber', await bapi(h, 'GET', `/v1/phone_numbers/${phone.id}`)));
  const deletedPhone = await check(t, SDK, 'phoneNumbers.deletePhoneNumber', () => clerk.phoneNumbers.deletePhoneNumber(phone.id));
  assert.equal(deletedPhone.deleted, true);
  const deletedEmail = await check(t, SDK, 'emailAddresses.deleteEmailAddress', () => clerk.emailAddresses.deleteEmailAddress(email.id));
  assert.equal(deletedEmail.deleted, true);
});

test('organizations and memberships', async (t) => {
  const owner = await clerk.users.createUser({ emailAddress: ['owner@acme.test'], firstName: 'Olga' });
  const member = await clerk.users.createUser({ emailAddress: ['member@acme.test'], username: 'member' });
  const org = await check(t, SDK, 'organizations.createOrganization', () =>
    clerk.organizations.createOrganization({
      name: 'Acme Inc.',
      createdBy: owner.id,
      publicMetadata: { tier: 'gold' },
      maxAllowedMemberships: 10,
    }),
  );
  assert.equal(org.slug, 'acme-inc');
  assert.equal(org.createdBy, owner.id);
  assert.equal(org.maxAllowedMemberships, 10);
  const byId = await check(t, SDK, 'organizations.getOrganization (id)', () =>
    clerk.organizations.getOrganization({ organizationId: org.id, includeMembersCount: true }),
  );
  assert.equal(byId.membersCount, 1);
  const bySlug = await check(t, SDK, 'organizations.getOrganization (slug)', () => clerk.organizations.getOrganization({ slug: 'acme-inc' }));
  assert.equal(bySlug.id, org.id);
  await clerk.organizations.createOrganization({ name: 'Other' });
  const list = await check(t, SDK, 'organizations.getOrganizationList', () =>
    clerk.organizations.getOrganizationList({ query: 'acme', includeMembersCount: true, limit: 5 }),
  );
  assert.equal(list.totalCount, 1);
  assert.equal(list.data[0].id, org.id);
  const renamed = await check(t, SDK, 'organizations.updateOrganization', () =>
    clerk.organizations.updateOrganization(org.id, { name: 'Acme Corporation', slug: 'acme' }),
  );
  assert.equal(renamed.slug, 'acme');
  const meta = await check(t, SDK, 'organizations.updateOrganizationMetadata', () =>
    clerk.organizations.updateOrganizationMetadata(org.id, { publicMetadata: { seats: 5 } }),
  );
  assert.deepEqual(meta.publicMetadata, { tier: 'gold', seats: 5 });

  const membership = await check(t, SDK, 'organizations.createOrganizationMembership', () =>
    clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: member.id, role: 'org:member' }),
  );
  assert.equal(membership.role, 'org:member');
  assert.equal(membership.organization.id, org.id);
  assert.equal(membership.publicUserData.userId, member.id);
  assert.equal(membership.publicUserData.identifier, 'member@acme.test');
  const members = await check(t, SDK, 'organizations.getOrganizationMembershipList', () =>
    clerk.organizations.getOrganizationMembershipList({ organizationId: org.id, limit: 10 }),
  );
  assert.equal(members.totalCount, 2);
  const mine = await check(t, SDK, 'users.getOrganizationMembershipList', () =>
    clerk.users.getOrganizationMembershipList({ userId: member.id }),
  );
  assert.deepEqual(mine.data.map((m) => m.id), [membership.id]);
  const promoted = await check(t, SDK, 'organizations.updateOrganizationMembership', () =>
    clerk.organizations.updateOrganizationMembership({ organizationId: org.id, userId: member.id, role: 'org:admin' }),
  );
  assert.equal(promoted.role, 'org:admin');
  const tagged = await check(t, SDK, 'organizations.updateOrganizationMembershipMetadata', () =>
    clerk.organizations.updateOrganizationMembershipMetadata({ organizationId: org.id, userId: member.id, publicMetadata: { desk: 4 } }),
  );
  assert.deepEqual(tagged.publicMetadata, { desk: 4 });
  const already = await check(t, SDK, 'organizations.createOrganizationMembership (already a member)', () =>
    refusal(() => clerk.organizations.createOrganizationMembership({ organizationId: org.id, userId: member.id, role: 'org:member' })),
  );
  assert.deepEqual(already, { status: 400, code: 'already_a_member_in_organization' });

  await check(t, SPEC, 'BAPI Organization', async () => {
    valid('Organization', await bapi(h, 'GET', `/v1/organizations/${org.id}?include_members_count=true`));
    valid('Organizations', await bapi(h, 'GET', '/v1/organizations?include_members_count=true'));
  });
  await check(t, SPEC, 'BAPI OrganizationMembership', async () => {
    valid('OrganizationMemberships', await bapi(h, 'GET', `/v1/organizations/${org.id}/memberships`));
    valid('OrganizationMemberships', await bapi(h, 'GET', `/v1/users/${member.id}/organization_memberships`));
  });

  const removed = await check(t, SDK, 'organizations.deleteOrganizationMembership', () =>
    clerk.organizations.deleteOrganizationMembership({ organizationId: org.id, userId: member.id }),
  );
  assert.equal(removed.id, membership.id);
  const deleted = await check(t, SDK, 'organizations.deleteOrganization', () => clerk.organizations.deleteOrganization(org.id));
  assert.equal(deleted.deleted, true);
  await check(t, SPEC, 'BAPI DeletedObject (organization)', async () => {
    const other = (await bapi(h, 'GET', '/v1/organizations')).data[0];
    valid('DeletedObject', await bapi(h, 'DELETE', `/v1/organizations/${other.id}`));
  });
});

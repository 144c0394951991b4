-- Adopted users go with the tables: sessions and sign-in tokens keep their
-- user ids as plain text, as before.
DROP INDEX sign_in_tokens_by_user;
DROP INDEX sessions_by_active_organization;
DROP TABLE organization_memberships;
DROP TABLE organizations;
DROP TABLE user_phone_numbers;
DROP TABLE user_email_addresses;
DROP TABLE users;

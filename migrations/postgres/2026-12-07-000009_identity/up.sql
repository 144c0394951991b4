-- Identity (issue 15): the users sessions belong to, organizations, and
-- memberships. Times are Unix milliseconds; metadata objects are compact
-- JSON text, as JWT template claims are.

-- Users. `primary_email_address` and `primary_phone_number` copy the
-- primary identifier's value, written in the same transaction as the
-- identifiers: members' public data and the `email_address` and
-- `phone_number` orderings then read one row. A lock with no end is
-- `locked` with no `locked_until`.
CREATE TABLE users (
    id                       TEXT PRIMARY KEY,
    external_id              TEXT,
    first_name               TEXT,
    last_name                TEXT,
    username                 TEXT,
    image_url                TEXT,
    primary_email_address_id TEXT,
    primary_email_address    TEXT,
    primary_phone_number_id  TEXT,
    primary_phone_number     TEXT,
    public_metadata          TEXT NOT NULL DEFAULT '{}',
    private_metadata         TEXT NOT NULL DEFAULT '{}',
    unsafe_metadata          TEXT NOT NULL DEFAULT '{}',
    banned                   BOOLEAN NOT NULL DEFAULT FALSE,
    locked                   BOOLEAN NOT NULL DEFAULT FALSE,
    locked_until             BIGINT,
    last_sign_in_at          BIGINT,
    last_active_at           BIGINT,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    CHECK (locked OR locked_until IS NULL)
);

-- Unique per instance: an external id; a username regardless of case.
CREATE UNIQUE INDEX users_external_id ON users (external_id);
CREATE UNIQUE INDEX users_username ON users (lower(username));
-- One index per `order_by` of `GET /v1/users` (each with the id that
-- breaks ties; no value sorts last ascending, first descending, as
-- PostgreSQL's default NULLS order): created_at also serves the
-- created_at_before/after filters, and so on.
CREATE INDEX users_by_created_at ON users (created_at, id);
CREATE INDEX users_by_updated_at ON users (updated_at, id);
CREATE INDEX users_by_last_sign_in_at ON users (last_sign_in_at, id);
CREATE INDEX users_by_last_active_at ON users (last_active_at, id);
CREATE INDEX users_by_email_address ON users (primary_email_address, id);
CREATE INDEX users_by_phone_number ON users (primary_phone_number, id);
CREATE INDEX users_by_username ON users (lower(username), id);
CREATE INDEX users_by_first_name ON users (lower(first_name), id);
CREATE INDEX users_by_last_name ON users (lower(last_name), id);

-- A user's email addresses and phone numbers, in the user's order
-- (`position`). An address is stored in lowercase (the domain's `Email`)
-- and belongs to one user of the instance; so does a phone number.
CREATE TABLE user_email_addresses (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    email_address TEXT NOT NULL CHECK (email_address = lower(email_address)),
    verified      BOOLEAN NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_email_addresses_address ON user_email_addresses (email_address);
CREATE INDEX user_email_addresses_by_user ON user_email_addresses (user_id, position);

CREATE TABLE user_phone_numbers (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    phone_number TEXT NOT NULL,
    verified     BOOLEAN NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_phone_numbers_number ON user_phone_numbers (phone_number);
CREATE INDEX user_phone_numbers_by_user ON user_phone_numbers (user_id, position);

-- Organizations. `members_count` is kept by the store in the transaction
-- of every membership written or deleted; the membership limit is checked
-- against it on this row (a conditional UPDATE, which also locks the row
-- against concurrent inserts). 0 in `max_allowed_memberships`: no limit.
-- `created_by` is a plain id: the organization outlives its creator.
CREATE TABLE organizations (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL,
    slug                    TEXT NOT NULL,
    image_url               TEXT,
    public_metadata         TEXT NOT NULL DEFAULT '{}',
    private_metadata        TEXT NOT NULL DEFAULT '{}',
    max_allowed_memberships BIGINT NOT NULL DEFAULT 0 CHECK (max_allowed_memberships >= 0),
    admin_delete_enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    created_by              TEXT,
    members_count           BIGINT NOT NULL DEFAULT 0 CHECK (members_count >= 0),
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_slug ON organizations (slug);
CREATE INDEX organizations_by_created_at ON organizations (created_at, id);
CREATE INDEX organizations_by_name ON organizations (lower(name), id);
CREATE INDEX organizations_by_members_count ON organizations (members_count, id);

-- Memberships: one per user and organization.
CREATE TABLE organization_memberships (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL,
    public_metadata  TEXT NOT NULL DEFAULT '{}',
    private_metadata TEXT NOT NULL DEFAULT '{}',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
-- The minting read finds a session's membership by both ids.
CREATE UNIQUE INDEX organization_memberships_member ON organization_memberships (organization_id, user_id);
CREATE INDEX organization_memberships_by_created_at ON organization_memberships (organization_id, created_at, id);
CREATE INDEX organization_memberships_by_role ON organization_memberships (organization_id, role);
CREATE INDEX organization_memberships_by_user ON organization_memberships (user_id, created_at, id);

-- Deleting an organization clears it from the sessions that have it
-- active. This index names `last_active_organization_id`, not `status` or
-- `last_active_at`: revokes, sign-outs, expiry and activity stay HOT
-- updates (migration 000008); only a change of active organization is not.
CREATE INDEX sessions_by_active_organization ON sessions (last_active_organization_id)
    WHERE last_active_organization_id IS NOT NULL;
-- Deleting a user revokes its pending sign-in tokens.
CREATE INDEX sign_in_tokens_by_user ON sign_in_tokens (user_id);

-- Existing stores keep working: every user id that sessions and sign-in
-- tokens reference becomes a user with nothing but its id (the domain's
-- `User::adopt`), created at its earliest reference.
--
-- `sessions.user_id` and `sign_in_tokens.user_id` get no foreign key:
-- deleting a user revokes its sessions and tickets and keeps them (Clerk
-- lists a deleted user's sessions as revoked), which a cascade would not;
-- and during a rolling upgrade a node still running the previous version
-- signs users in without knowing the `users` table, which a foreign key
-- would turn into failed sign-ins. The application checks that the user
-- exists before it creates a session or a sign-in token.
INSERT INTO users (id, created_at, updated_at)
SELECT user_id, min(created_at), min(created_at)
FROM (
    SELECT user_id, created_at FROM sessions
    UNION ALL
    SELECT user_id, created_at FROM sign_in_tokens
) AS referenced
GROUP BY user_id;

//! The tables, as diesel sees them. Kept in step with `migrations/*/`.

diesel::table! {
    instances (id) {
        id -> Text,
        environment -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        private_key -> Text,
        sealing -> Text,
        public_jwk -> Text,
        created_at -> BigInt,
        activates_at -> BigInt,
        retires_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    secret_keys (id) {
        id -> Text,
        hash -> Text,
        hint -> Text,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        rotating_token -> Text,
        last_active_session_id -> Nullable<Text>,
        cookie_expires_at -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        client_id -> Text,
        user_id -> Text,
        status -> Text,
        actor_sub -> Nullable<Text>,
        actor_iss -> Nullable<Text>,
        actor_sid -> Nullable<Text>,
        last_active_organization_id -> Nullable<Text>,
        tasks -> Text,
        last_active_at -> BigInt,
        expire_at -> BigInt,
        abandon_at -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    jwt_templates (id) {
        id -> Text,
        name -> Text,
        claims -> Text,
        lifetime -> BigInt,
        allowed_clock_skew -> BigInt,
        custom_key_algorithm -> Nullable<Text>,
        custom_key -> Nullable<Text>,
        custom_key_sealing -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    dev_browsers (id) {
        id -> Text,
        client_id -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    sign_in_tokens (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        status -> Text,
        expires_at -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    handshake_nonces (nonce_hash) {
        nonce_hash -> Text,
        payload -> Text,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        algorithm -> Text,
        sealed -> Text,
        sealing -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        status -> Text,
        successor_hash -> Nullable<Text>,
        rotated_at -> Nullable<BigInt>,
        expires_at -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    session_activities (session_id) {
        session_id -> Text,
        is_mobile -> Bool,
        device_type -> Nullable<Text>,
        browser_name -> Nullable<Text>,
        browser_version -> Nullable<Text>,
        ip_address -> Nullable<Text>,
        city -> Nullable<Text>,
        country -> Nullable<Text>,
        updated_at -> BigInt,
    }
}

diesel::table! {
    sweeps (name) {
        name -> Text,
        last_run_at -> BigInt,
        runs -> BigInt,
        swept_through -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        external_id -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        username -> Nullable<Text>,
        image_url -> Nullable<Text>,
        primary_email_address_id -> Nullable<Text>,
        primary_email_address -> Nullable<Text>,
        primary_phone_number_id -> Nullable<Text>,
        primary_phone_number -> Nullable<Text>,
        public_metadata -> Text,
        private_metadata -> Text,
        unsafe_metadata -> Text,
        banned -> Bool,
        locked -> Bool,
        locked_until -> Nullable<BigInt>,
        last_sign_in_at -> Nullable<BigInt>,
        last_active_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        password_digest -> Nullable<Text>,
        password_updated_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    user_email_addresses (id) {
        id -> Text,
        user_id -> Text,
        position -> Integer,
        email_address -> Text,
        verified -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    user_phone_numbers (id) {
        id -> Text,
        user_id -> Text,
        position -> Integer,
        phone_number -> Text,
        verified -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        image_url -> Nullable<Text>,
        public_metadata -> Text,
        private_metadata -> Text,
        max_allowed_memberships -> BigInt,
        admin_delete_enabled -> Bool,
        created_by -> Nullable<Text>,
        members_count -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    organization_memberships (id) {
        id -> Text,
        organization_id -> Text,
        user_id -> Text,
        role -> Text,
        public_metadata -> Text,
        private_metadata -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::joinable!(sessions -> clients (client_id));
diesel::joinable!(organization_memberships -> organizations (organization_id));
diesel::joinable!(organization_memberships -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    instances,
    signing_keys,
    secret_keys,
    clients,
    sessions,
    jwt_templates,
    dev_browsers,
    sign_in_tokens,
    handshake_nonces,
    instance_secrets,
    refresh_tokens,
    session_activities,
    sweeps,
    users,
    user_email_addresses,
    user_phone_numbers,
    organizations,
    organization_memberships
);

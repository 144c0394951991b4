//! `Client.Environment`: what clerk-js and the prebuilt components read
//! at load to decide what to draw (`GET /v1/environment`).
//!
//! Built from the instance's settings. It announces exactly what Hallpass
//! does: sign-in by ticket (no identifier, password or code form), no
//! sign-up, no social or enterprise sign-in, organizations on with the
//! configured roles, and nothing that makes clerk-js load a third-party
//! script (no captcha keys, no captcha heartbeat, no `commerce_settings`,
//! no `protect_config` loaders). Field for field Clerk's OpenAPI schema
//! (which forbids fields it does not list); `docs/research/clerk-js-environment.md`
//! says which fields clerk-js reads.

use hallpass_domain::display::{AppLink, Display};
use hallpass_domain::{Environment, RoleSet};
use serde::Serialize;

use super::EmptyObject;

/// What the environment is built from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EnvironmentInputs<'a> {
    /// The instance id's body names the environment's sub-objects.
    pub instance_id: &'a str,
    pub environment: Environment,
    pub multi_session: bool,
    pub native_api: bool,
    pub display: &'a Display,
    pub roles: &'a RoleSet,
}

#[derive(Debug, Serialize)]
pub(crate) struct ClientEnvironment<'a> {
    auth_config: AuthConfig,
    display_config: DisplayConfig<'a>,
    user_settings: UserSettings,
    organization_settings: OrganizationSettings<'a>,
    fraud_settings: FraudSettings,
    api_keys_settings: ApiKeysSettings,
    client_debug_mode: bool,
    partitioned_cookies: bool,
    maintenance_mode: bool,
}

#[derive(Debug, Serialize)]
struct AuthConfig {
    object: &'static str,
    id: String,
    first_name: &'static str,
    last_name: &'static str,
    email_address: &'static str,
    phone_number: &'static str,
    username: &'static str,
    password: &'static str,
    identification_requirements: [[&'static str; 0]; 0],
    identification_strategies: [&'static str; 0],
    first_factors: [&'static str; 1],
    second_factors: [&'static str; 0],
    email_address_verification_strategies: [&'static str; 0],
    single_session_mode: bool,
    enhanced_email_deliverability: bool,
    test_mode: bool,
    url_based_session_syncing: bool,
    claimed_at: (),
    reverification: bool,
    native_settings: NativeSettings,
}

#[derive(Debug, Serialize)]
struct NativeSettings {
    object: &'static str,
    api_enabled: bool,
    trusted_device_sign_in_enabled: bool,
    trusted_device_enrollment_prompt_after_sign_in_enabled: bool,
    trusted_device_enrollment_prompt_after_sign_up_enabled: bool,
}

#[derive(Debug, Serialize)]
struct DisplayConfig<'a> {
    object: &'static str,
    id: String,
    instance_environment_type: &'static str,
    application_name: &'a str,
    theme: EmptyObject,
    preferred_sign_in_strategy: &'static str,
    logo_image_url: Option<&'a str>,
    favicon_image_url: Option<&'a str>,
    home_url: &'a str,
    sign_in_url: &'a str,
    sign_up_url: &'a str,
    user_profile_url: &'a str,
    waitlist_url: &'static str,
    oauth_consent_url: &'static str,
    after_sign_in_url: &'a str,
    after_sign_up_url: &'a str,
    after_sign_out_one_url: &'a str,
    after_sign_out_all_url: &'a str,
    after_switch_session_url: &'a str,
    after_join_waitlist_url: &'a str,
    organization_profile_url: &'a str,
    create_organization_url: &'a str,
    after_leave_organization_url: &'a str,
    after_create_organization_url: &'a str,
    logo_link_url: &'a str,
    support_email: Option<&'a str>,
    branded: bool,
    experimental_force_oauth_first: bool,
    clerk_js_version: (),
    show_devmode_warning: bool,
    google_one_tap_client_id: (),
    help_url: Option<&'a str>,
    privacy_policy_url: Option<&'a str>,
    terms_url: Option<&'a str>,
    logo_url: Option<&'a str>,
    favicon_url: Option<&'a str>,
    logo_image: (),
    favicon_image: (),
    captcha_public_key: (),
    captcha_widget_type: &'static str,
    captcha_public_key_invisible: (),
    captcha_provider: &'static str,
    captcha_oauth_bypass: [&'static str; 0],
    captcha_heartbeat: bool,
}

/// One `user_settings.attributes` entry.
#[derive(Debug, Clone, Copy, Serialize)]
struct Attribute {
    enabled: bool,
    required: bool,
    used_for_first_factor: bool,
    first_factors: [&'static str; 0],
    used_for_second_factor: bool,
    second_factors: [&'static str; 0],
    verifications: [&'static str; 0],
    verify_at_sign_up: bool,
    immutable: bool,
}

impl Attribute {
    /// Not offered.
    const OFF: Self = Self {
        enabled: false,
        required: false,
        used_for_first_factor: false,
        first_factors: [],
        used_for_second_factor: false,
        second_factors: [],
        verifications: [],
        verify_at_sign_up: false,
        immutable: false,
    };
    /// Offered, but not as an identifier the sign-in form asks for (a
    /// ticket arrives in the page's URL).
    const ON: Self = Self {
        enabled: true,
        ..Self::OFF
    };
}

/// Every attribute Clerk's schema lists: clerk-js replaces its default
/// map (email address and password on) with this one wholesale.
#[derive(Debug, Serialize)]
struct Attributes {
    email_address: Attribute,
    phone_number: Attribute,
    username: Attribute,
    web3_wallet: Attribute,
    first_name: Attribute,
    last_name: Attribute,
    password: Attribute,
    authenticator_app: Attribute,
    ticket: Attribute,
    backup_code: Attribute,
    passkey: Attribute,
}

#[derive(Debug, Serialize)]
struct Enabled {
    enabled: bool,
}

const OFF: Enabled = Enabled { enabled: false };

#[derive(Debug, Serialize)]
struct EnterpriseSso {
    enabled: bool,
    self_serve_sso: bool,
}

#[derive(Debug, Serialize)]
struct SecondFactor {
    required: bool,
}

#[derive(Debug, Serialize)]
struct SignInSettings {
    second_factor: SecondFactor,
}

#[derive(Debug, Serialize)]
struct SignUpSettings {
    captcha_enabled: bool,
    captcha_widget_type: &'static str,
    custom_action_required: bool,
    progressive: bool,
    mode: &'static str,
    legal_consent_enabled: bool,
}

#[derive(Debug, Serialize)]
struct Restrictions {
    allowlist: Enabled,
    blocklist: Enabled,
    allowlist_blocklist_disabled_on_sign_in: Enabled,
    block_email_subaddresses: Enabled,
    block_disposable_email_domains: Enabled,
}

#[derive(Debug, Serialize)]
struct PasswordSettings {
    disable_hibp: bool,
    disable_password_reverification: bool,
    min_length: u32,
    max_length: u32,
    require_special_char: bool,
    require_numbers: bool,
    require_uppercase: bool,
    require_lowercase: bool,
    show_zxcvbn: bool,
    min_zxcvbn_strength: u32,
    enforce_hibp_on_sign_in: bool,
    allowed_special_characters: &'static str,
}

#[derive(Debug, Serialize)]
struct UsernameSettings {
    min_length: u32,
    max_length: u32,
    allow_extended_special_characters: bool,
    allow_numeric_usernames: bool,
}

#[derive(Debug, Serialize)]
struct UserActions {
    delete_self: bool,
    create_organization: bool,
    create_organizations_limit: (),
}

#[derive(Debug, Serialize)]
struct UserLockout {
    enabled: bool,
    max_attempts: u32,
    duration_in_minutes: u32,
}

#[derive(Debug, Serialize)]
struct EmailLink {
    require_same_client: bool,
}

#[derive(Debug, Serialize)]
struct AttackProtection {
    user_lockout: UserLockout,
    pii: Enabled,
    email_link: EmailLink,
    enumeration_protection: Enabled,
}

#[derive(Debug, Serialize)]
struct PasskeySettings {
    allow_autofill: bool,
    show_sign_in_button: bool,
    satisfies_second_factor: bool,
}

#[derive(Debug, Serialize)]
struct UserSettings {
    attributes: Attributes,
    social: EmptyObject,
    saml: Enabled,
    enterprise_sso: EnterpriseSso,
    sign_in: SignInSettings,
    sign_up: SignUpSettings,
    restrictions: Restrictions,
    password_settings: PasswordSettings,
    username_settings: UsernameSettings,
    actions: UserActions,
    attack_protection: AttackProtection,
    passkey_settings: PasskeySettings,
}

#[derive(Debug, Serialize)]
struct OrganizationActions {
    admin_delete: bool,
}

#[derive(Debug, Serialize)]
struct DomainsSettings<'a> {
    enabled: bool,
    enrollment_modes: [&'static str; 0],
    default_role: &'a str,
}

#[derive(Debug, Serialize)]
struct SlugSettings {
    disabled: bool,
}

#[derive(Debug, Serialize)]
struct OrganizationSettings<'a> {
    enabled: bool,
    max_allowed_memberships: u32,
    actions: OrganizationActions,
    domains: DomainsSettings<'a>,
    slug: SlugSettings,
    creator_role: &'a str,
}

#[derive(Debug, Serialize)]
struct NativeFraud {
    device_attestation_mode: &'static str,
}

#[derive(Debug, Serialize)]
struct FraudSettings {
    object: &'static str,
    native: NativeFraud,
}

#[derive(Debug, Serialize)]
struct ApiKeysSettings {
    enabled: bool,
    user_api_keys_enabled: bool,
    orgs_api_keys_enabled: bool,
}

fn link(l: &AppLink) -> &str {
    l.as_str()
}

fn optional(l: Option<&AppLink>) -> Option<&str> {
    l.map(AppLink::as_str)
}

/// The id body shared by the environment's sub-objects.
fn id_body(instance_id: &str) -> &str {
    instance_id
        .split_once('_')
        .map_or(instance_id, |(_, body)| body)
}

pub(crate) fn environment(i: EnvironmentInputs<'_>) -> ClientEnvironment<'_> {
    let body = id_body(i.instance_id);
    let development = i.environment == Environment::Development;
    let d = i.display;
    let l = &d.links;
    ClientEnvironment {
        auth_config: AuthConfig {
            object: "auth_config",
            id: format!("aac_{body}"),
            first_name: "off",
            last_name: "off",
            email_address: "off",
            phone_number: "off",
            username: "off",
            password: "off",
            identification_requirements: [],
            identification_strategies: [],
            first_factors: ["ticket"],
            second_factors: [],
            email_address_verification_strategies: [],
            single_session_mode: !i.multi_session,
            enhanced_email_deliverability: false,
            test_mode: false,
            url_based_session_syncing: development,
            claimed_at: (),
            reverification: false,
            native_settings: NativeSettings {
                object: "native_settings",
                api_enabled: i.native_api,
                trusted_device_sign_in_enabled: false,
                trusted_device_enrollment_prompt_after_sign_in_enabled: false,
                trusted_device_enrollment_prompt_after_sign_up_enabled: false,
            },
        },
        display_config: DisplayConfig {
            object: "display_config",
            id: format!("display_config_{body}"),
            instance_environment_type: i.environment.as_str(),
            application_name: d.application_name.as_str(),
            theme: EmptyObject,
            preferred_sign_in_strategy: "password",
            logo_image_url: optional(d.logo_image_url.as_ref()),
            favicon_image_url: optional(d.favicon_image_url.as_ref()),
            home_url: link(&l.home),
            sign_in_url: link(&l.sign_in),
            sign_up_url: link(&l.sign_up),
            user_profile_url: link(&l.user_profile),
            waitlist_url: "",
            oauth_consent_url: "",
            after_sign_in_url: link(&l.after_sign_in),
            after_sign_up_url: link(&l.after_sign_up),
            after_sign_out_one_url: link(&l.after_sign_out),
            after_sign_out_all_url: link(&l.after_sign_out),
            after_switch_session_url: link(&l.after_switch_session),
            after_join_waitlist_url: link(&l.home),
            organization_profile_url: link(&l.organization_profile),
            create_organization_url: link(&l.create_organization),
            after_leave_organization_url: link(&l.after_leave_organization),
            after_create_organization_url: link(&l.after_create_organization),
            logo_link_url: link(&l.home),
            support_email: d.support_email.as_deref(),
            branded: false,
            experimental_force_oauth_first: false,
            clerk_js_version: (),
            show_devmode_warning: development,
            google_one_tap_client_id: (),
            help_url: optional(d.help_url.as_ref()),
            privacy_policy_url: optional(d.privacy_policy_url.as_ref()),
            terms_url: optional(d.terms_url.as_ref()),
            logo_url: optional(d.logo_image_url.as_ref()),
            favicon_url: optional(d.favicon_image_url.as_ref()),
            logo_image: (),
            favicon_image: (),
            captcha_public_key: (),
            // Without keys, no captcha loads whatever the widget and
            // provider say (the schema allows no `null` for them).
            captcha_widget_type: "smart",
            captcha_public_key_invisible: (),
            captcha_provider: "turnstile",
            captcha_oauth_bypass: [],
            captcha_heartbeat: false,
        },
        user_settings: UserSettings {
            attributes: Attributes {
                email_address: Attribute::OFF,
                phone_number: Attribute::OFF,
                username: Attribute::OFF,
                web3_wallet: Attribute::OFF,
                first_name: Attribute::OFF,
                last_name: Attribute::OFF,
                password: Attribute::OFF,
                authenticator_app: Attribute::OFF,
                ticket: Attribute::ON,
                backup_code: Attribute::OFF,
                passkey: Attribute::OFF,
            },
            social: EmptyObject,
            saml: OFF,
            enterprise_sso: EnterpriseSso {
                enabled: false,
                self_serve_sso: false,
            },
            sign_in: SignInSettings {
                second_factor: SecondFactor { required: false },
            },
            sign_up: SignUpSettings {
                captcha_enabled: false,
                captcha_widget_type: "smart",
                custom_action_required: false,
                progressive: true,
                // Users are created by the Backend API only.
                mode: "restricted",
                legal_consent_enabled: false,
            },
            restrictions: Restrictions {
                allowlist: OFF,
                blocklist: OFF,
                allowlist_blocklist_disabled_on_sign_in: OFF,
                block_email_subaddresses: OFF,
                block_disposable_email_domains: OFF,
            },
            password_settings: PasswordSettings {
                disable_hibp: true,
                disable_password_reverification: true,
                min_length: 8,
                max_length: 72,
                require_special_char: false,
                require_numbers: false,
                require_uppercase: false,
                require_lowercase: false,
                show_zxcvbn: false,
                min_zxcvbn_strength: 0,
                enforce_hibp_on_sign_in: false,
                allowed_special_characters: "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~",
            },
            username_settings: UsernameSettings {
                min_length: 4,
                max_length: 64,
                allow_extended_special_characters: false,
                allow_numeric_usernames: false,
            },
            actions: UserActions {
                delete_self: false,
                create_organization: false,
                create_organizations_limit: (),
            },
            attack_protection: AttackProtection {
                user_lockout: UserLockout {
                    enabled: false,
                    max_attempts: 0,
                    duration_in_minutes: 0,
                },
                pii: OFF,
                email_link: EmailLink {
                    require_same_client: false,
                },
                enumeration_protection: OFF,
            },
            passkey_settings: PasskeySettings {
                allow_autofill: false,
                show_sign_in_button: false,
                satisfies_second_factor: false,
            },
        },
        organization_settings: OrganizationSettings {
            enabled: true,
            max_allowed_memberships: 0,
            actions: OrganizationActions { admin_delete: true },
            domains: DomainsSettings {
                enabled: false,
                enrollment_modes: [],
                default_role: i.roles.default_role().as_str(),
            },
            slug: SlugSettings { disabled: false },
            creator_role: i.roles.creator_role().as_str(),
        },
        fraud_settings: FraudSettings {
            object: "fraud_settings",
            native: NativeFraud {
                device_attestation_mode: "disabled",
            },
        },
        api_keys_settings: ApiKeysSettings {
            enabled: false,
            user_api_keys_enabled: false,
            orgs_api_keys_enabled: false,
        },
        client_debug_mode: false,
        partitioned_cookies: false,
        maintenance_mode: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(multi_session: bool, environment: Environment) -> serde_json::Value {
        let display = Display::default();
        let roles = RoleSet::default();
        serde_json::to_value(super::environment(EnvironmentInputs {
            instance_id: "ins_2abcdefghijklmnopqrstu",
            environment,
            multi_session,
            native_api: true,
            display: &display,
            roles: &roles,
        }))
        .unwrap_or_default()
    }

    #[test]
    fn single_session_mode_is_the_opposite_of_multi_session() {
        let single = json(false, Environment::Production);
        let multi = json(true, Environment::Production);
        assert_eq!(single["auth_config"]["single_session_mode"], true);
        assert_eq!(multi["auth_config"]["single_session_mode"], false);
    }

    #[test]
    fn sub_object_ids_share_the_instance_ids_body() {
        let env = json(false, Environment::Development);
        assert_eq!(env["auth_config"]["id"], "aac_2abcdefghijklmnopqrstu");
        assert_eq!(
            env["display_config"]["id"],
            "display_config_2abcdefghijklmnopqrstu"
        );
        assert_eq!(id_body("nounderscore"), "nounderscore");
    }
}

//! Configuration: code defaults, then an optional TOML file, then
//! `HALLPASS__…` environment variables, then command-line flags. Every value
//! is validated before anything starts; a bad one stops start-up with a
//! message naming it. `docs/configuration.md` lists every setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use config::{Config, Environment as EnvSource, File, FileFormat};
use hallpass_app::{InstanceConfig, KeyPolicy};
use hallpass_domain::redirect::AllowedOrigins;
use hallpass_domain::{Environment, FrontendApi, InstanceSettings, SessionLifetime};
use secrecy::SecretBox;
use serde::Deserialize;

use crate::cli::GlobalArgs;
use crate::database_url::DatabaseUrl;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawSettings {
    /// `development` or `production`.
    pub environment: String,
    /// The public origin of the Frontend API (fixes `iss` and the
    /// publishable key). Default: `http://` + the Frontend API listen address.
    pub frontend_api_url: Option<String>,
    /// PostgreSQL URL; none means the embedded store.
    pub database_url: Option<DatabaseUrl>,
    /// Directory of the embedded store.
    pub data_dir: PathBuf,
    pub listen: ListenSettings,
    pub sessions: SessionSettings,
    pub database: DatabaseSettings,
    pub keys: KeySettings,
    pub backend_api: BackendApiSettings,
    pub frontend_api: FrontendApiSettings,
    pub rate_limit: crate::rate_limit::RateLimitSettings,
    pub sweeps: SweepSettings,
    pub log: LogSettings,
    pub metrics: MetricsSettings,
    pub organizations: crate::identity_settings::OrganizationSettings,
    pub users: crate::identity_settings::UserSettings,
    pub display: crate::display_settings::DisplaySettings,
    pub passwords: crate::password_settings::PasswordSettings,
}

/// Prometheus metrics on the Backend API listener.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// Serve `GET /metrics` on the Backend API listener.
    pub enabled: bool,
    /// When set, scrapes must send `Authorization: Bearer <token>`.
    pub bearer_token: Option<String>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            bearer_token: None,
        }
    }
}

impl std::fmt::Debug for MetricsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsSettings")
            .field("enabled", &self.enabled)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Housekeeping sweeps (see `hallpass_app::SweepPolicy`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SweepSettings {
    /// Seconds between sweeps; 0 turns them off.
    pub interval_secs: u64,
    /// Seconds expired sign-in tokens and refresh tokens are kept.
    pub retain_secs: u64,
}

impl Default for SweepSettings {
    fn default() -> Self {
        Self {
            interval_secs: 60,
            retain_secs: 24 * 3600,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrontendApiSettings {
    /// Origins (`scheme://host[:port]`) of the apps that may call the Frontend
    /// API from a browser and receive handshake redirects. The Frontend
    /// API's own origin is always allowed; development instances also allow
    /// loopback origins on any port.
    pub allowed_origins: Vec<String>,
    /// The domain app cookies are set on in production (`__client_uat`,
    /// `__clerk_handshake`), e.g. `example.com`. None: host-only cookies.
    pub cookie_domain: Option<String>,
    /// Accept native clients (`_is_native=1` with `Authorization`).
    pub native_api: bool,
    /// The header a trusted reverse proxy sets to the client IP (e.g.
    /// `X-Forwarded-For`). None: the TCP peer address.
    pub client_ip_header: Option<String>,
    /// With `format=nonce`, handshake payloads over this many bytes are
    /// handed over through a single-use nonce (0: always).
    pub handshake_nonce_min_bytes: usize,
    /// Where `scripts/install-clerk-js.sh` installs Clerk's browser SDK,
    /// served at `/npm/@clerk/…`. Default: `<data_dir>/clerk-js`.
    pub clerk_js_dir: Option<PathBuf>,
}

impl Default for FrontendApiSettings {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            cookie_domain: None,
            native_api: true,
            client_ip_header: None,
            handshake_nonce_min_bytes: hallpass_domain::handshake::MAX_DIRECT_PAYLOAD_BYTES,
            clerk_js_dir: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackendApiSettings {
    /// Allow `POST /v1/sessions` (a testing aid) on production instances.
    pub allow_session_create_in_production: bool,
}

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeySettings {
    /// Base64 of 32 random bytes: private keys are stored encrypted under it.
    pub encryption_key: Option<String>,
    /// How long a new key is published before it signs.
    pub rotation_delay_secs: u64,
    /// How long a replaced key stays published after the new one signs.
    pub retain_secs: u64,
    /// How often each node reloads the keys from the store.
    pub refresh_interval_secs: u64,
    /// Rotate automatically when the newest key is this old; 0: never.
    pub rotate_after_secs: u64,
}

impl Default for KeySettings {
    fn default() -> Self {
        Self {
            encryption_key: None,
            rotation_delay_secs: 600,
            retain_secs: 24 * 3600,
            refresh_interval_secs: 30,
            rotate_after_secs: 0,
        }
    }
}

impl std::fmt::Debug for KeySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySettings")
            .field(
                "encryption_key",
                &self.encryption_key.as_ref().map(|_| "[redacted]"),
            )
            .field("rotation_delay_secs", &self.rotation_delay_secs)
            .field("retain_secs", &self.retain_secs)
            .field("refresh_interval_secs", &self.refresh_interval_secs)
            .field("rotate_after_secs", &self.rotate_after_secs)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListenSettings {
    pub fapi: String,
    pub bapi: String,
    /// Seconds to finish in-flight requests after SIGTERM/SIGINT.
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// Absolute session lifetime; 0 disables it.
    pub max_lifetime_secs: u64,
    /// Sliding inactivity timeout; 0 disables it.
    pub inactivity_timeout_secs: u64,
    pub abandon_after_secs: u64,
    pub activity_write_interval_secs: u64,
    pub token_lifetime_secs: u64,
    pub multi_session: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    pub statement_timeout_secs: u64,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// The filter when `RUST_LOG` is not set.
    pub level: String,
}

impl Default for RawSettings {
    fn default() -> Self {
        Self {
            environment: "development".to_owned(),
            frontend_api_url: None,
            database_url: None,
            data_dir: PathBuf::from("hallpass-data"),
            listen: ListenSettings::default(),
            sessions: SessionSettings::default(),
            database: DatabaseSettings::default(),
            keys: KeySettings::default(),
            backend_api: BackendApiSettings::default(),
            frontend_api: FrontendApiSettings::default(),
            rate_limit: crate::rate_limit::RateLimitSettings::default(),
            sweeps: SweepSettings::default(),
            log: LogSettings::default(),
            metrics: MetricsSettings::default(),
            organizations: Default::default(),
            users: Default::default(),
            display: Default::default(),
            passwords: Default::default(),
        }
    }
}

impl Default for ListenSettings {
    fn default() -> Self {
        Self {
            fapi: "127.0.0.1:7710".to_owned(),
            bapi: "127.0.0.1:7711".to_owned(),
            shutdown_grace_secs: 30,
        }
    }
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            max_lifetime_secs: 7 * 24 * 3600,
            inactivity_timeout_secs: 0,
            abandon_after_secs: 30 * 24 * 3600,
            activity_write_interval_secs: 60,
            token_lifetime_secs: 60,
            multi_session: false,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout_secs: 5,
            statement_timeout_secs: 10,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            level: "info".to_owned(),
        }
    }
}

/// Validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    pub frontend_api_url: Option<FrontendApi>,
    pub database_url: Option<DatabaseUrl>,
    pub data_dir: PathBuf,
    pub fapi_addr: SocketAddr,
    pub bapi_addr: SocketAddr,
    pub shutdown_grace: Duration,
    pub instance: InstanceSettings,
    pub database: hallpass_adapter_postgres::PgOptions,
    pub key_policy: KeyPolicy,
    pub key_refresh_interval: Duration,
    pub key_rotate_after: Option<Duration>,
    /// Housekeeping sweeps; `None`: off.
    pub sweep: Option<hallpass_app::SweepPolicy>,
    /// The 32-byte key that seals private keys at rest, if configured.
    pub encryption_key: Option<std::sync::Arc<SecretBox<[u8; 32]>>>,
    pub api: hallpass_api_actix::ApiOptions,
    pub rate_limit: crate::rate_limit::RateLimitConfig,
    pub log: LogSettings,
    pub metrics: MetricsSettings,
    /// Roles of organization memberships, the lockout, the password rules.
    pub identity: hallpass_app::IdentityPolicy,
    /// Hashes and verifies passwords (`passwords.argon2_*`,
    /// `passwords.hashing_*`).
    pub passwords: hallpass_adapter_password::Hasher,
}

fn addr(name: &str, value: &str) -> anyhow::Result<SocketAddr> {
    value
        .parse()
        .map_err(|e| anyhow!("`{name}` = {value:?} is not an IP:port address ({e})"))
}

fn decode_encryption_key(text: &str) -> anyhow::Result<std::sync::Arc<SecretBox<[u8; 32]>>> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| anyhow!("`keys.encryption_key` is not base64"))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow!("`keys.encryption_key` must decode to exactly 32 bytes"))?;
    Ok(std::sync::Arc::new(SecretBox::new(Box::new(key))))
}

fn validate_cookie_domain(domain: &str) -> anyhow::Result<String> {
    let d = domain.trim_start_matches('.').to_ascii_lowercase();
    let ok = d.contains('.')
        && d.len() <= 253
        && d.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if ok {
        Ok(d)
    } else {
        Err(anyhow!(
            "`frontend_api.cookie_domain` = {domain:?} must be a domain name like example.com"
        ))
    }
}

fn sweep_policy(s: &SweepSettings) -> anyhow::Result<Option<hallpass_app::SweepPolicy>> {
    if s.interval_secs > 24 * 3600 {
        return Err(anyhow!(
            "`sweeps.interval_secs` must be at most 86400 (0: off)"
        ));
    }
    Ok(
        secs(s.interval_secs).map(|interval| hallpass_app::SweepPolicy {
            interval,
            retain: Duration::from_secs(s.retain_secs),
        }),
    )
}

fn secs(value: u64) -> Option<Duration> {
    (value > 0).then(|| Duration::from_secs(value))
}

impl Settings {
    /// Loads and validates the settings for `args`.
    pub fn load(args: &GlobalArgs) -> anyhow::Result<Self> {
        let mut builder = Config::builder();
        match &args.config {
            Some(path) => {
                builder = builder.add_source(File::from(path.as_path()).format(FileFormat::Toml))
            }
            None => {
                builder = builder.add_source(
                    File::from(Path::new("hallpass.toml"))
                        .format(FileFormat::Toml)
                        .required(false),
                )
            }
        }
        builder = builder.add_source(
            EnvSource::with_prefix("HALLPASS")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("frontend_api.allowed_origins"),
        );
        let overrides: [(&str, Option<String>); 4] = [
            (
                "database_url",
                args.database_url.as_ref().map(|u| u.expose().to_owned()),
            ),
            (
                "data_dir",
                args.data_dir.as_ref().map(|p| p.display().to_string()),
            ),
            ("listen.fapi", args.fapi_addr.clone()),
            ("listen.bapi", args.bapi_addr.clone()),
        ];
        for (key, value) in overrides {
            if let Some(value) = value {
                builder = builder.set_override(key, value)?;
            }
        }
        let raw: RawSettings = builder
            .build()
            .context("reading the configuration")?
            .try_deserialize()
            .context("reading the configuration")?;
        Self::validate(raw)
    }

    fn validate(raw: RawSettings) -> anyhow::Result<Self> {
        let environment = Environment::parse(&raw.environment).ok_or_else(|| {
            anyhow!(
                "`environment` = {:?}: expected \"development\" or \"production\"",
                raw.environment
            )
        })?;
        let frontend_api_url = raw
            .frontend_api_url
            .as_deref()
            .map(|url| {
                FrontendApi::parse(url).map_err(|e| anyhow!("`frontend_api_url` = {url:?}: {e}"))
            })
            .transpose()?;
        let s = &raw.sessions;
        let lifetime = SessionLifetime::new(
            secs(s.max_lifetime_secs),
            secs(s.inactivity_timeout_secs),
            Duration::from_secs(s.abandon_after_secs),
        )
        .map_err(|e| anyhow!("`sessions`: {e}"))?;
        let instance = InstanceSettings::new(
            lifetime,
            Duration::from_secs(s.activity_write_interval_secs),
            Duration::from_secs(s.token_lifetime_secs),
            s.multi_session,
        )
        .map_err(|e| anyhow!("`sessions`: {e}"))?;
        if raw
            .metrics
            .bearer_token
            .as_deref()
            .is_some_and(|t| t.trim().len() < 16)
        {
            return Err(anyhow!(
                "`metrics.bearer_token` must be at least 16 characters (or unset)"
            ));
        }
        if raw.database.max_connections == 0 {
            return Err(anyhow!("`database.max_connections` must be at least 1"));
        }
        if let Some(url) = raw.database_url.as_ref().map(DatabaseUrl::expose)
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return Err(anyhow!(
                "`database_url` must be a postgres:// URL (omit it for the embedded store)"
            ));
        }
        let encryption_key = raw
            .keys
            .encryption_key
            .as_deref()
            .filter(|k| !k.is_empty())
            .map(decode_encryption_key)
            .transpose()?;
        if !(1..=3600).contains(&raw.keys.refresh_interval_secs) {
            return Err(anyhow!("`keys.refresh_interval_secs` must be 1 to 3600"));
        }
        if raw.keys.rotation_delay_secs < raw.keys.refresh_interval_secs {
            return Err(anyhow!(
                "`keys.rotation_delay_secs` must be at least `keys.refresh_interval_secs`, \
                 or some node could meet a token signed by a key it has not loaded"
            ));
        }
        let clerk_js_dir = raw
            .frontend_api
            .clerk_js_dir
            .clone()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or_else(|| raw.data_dir.join("clerk-js"));
        Ok(Self {
            environment,
            frontend_api_url,
            database_url: raw.database_url.filter(|u| !u.expose().is_empty()),
            data_dir: raw.data_dir,
            fapi_addr: addr("listen.fapi", &raw.listen.fapi)?,
            bapi_addr: addr("listen.bapi", &raw.listen.bapi)?,
            shutdown_grace: Duration::from_secs(raw.listen.shutdown_grace_secs),
            instance,
            database: hallpass_adapter_postgres::PgOptions {
                max_connections: raw.database.max_connections,
                connect_timeout: Duration::from_secs(raw.database.connect_timeout_secs.max(1)),
                statement_timeout: Duration::from_secs(raw.database.statement_timeout_secs.max(1)),
            },
            key_policy: KeyPolicy {
                rotation_delay: Duration::from_secs(raw.keys.rotation_delay_secs),
                retain: Duration::from_secs(raw.keys.retain_secs),
            },
            key_refresh_interval: Duration::from_secs(raw.keys.refresh_interval_secs),
            key_rotate_after: secs(raw.keys.rotate_after_secs),
            sweep: sweep_policy(&raw.sweeps)?,
            encryption_key,
            rate_limit: raw.rate_limit.validate()?,
            api: hallpass_api_actix::ApiOptions {
                create_sessions_in_production: raw.backend_api.allow_session_create_in_production,
                native_api: raw.frontend_api.native_api,
                origins: AllowedOrigins::new(
                    &raw.frontend_api.allowed_origins,
                    environment == Environment::Development,
                )
                .map_err(|e| anyhow!("`frontend_api.allowed_origins`: {e}"))?,
                cookie_domain: raw
                    .frontend_api
                    .cookie_domain
                    .filter(|d| !d.is_empty())
                    .map(|d| validate_cookie_domain(&d))
                    .transpose()?,
                client_ip_header: raw
                    .frontend_api
                    .client_ip_header
                    .filter(|h| !h.is_empty())
                    .map(|h| {
                        actix_web::http::header::HeaderName::from_bytes(h.as_bytes())
                            .map(|_| h.to_ascii_lowercase())
                            .map_err(|_| {
                                anyhow!(
                                    "`frontend_api.client_ip_header` = {h:?} is not a header name"
                                )
                            })
                    })
                    .transpose()?,
                handshake_nonce_min_bytes: raw.frontend_api.handshake_nonce_min_bytes,
                display: raw.display.validate()?,
                clerk_js_dir: Some(clerk_js_dir),
            },
            identity: hallpass_app::IdentityPolicy {
                password: raw.passwords.policy()?,
                ..crate::identity_settings::identity_policy(&raw.organizations, &raw.users)?
            },
            passwords: raw.passwords.hasher()?,
            log: raw.log,
            metrics: raw.metrics,
        })
    }

    /// The public Frontend API origin: the configured one, or `http://` +
    /// the address the Frontend API listens on (loopback when it listens on
    /// every interface, as the SDKs need a host with a dot).
    pub fn frontend_api(&self, bound: SocketAddr) -> anyhow::Result<FrontendApi> {
        if let Some(f) = &self.frontend_api_url {
            return Ok(f.clone());
        }
        let host = match bound.ip() {
            std::net::IpAddr::V4(ip) if !ip.is_unspecified() => ip.to_string(),
            _ => "127.0.0.1".to_owned(),
        };
        FrontendApi::parse(&format!("http://{host}:{}", bound.port())).map_err(|e| {
            anyhow!("the default Frontend API URL is unusable: {e}; set `frontend_api_url`")
        })
    }

    pub fn instance_config(&self, fapi: FrontendApi) -> InstanceConfig {
        InstanceConfig {
            environment: self.environment,
            frontend_api: fapi,
            settings: self.instance,
            keys: self.key_policy,
            identity: self.identity.clone(),
        }
    }

    /// The embedded store's file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("hallpass.sqlite3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn validate(edit: impl FnOnce(&mut RawSettings)) -> anyhow::Result<Settings> {
        let mut raw = RawSettings::default();
        edit(&mut raw);
        Settings::validate(raw)
    }

    #[test]
    fn defaults_are_valid() {
        let s = validate(|_| {}).unwrap();
        assert_eq!(s.environment, Environment::Development);
        assert_eq!(s.fapi_addr.port(), 7710);
        assert!(s.database_url.is_none());
    }

    #[test]
    fn bad_values_name_the_setting() {
        type Edit = Box<dyn FnOnce(&mut RawSettings)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "environment",
                Box::new(|r| r.environment = "staging".into()),
            ),
            (
                "frontend_api_url",
                Box::new(|r| r.frontend_api_url = Some("http://localhost:1".into())),
            ),
            (
                "listen.fapi",
                Box::new(|r| r.listen.fapi = "nowhere".into()),
            ),
            (
                "token_lifetime",
                Box::new(|r| r.sessions.token_lifetime_secs = 1),
            ),
            (
                "database_url",
                Box::new(|r| r.database_url = Some("mysql://x".to_owned().into())),
            ),
            (
                "sessions",
                Box::new(|r| {
                    r.sessions.max_lifetime_secs = 0;
                    r.sessions.inactivity_timeout_secs = 0;
                }),
            ),
        ];
        for (name, edit) in cases {
            let err = validate(edit).unwrap_err().to_string();
            assert!(err.contains(name), "{name}: {err}");
        }
    }

    #[test]
    fn debug_prints_no_encryption_key_or_database_password() {
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let mut raw = RawSettings::default();
        raw.keys.encryption_key = Some(key.to_owned());
        raw.database_url = Some("postgres://app:hunter2@db.example.com/h".to_owned().into());
        let settings = Settings::validate(raw.clone()).unwrap();
        let args = GlobalArgs {
            config: None,
            database_url: Some("postgres://app:hunter2@db/h".to_owned().into()),
            data_dir: None,
            fapi_addr: None,
            bapi_addr: None,
        };
        for debug in [
            format!("{raw:?}"),
            format!("{settings:?}"),
            format!("{:?}", raw.keys),
            format!("{args:?}"),
        ] {
            assert!(!debug.contains("hunter2"), "{debug}");
            assert!(!debug.contains(&key[..16]), "{debug}");
            assert!(debug.contains("postgres://app:***@db") || debug.contains("[redacted]"));
        }
        assert_eq!(
            settings
                .database_url
                .map(|u| u.expose().to_owned())
                .as_deref(),
            Some("postgres://app:hunter2@db.example.com/h"),
            "only its Debug is redacted"
        );
    }

    #[test]
    fn default_frontend_api_uses_loopback_for_wildcard_listeners() {
        let s = validate(|_| {}).unwrap();
        let f = s.frontend_api("0.0.0.0:7710".parse().unwrap()).unwrap();
        assert_eq!(f.origin(), "http://127.0.0.1:7710");
    }
}

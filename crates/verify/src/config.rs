//! What a [`Verifier`](crate::Verifier) checks and where it finds its keys.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The source of "now" for every time check (and for the key cache).
///
/// Any `Fn() -> SystemTime + Send + Sync` closure is a clock, which is how
/// tests freeze or move time; [`SystemClock`] is the default.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync + 'static,
{
    fn now(&self) -> SystemTime {
        self()
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    // The workspace forbids `SystemTime::now` so that time stays injectable:
    // this is the library's one reading of the real clock, used only when
    // the caller did not inject another `Clock`.
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// How a [`Verifier`](crate::Verifier) verifies: where the keys are, which
/// issuer and origins it accepts, and its time tolerances.
///
/// Build it with [`VerifierConfig::default`] (or [`VerifierConfig::frontend_api`]
/// / [`VerifierConfig::backend_api`]) and the chainable setters:
///
/// ```
/// use std::time::Duration;
/// use hallpass_verify::VerifierConfig;
///
/// let config = VerifierConfig::frontend_api("https://clerk.example.com")
///     .issuer("https://clerk.example.com")
///     .authorized_parties(["https://app.example.com"])
///     .leeway(Duration::from_secs(5));
/// assert_eq!(
///     config.jwks_url.as_deref(),
///     Some("https://clerk.example.com/.well-known/jwks.json"),
/// );
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct VerifierConfig {
    /// Where the JWKS is fetched: `<frontend api>/.well-known/jwks.json`
    /// (public) or `<backend api>/v1/jwks` (with [`secret_key`](Self::secret_key)).
    /// Required by [`Verifier::new`](crate::Verifier::new); unused by the
    /// static constructors.
    pub jwks_url: Option<String>,
    /// Sent as `Authorization: Bearer <secret_key>` when fetching the JWKS
    /// (the Backend API's `GET /v1/jwks` requires it). Never logged.
    pub secret_key: Option<String>,
    /// When set, a token's `iss` must equal it (a trailing `/` is ignored).
    pub issuer: Option<String>,
    /// When non-empty, a token's `azp` must be present and one of these
    /// origins (e.g. `https://app.example.com`).
    pub authorized_parties: Vec<String>,
    /// Tolerated clock skew for `exp`, `nbf` and `iat`, in whole seconds.
    /// Default 5 s.
    pub leeway: Duration,
    /// How long a fetched JWKS is used before it is fetched again. Default 1 h.
    pub cache_ttl: Duration,
    /// The least time between two fetches: a token with an unknown `kid`
    /// triggers a fetch at most this often. Default 10 s.
    pub min_refetch_interval: Duration,
    /// The time limit of one JWKS request. Default 10 s.
    pub fetch_timeout: Duration,
    /// The source of "now". Default [`SystemClock`].
    pub clock: Arc<dyn Clock>,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        Self {
            jwks_url: None,
            secret_key: None,
            issuer: None,
            authorized_parties: Vec::new(),
            leeway: Duration::from_secs(5),
            cache_ttl: Duration::from_secs(60 * 60),
            min_refetch_interval: Duration::from_secs(10),
            fetch_timeout: Duration::from_secs(10),
            clock: Arc::new(SystemClock),
        }
    }
}

impl fmt::Debug for VerifierConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierConfig")
            .field("jwks_url", &self.jwks_url)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("issuer", &self.issuer)
            .field("authorized_parties", &self.authorized_parties)
            .field("leeway", &self.leeway)
            .field("cache_ttl", &self.cache_ttl)
            .field("min_refetch_interval", &self.min_refetch_interval)
            .field("fetch_timeout", &self.fetch_timeout)
            .finish_non_exhaustive()
    }
}

impl VerifierConfig {
    /// The defaults, with the JWKS read from a Frontend API's public
    /// `/.well-known/jwks.json` (e.g. `http://127.0.0.1:7710` for a local
    /// `hallpass serve`).
    pub fn frontend_api(frontend_api_url: &str) -> Self {
        Self::default().jwks_url(format!(
            "{}/.well-known/jwks.json",
            frontend_api_url.trim_end_matches('/')
        ))
    }

    /// The defaults, with the JWKS read from a Backend API's `GET /v1/jwks`
    /// with a secret key (e.g. `http://127.0.0.1:7711` and `sk_…`).
    pub fn backend_api(backend_api_url: &str, secret_key: impl Into<String>) -> Self {
        Self::default()
            .jwks_url(format!("{}/v1/jwks", backend_api_url.trim_end_matches('/')))
            .secret_key(secret_key)
    }

    /// Sets [`jwks_url`](Self::jwks_url).
    #[must_use]
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }

    /// Sets [`secret_key`](Self::secret_key).
    #[must_use]
    pub fn secret_key(mut self, secret_key: impl Into<String>) -> Self {
        self.secret_key = Some(secret_key.into());
        self
    }

    /// Sets [`issuer`](Self::issuer).
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets [`authorized_parties`](Self::authorized_parties).
    #[must_use]
    pub fn authorized_parties<I, S>(mut self, parties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.authorized_parties = parties.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`leeway`](Self::leeway).
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Sets [`cache_ttl`](Self::cache_ttl).
    #[must_use]
    pub fn cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = ttl;
        self
    }

    /// Sets [`min_refetch_interval`](Self::min_refetch_interval).
    #[must_use]
    pub fn min_refetch_interval(mut self, interval: Duration) -> Self {
        self.min_refetch_interval = interval;
        self
    }

    /// Sets [`fetch_timeout`](Self::fetch_timeout).
    #[must_use]
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// Sets [`clock`](Self::clock).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }
}

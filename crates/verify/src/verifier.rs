//! The verifier: the key cache, its single-flight refresh, and `verify`.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use josekit::jws::RS256;

use crate::claims::SessionClaims;
use crate::config::VerifierConfig;
use crate::error::{ConfigError, VerifyError};
use crate::jwks::{self, Fetcher, Key, Keys};
use crate::token;

/// Verifies session tokens against a JWKS it fetches (and caches) or was
/// given.
///
/// Cheap to clone (an `Arc` inside): build one per process and share it.
/// See the [crate documentation](crate) for what is checked.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    config: VerifierConfig,
    /// `None` for static keys.
    fetcher: Option<Fetcher>,
    cache: RwLock<Arc<Cache>>,
    /// Held while a fetch is in flight: one fetch at a time, and the callers
    /// that waited use its result.
    refresh: tokio::sync::Mutex<RefreshState>,
}

#[derive(Debug, Default)]
struct Cache {
    keys: Keys,
    /// When these keys were fetched; `None` for static keys and before the
    /// first fetch.
    fetched_at: Option<SystemTime>,
    /// Bumped by each successful fetch.
    generation: u64,
}

#[derive(Debug, Default)]
struct RefreshState {
    last_attempt: Option<SystemTime>,
    /// The last attempt's failure, replayed to callers while refetching is
    /// rate-limited.
    last_error: Option<VerifyError>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cache = self.cache();
        let mut kids: Vec<&String> = cache.keys.keys().collect();
        kids.sort();
        f.debug_struct("Verifier")
            .field("config", &self.inner.config)
            .field("kids", &kids)
            .finish_non_exhaustive()
    }
}

/// `now - earlier`, or "forever" when the clock went backwards (so a clock
/// step never freezes the cache).
fn elapsed(now: SystemTime, earlier: SystemTime) -> Duration {
    now.duration_since(earlier).unwrap_or(Duration::MAX)
}

impl Verifier {
    /// A verifier that fetches the JWKS from `config.jwks_url` on first use,
    /// again when the cache is older than `cache_ttl`, and when a token
    /// names an unknown `kid` (at most once per `min_refetch_interval`).
    ///
    /// Makes no request itself; [`Verifier::refresh`] fetches eagerly.
    pub fn new(config: VerifierConfig) -> Result<Self, ConfigError> {
        let raw = config
            .jwks_url
            .as_deref()
            .ok_or(ConfigError::MissingJwksUrl)?;
        let url =
            reqwest::Url::parse(raw).map_err(|e| ConfigError::InvalidJwksUrl(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ConfigError::InvalidJwksUrl(format!(
                "{raw} is not an http(s) URL"
            )));
        }
        let client = reqwest::Client::builder()
            .timeout(config.fetch_timeout)
            .connect_timeout(config.fetch_timeout)
            // Fetches are rare (hourly, or on a new kid): no idle
            // connections, so none outlives the runtime that opened it.
            .pool_max_idle_per_host(0)
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("hallpass-verify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::HttpClient(e.to_string()))?;
        let fetcher = Fetcher {
            client,
            url,
            secret_key: config.secret_key.clone(),
        };
        Ok(Self::build(config, Some(fetcher), Keys::new()))
    }

    /// A verifier over a fixed JWKS (`{"keys":[…]}`), never fetching.
    /// Keys it cannot use (not RSA, another algorithm, shorter than 2048
    /// bits, no `kid`) are skipped; none usable is an error.
    pub fn from_jwks_json(jwks: &str, config: VerifierConfig) -> Result<Self, ConfigError> {
        let keys = jwks::parse(jwks.as_bytes()).map_err(ConfigError::InvalidKeys)?;
        Ok(Self::build(config, None, keys))
    }

    /// A verifier over one RSA public key in PEM (`PUBLIC KEY` or
    /// `RSA PUBLIC KEY`), pinned to RS256 and to `kid`, never fetching.
    pub fn from_pem(kid: &str, pem: &str, config: VerifierConfig) -> Result<Self, ConfigError> {
        if kid.is_empty() {
            return Err(ConfigError::InvalidKeys("the kid is empty".to_owned()));
        }
        let verifier = RS256
            .verifier_from_pem(pem.as_bytes())
            .map_err(|e| ConfigError::InvalidKeys(e.to_string()))?;
        let key = Key {
            alg: jwks::alg_name(RS256),
            verifier,
        };
        let keys = Keys::from([(kid.to_owned(), Arc::new(key))]);
        Ok(Self::build(config, None, keys))
    }

    fn build(config: VerifierConfig, fetcher: Option<Fetcher>, keys: Keys) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                fetcher,
                cache: RwLock::new(Arc::new(Cache {
                    keys,
                    fetched_at: None,
                    generation: 0,
                })),
                refresh: tokio::sync::Mutex::new(RefreshState::default()),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &VerifierConfig {
        &self.inner.config
    }

    /// Verifies a session token and returns its claims.
    ///
    /// In order: size and shape, header (`alg`, `typ`, `crit`, `kid`), the
    /// key by `kid` (fetching the JWKS if needed), the algorithm against the
    /// key's, the signature, then the claims (`cat`, `sub`, `exp`, `nbf`,
    /// `iat`, `sid`, `iss`, `azp`). The first failure is returned.
    pub async fn verify(&self, token: &str) -> Result<SessionClaims, VerifyError> {
        let header = token::parse_header(token)?;
        let key = self.key(&header.kid).await?;
        if key.alg != header.alg {
            return Err(VerifyError::UnsupportedAlgorithm);
        }
        let (payload, _) = josekit::jws::deserialize_compact(token, &key.verifier)
            .map_err(|_| VerifyError::InvalidSignature)?;
        token::check_claims(&header, &payload, &self.inner.config)
    }

    /// Fetches the JWKS now (unless a fetch happened less than
    /// `min_refetch_interval` ago), e.g. at start-up so the first request
    /// does not wait. Does nothing for static keys.
    pub async fn refresh(&self) -> Result<(), VerifyError> {
        let Some(fetcher) = &self.inner.fetcher else {
            return Ok(());
        };
        let generation = self.cache().generation;
        self.refresh_from(fetcher, generation).await.map(|_| ())
    }

    fn cache(&self) -> Arc<Cache> {
        Arc::clone(
            &self
                .inner
                .cache
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn now(&self) -> SystemTime {
        self.inner.config.clock.now()
    }

    /// The key for `kid`, fetching the JWKS when the cache is empty, stale,
    /// or does not know `kid`.
    async fn key(&self, kid: &str) -> Result<Arc<Key>, VerifyError> {
        let cache = self.cache();
        let Some(fetcher) = &self.inner.fetcher else {
            return cache.keys.get(kid).cloned().ok_or(VerifyError::UnknownKey);
        };
        let fresh = cache
            .fetched_at
            .is_some_and(|at| elapsed(self.now(), at) < self.inner.config.cache_ttl);
        if fresh && let Some(key) = cache.keys.get(kid) {
            return Ok(Arc::clone(key));
        }
        match self.refresh_from(fetcher, cache.generation).await {
            Ok(refreshed) => refreshed
                .keys
                .get(kid)
                .cloned()
                .ok_or(VerifyError::UnknownKey),
            // The endpoint is unreachable: the keys already fetched stay
            // usable (a key is removed from the JWKS only long after it
            // stopped signing).
            Err(e) => cache.keys.get(kid).cloned().ok_or(e),
        }
    }

    /// Single-flight, rate-limited fetch. `seen` is the cache generation
    /// the caller found wanting: if another caller refreshed since, its
    /// result is used without fetching again.
    async fn refresh_from(&self, fetcher: &Fetcher, seen: u64) -> Result<Arc<Cache>, VerifyError> {
        let mut state = self.inner.refresh.lock().await;
        let current = self.cache();
        if current.generation != seen {
            return Ok(current);
        }
        let now = self.now();
        if let Some(last) = state.last_attempt
            && elapsed(now, last) < self.inner.config.min_refetch_interval
        {
            return match &state.last_error {
                Some(e) => Err(e.clone()),
                None => Ok(current),
            };
        }
        state.last_attempt = Some(now);
        // Stays if this future is dropped mid-fetch.
        state.last_error = Some(VerifyError::Jwks("a fetch was interrupted".to_owned()));
        match fetcher.fetch().await {
            Ok(keys) => {
                tracing::debug!(url = %fetcher.url, keys = keys.len(), "JWKS fetched");
                let next = Arc::new(Cache {
                    keys,
                    fetched_at: Some(now),
                    generation: seen.wrapping_add(1),
                });
                *self
                    .inner
                    .cache
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Arc::clone(&next);
                state.last_error = None;
                Ok(next)
            }
            Err(e) => {
                tracing::warn!(error = %e, "JWKS fetch failed");
                state.last_error = Some(e.clone());
                Err(e)
            }
        }
    }
}

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use hallpass_adapter_jwt::JoseKeys;
use hallpass_adapter_sqlite::SqliteStore;
use hallpass_app::{Deps, Hallpass, InstanceConfig, KeyPolicy, Started};
use hallpass_domain::{Environment, FrontendApi, InstanceSettings, UnixMillis};
use hallpass_ports::{Clock, IdGenerator};

pub const T0: i64 = 1_700_000_000_000;

#[derive(Debug)]
pub struct TestClock(pub AtomicI64);

impl TestClock {
    pub fn advance(&self, d: Duration) {
        self.0
            .fetch_add(i64::try_from(d.as_millis()).unwrap(), Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> UnixMillis {
        UnixMillis::new(self.0.load(Ordering::SeqCst))
    }
}

/// Distinct values from a counter mixed with a per-test seed: enough for
/// ids in a test, and deterministic.
#[derive(Debug, Default)]
pub struct TestIds(AtomicU64);

impl IdGenerator for TestIds {
    fn random_u128(&self) -> u128 {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        u128::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    }
    fn fill(&self, buf: &mut [u8]) {
        for b in buf {
            *b = (self.random_u128() >> 64) as u8;
        }
    }
}

pub struct Env {
    pub app: Hallpass<SqliteStore, JoseKeys>,
    pub clock: Arc<TestClock>,
    pub started: Option<hallpass_app::NewSecretKey>,
    pub store: SqliteStore,
    _dir: tempfile::TempDir,
}

pub fn config(environment: Environment, settings: InstanceSettings) -> InstanceConfig {
    InstanceConfig {
        environment,
        frontend_api: FrontendApi::parse("https://clerk.example.com").unwrap(),
        settings,
        keys: KeyPolicy::default(),
        identity: hallpass_app::IdentityPolicy::default(),
    }
}

pub async fn start_on(
    store: SqliteStore,
    clock: Arc<TestClock>,
    config: InstanceConfig,
) -> Result<Started<SqliteStore, JoseKeys>, hallpass_app::StartError> {
    Hallpass::start(
        Deps {
            store,
            keys: JoseKeys::plain(),
            clock,
            ids: Arc::new(TestIds(AtomicU64::new(rand_seed()))),
            passwords: Arc::new(test_hasher()),
        },
        config,
    )
    .await
}

fn rand_seed() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

pub async fn env_with(settings: InstanceSettings) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
    let clock = Arc::new(TestClock(AtomicI64::new(T0)));
    let started = start_on(
        store.clone(),
        clock.clone(),
        config(Environment::Development, settings),
    )
    .await
    .unwrap();
    Env {
        app: started.app,
        clock,
        started: started.created_secret_key,
        store,
        _dir: dir,
    }
}

pub async fn env() -> Env {
    env_with(InstanceSettings::default()).await
}

/// Stores a user with this id (no profile) unless one exists: sign-ins
/// need an existing user.
pub async fn user_exists(env: &Env, id: &str) {
    use hallpass_ports::UserStore as _;
    let id = hallpass_domain::UserId::parse(id).unwrap();
    if env.store.find_user(&id).await.is_err() {
        env.store
            .insert_user(&hallpass_domain::User::adopt(id, env.clock.now()))
            .await
            .unwrap();
    }
}

/// The real password hasher, at OWASP's parameters, two at a time.
pub fn test_hasher() -> hallpass_adapter_password::Hasher {
    hallpass_adapter_password::Hasher::new(hallpass_adapter_password::HashingSettings {
        concurrency: 2,
        ..Default::default()
    })
    .unwrap()
}

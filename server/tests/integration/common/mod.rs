//! Test harness: an `AppState` on a fresh SQLite file (tempdir) or a fresh PostgreSQL database
//! (`DCC_TEST_DATABASE_URL`, default the loopback server), a fixed clock, and request helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod chrome;
pub mod logging;
pub mod registry;
pub mod web;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use secrecy::SecretString;
use serde_json::{json, Value};
use server::clock::FixedClock;
use server::mail::{MailError, Mailer};
use server::store::OutboxMessage;
use server::{AppState, Config, Overrides};
use sqlx::Connection as _;
use time::macros::datetime;
use tower::ServiceExt as _;

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database for one test.
pub struct TestDb {
    pub url: String,
    pg: Option<(String, String)>,
    dropped: std::sync::atomic::AtomicBool,
}

impl TestDb {
    pub async fn new(backend: Backend, dir: &std::path::Path) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb {
                url: format!("sqlite:{}", dir.join("test.db").display()),
                pg: None,
                dropped: Default::default(),
            },
            Backend::Postgres => {
                let admin = std::env::var("DCC_TEST_DATABASE_URL")
                    .unwrap_or_else(|_| DEFAULT_PG.to_string());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!(
                        "PostgreSQL is not reachable at {admin} ({e}); start it (.ci/run does) \
                         or set DCC_TEST_DATABASE_URL"
                    )
                    });
                let name = format!("dcc_test_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create the test database");
                conn.close().await.ok();
                let base = admin.split('?').next().unwrap();
                let (prefix, _) = base.rsplit_once('/').expect("a database URL with a path");
                TestDb {
                    url: format!("{prefix}/{name}"),
                    pg: Some((admin, name)),
                    dropped: Default::default(),
                }
            }
        }
    }

    /// Drops the PostgreSQL database (connections are ended by FORCE).
    pub async fn drop_db(&self) {
        if let Some((admin, name)) = &self.pg {
            drop_pg(admin, name).await.expect("drop the test database");
            self.dropped
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

async fn drop_pg(admin: &str, name: &str) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// A test that panicked (or returned without `finish`) still leaves no database behind: the
/// drop runs on a thread of its own, outside the test's runtime.
impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        if self.dropped.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(drop_pg(&admin, &name)).ok()
        })
        .join();
        if !matches!(done, Ok(Some(()))) {
            eprintln!("could not drop a PostgreSQL test database");
        }
    }
}

/// Mail captured in memory.
#[derive(Default)]
pub struct CaptureMailer {
    pub sent: Mutex<Vec<(i64, String, String)>>,
    /// Recipient and body of each message.
    pub bodies: Mutex<Vec<(String, String)>>,
    pub fail: Mutex<bool>,
}

#[async_trait]
impl Mailer for CaptureMailer {
    async fn send(&self, m: &OutboxMessage) -> Result<(), MailError> {
        if *self.fail.lock().unwrap() {
            return Err(MailError("the test mailer refuses".into()));
        }
        self.sent
            .lock()
            .unwrap()
            .push((m.id, m.recipient.clone(), m.subject.clone()));
        self.bodies
            .lock()
            .unwrap()
            .push((m.recipient.clone(), m.body.clone()));
        Ok(())
    }
}

/// Captures SMS the outbox worker sends.
#[derive(Default)]
pub struct CaptureSms {
    pub sent: Mutex<Vec<(String, String)>>,
}

#[async_trait]
impl server::sms::Sms for CaptureSms {
    async fn send(&self, to: &str, text: &SecretString) -> Result<(), server::sms::SmsError> {
        use secrecy::ExposeSecret as _;
        self.sent
            .lock()
            .unwrap()
            .push((to.to_string(), text.expose_secret().to_string()));
        Ok(())
    }
}

pub struct Harness {
    pub app: AppState,
    pub sms: Arc<CaptureSms>,
    pub dir: tempfile::TempDir,
    pub clock: Arc<FixedClock>,
    pub mailer: Arc<CaptureMailer>,
    pub db: TestDb,
    pub token: String,
    pub backend: Backend,
}

pub fn config(dir: &std::path::Path, url: &str, extra: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = [
        ("DCC_DATA_DIR".to_string(), dir.display().to_string()),
        ("DATABASE_URL".to_string(), url.to_string()),
    ]
    .into();
    for (k, v) in extra {
        env.insert((*k).to_string(), (*v).to_string());
    }
    Config::load(None, &env).expect("config")
}

/// The answer of every captcha the harness draws (SECURITY.md: captcha answers are injectable).
pub const CAPTCHA: &str = "24680";

/// Real pictures whose answer is always [`CAPTCHA`].
pub fn known_captcha() -> server::captcha::CaptchaSource {
    Arc::new(|| {
        let mut c = server::captcha::new_challenge()?;
        c.answer = CAPTCHA.to_string();
        Ok(c)
    })
}

pub const NOW: time::OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

/// Birth numbers: identified in the registry, and not.
pub const BN_IDENTIFIED: &str = "736028/0004";
pub const BN_OTHER: &str = "640812/0004";
pub const BN_UNKNOWN: &str = "805512/0007";

impl Harness {
    pub async fn new(backend: Backend) -> Harness {
        Self::with(backend, &[], true).await
    }

    /// A harness whose configuration gets `extra` variables; `capture` swaps in the in-memory
    /// mailer (otherwise the configured SMTP host is used).
    pub async fn with(backend: Backend, extra: &[(&str, &str)], capture: bool) -> Harness {
        Self::with_config(backend, extra, capture, |_| {}).await
    }

    /// [`Harness::with`], the loaded configuration changed by `edit` (what no variable sets,
    /// such as `[issuer.tokens]`).
    pub async fn with_config(
        backend: Backend,
        extra: &[(&str, &str)],
        capture: bool,
        edit: impl FnOnce(&mut Config),
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(backend, dir.path()).await;
        let clock = Arc::new(FixedClock::new(NOW));
        let mailer = Arc::new(CaptureMailer::default());
        let sms = Arc::new(CaptureSms::default());
        let overrides = Overrides {
            mailer: capture.then(|| mailer.clone() as Arc<dyn Mailer>),
            sms: Some(sms.clone()),
            captcha: Some(known_captcha()),
        };
        let mut cfg = config(dir.path(), &db.url, extra);
        edit(&mut cfg);
        let (app, _) = AppState::open(cfg, clock.clone(), overrides)
            .await
            .expect("open the state");
        let h = Harness {
            app,
            sms,
            dir,
            clock,
            mailer,
            db,
            token: String::new(),
            backend,
        };
        h.setup().await
    }

    /// A second server instance on the same database and data directory, with its own mailer.
    pub async fn second_instance(&self, mailer: Arc<CaptureMailer>) -> AppState {
        let cfg = self.app.config.as_ref().clone();
        let overrides = Overrides {
            mailer: Some(mailer),
            sms: None,
            captcha: Some(known_captcha()),
        };
        AppState::open(cfg, self.clock.clone(), overrides)
            .await
            .expect("open the second instance")
            .0
    }

    /// An organisation with a token, and a registry with two identified persons.
    async fn setup(mut self) -> Harness {
        let cfg = self.app.config.as_ref().clone();
        let now = NOW.unix_timestamp();
        server::admin::create_org(&cfg, "25596641", "Nemocnice Test", now)
            .await
            .unwrap();
        self.token = server::admin::create_token(&cfg, "25596641", now)
            .await
            .unwrap()
            .token;
        let csv = self.dir.path().join("persons.csv");
        std::fs::write(
            &csv,
            // The identified person with names and date of birth (the registry is the identity
            // source), and one the registry knows only by number.
            format!(
                "birth_number,id_card,family_name,given_name,dob\n\
                 {BN_IDENTIFIED},AB123456,Dvořáková,Anežka,1973-10-28\n{BN_OTHER},,,,\n"
            ),
        )
        .unwrap();
        let n = server::admin::import_registry(&cfg, &csv, now)
            .await
            .unwrap();
        assert_eq!(n, 2);
        self
    }

    pub fn clock_now(&self) -> i64 {
        use server::clock::Clock as _;
        self.clock.now().unix_timestamp()
    }

    pub async fn finish(self) {
        self.db.drop_db().await;
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
        send(&self.app, req).await
    }

    pub fn post_record(&self, body: &Value, key: Option<&str>) -> Request<Body> {
        let mut b = Request::post("/api/v1/records")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", self.token));
        if let Some(k) = key {
            b = b.header("idempotency-key", k);
        }
        b.body(Body::from(body.to_string())).unwrap()
    }

    pub fn get_auth(&self, uri: &str) -> Request<Body> {
        Request::get(uri)
            .header("authorization", format!("Bearer {}", self.token))
            .body(Body::empty())
            .unwrap()
    }
}

pub async fn send(
    app: &AppState,
    req: Request<Body>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let resp = server::app(app.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).to_string()))
    };
    (status, body, headers)
}

/// The date of birth a birth number encodes, as the DCC writes it (for a malformed number, which
/// tests send to see it refused, any date).
pub fn dob_of(bn: &str) -> String {
    server::validate::birth_number_and_date(bn)
        .map_or_else(|_| "1973-10-28".to_string(), |(_, born)| born.to_string())
}

/// The revocation path of a certificate: its UVCI as one path segment. `#` would start the URI's
/// fragment, and the check character is `/` for one UVCI in 38 (a flaky 404 in CI once).
pub fn revoke_path(uvci: &str) -> String {
    let segment = uvci
        .replace('%', "%25")
        .replace('#', "%23")
        .replace('/', "%2F");
    format!("/api/v1/certificates/{segment}/revoke")
}

pub fn person(bn: &str, email: Option<&str>) -> Value {
    let mut p = json!({
        "birth_number": bn,
        "id_card": "AB123456",
        "family_name": "Dvořáková",
        "given_name": "Anežka",
        "dob": dob_of(bn),
        "phone": "+420601123456"
    });
    if let Some(e) = email {
        p["email"] = Value::from(e);
    }
    p
}

pub fn vaccination(bn: &str, dn: u64, sd: u64, dt: &str, email: Option<&str>) -> Value {
    json!({
        "person": person(bn, email),
        "v": {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
              "dn": dn, "sd": sd, "dt": dt}
    })
}

pub fn test_record(bn: &str, sc: &str, email: Option<&str>) -> Value {
    json!({
        "person": person(bn, email),
        "t": {"tg": "840539006", "tt": "LP6464-4", "nm": "Roche LightCycler qPCR", "sc": sc,
              "tr": "260415000", "tc": "Odběrové místo Praha 4"}
    })
}

/// The same test body for SQLite and PostgreSQL.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await;
            }
        }
    };
}

pub fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

/// A log sink for `tracing_subscriber`: everything the server logs, for leak checks.
#[derive(Clone, Default)]
pub struct Sink(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    /// From now on, this sink receives every line logged in the process, at every level
    /// ([`logging::register`]: one global subscriber per test binary).
    pub fn install(&self) {
        logging::register(self);
    }

    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// `pg_dump --data-only --inserts` of a PostgreSQL test database: what a backup would hold.
pub fn pg_dump(url: &str) -> Vec<u8> {
    let out = std::process::Command::new("pg_dump")
        .args(["--data-only", "--inserts", url])
        .output()
        .expect("pg_dump (postgresql-client) is installed");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

impl Harness {
    /// The database as a thief of the disk or a backup would see it: the SQLite file and its
    /// write-ahead log (checkpointed first, both read anyway), or a `pg_dump` of the database.
    pub async fn raw_database_bytes(&self) -> Vec<u8> {
        match self.backend {
            Backend::Postgres => pg_dump(&self.db.url),
            Backend::Sqlite => {
                let path = self.dir.path().join("test.db");
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                        .await
                        .expect("open the SQLite file");
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&mut conn)
                    .await
                    .expect("checkpoint");
                conn.close().await.ok();
                let mut bytes = std::fs::read(&path).expect("the SQLite file");
                let wal = self.dir.path().join("test.db-wal");
                if wal.exists() {
                    bytes.extend(std::fs::read(&wal).expect("the WAL file"));
                }
                assert!(bytes.len() > 10_000, "the database holds the data");
                bytes
            }
        }
    }
}

/// One column (`subject`, `detail`) of the audit events of a type, oldest first, read from the
/// database.
pub async fn audit_column(h: &Harness, column: &str, event: &str) -> Vec<Option<String>> {
    let sql = format!("SELECT {column} FROM audit_log WHERE event = $1 ORDER BY id");
    match h.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&h.db.url).await.unwrap();
            sqlx::query_scalar(&sql)
                .bind(event)
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&h.db.url).await.unwrap();
            sqlx::query_scalar(&sql)
                .bind(event)
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
    }
}

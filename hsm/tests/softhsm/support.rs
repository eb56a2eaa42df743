//! A SoftHSM store in a temporary directory, set up once per process before the module's
//! `C_Initialize`, and a fresh token per test.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use cryptoki::session::UserType;
use hcert::crypto::Algorithm;
use hcert::CertType;
use hsm::{Module, Token};
use issuer::keys::KeyOptions;
use secrecy::SecretString;
use tempfile::TempDir;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// Where Debian's softhsm2 package puts the module.
pub const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// Every test token's user PIN.
pub const PIN: &str = "pin-4711-user";
const SO_PIN: &str = "pin-0815-so";

/// The issue instant of the tests.
pub const NOW: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

/// The store's directory, alive as long as the process.
static STORE: OnceLock<TempDir> = OnceLock::new();
/// Tokens are initialised one at a time: each takes SoftHSM's one free slot.
static INIT: Mutex<()> = Mutex::new(());

pub fn pin() -> SecretString {
    SecretString::from(PIN)
}

/// The SoftHSM module, over a store of this process's own. Fails (never skips) without
/// SoftHSM.
pub fn module() -> Module {
    assert!(
        Path::new(SOFTHSM).exists(),
        "SoftHSM is not installed ({SOFTHSM} is missing): install the softhsm2 package \
         (apt-get install softhsm2) to run the hsm tests"
    );
    STORE.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("softhsm-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        // Before the first C_Initialize of the process, which happens in Module::open below.
        std::env::set_var("SOFTHSM2_CONF", &conf);
        dir
    });
    Module::open(SOFTHSM).unwrap()
}

/// Initialises a token labelled `label` in SoftHSM's free slot, with a user PIN, and leaves it
/// logged out.
pub fn init_token(label: &str) -> Module {
    let module = module();
    let _one_at_a_time = INIT.lock().unwrap_or_else(|e| e.into_inner());
    let context = module.context();
    let free = context
        .get_slots_with_token()
        .unwrap()
        .into_iter()
        .find(|slot| !context.get_token_info(*slot).unwrap().token_initialized())
        .expect("SoftHSM offers a slot with an uninitialised token");
    let so_pin = SecretString::from(SO_PIN);
    context.init_token(free, &so_pin, label).unwrap();
    // SoftHSM gives an initialised token a new slot id: look it up by label again.
    let slot = module.slot(label).unwrap();
    let session = context.open_rw_session(slot).unwrap();
    session.login(UserType::So, Some(&so_pin)).unwrap();
    session.init_pin(&pin()).unwrap();
    session.logout().unwrap();
    module
}

/// A fresh token labelled `label`, logged in.
pub fn token(label: &str) -> Token {
    init_token(label).token(label, &pin()).unwrap()
}

/// Options of a development DSC for `alg`, as `dcc keys generate` would make it.
pub fn dsc_options(alg: Algorithm, types: Vec<CertType>) -> KeyOptions {
    KeyOptions {
        alg,
        rsa_bits: 3072,
        types,
        country: "CZ".into(),
        now: NOW - Duration::days(10),
        dsc_days: 365,
        usage_days: 183,
    }
}

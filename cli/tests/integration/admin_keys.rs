//! `dcc admin keys` (issue #22): each command refuses bad input with a message naming it and
//! changes nothing (an unknown kid, a DSC outside the configured CSCA, a key that is not the
//! DSC's, types outside its EKU, activation before the lead time, retiring the last active
//! identity of a type, `--at` outside development mode); and two `dcc serve` instances on one
//! PostgreSQL database follow a key change made through the CLI without restarting.

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::common::{dcc_in, p, text};

/// Runs `dcc admin keys ARGS` in `cwd` with `env`.
fn keys(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["admin", "keys"];
    all.extend_from_slice(args);
    dcc_in(cwd, &all, env).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Exit code 2 and the message on standard error.
fn refused(out: &Output, says: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}\n{err}", text(&out.stdout));
    assert!(err.contains(says), "expected {says:?} in: {err}");
}

fn kid_of(pem_file: &Path) -> String {
    let pem = pem::parse(std::fs::read(pem_file).unwrap()).unwrap();
    base64::engine::general_purpose::STANDARD.encode(&Sha256::digest(pem.contents())[..8])
}

/// `dcc keys generate --out DIR` with `extra` arguments.
fn generate(cwd: &Path, dir: &Path, extra: &[&str]) {
    let mut args = vec!["keys", "generate", "--out", p(dir)];
    args.extend_from_slice(extra);
    ok(&dcc_in(cwd, &args, &[]).output().unwrap());
}

/// A PEM bundle of the CSCAs in `dirs`, written to `to`.
fn bundle(to: &Path, dirs: &[&Path]) -> PathBuf {
    let mut all = String::new();
    for d in dirs {
        all.push_str(&std::fs::read_to_string(d.join("csca.pem")).unwrap());
    }
    std::fs::write(to, all).unwrap();
    to.to_path_buf()
}

/// The `list` line of `kid`.
fn line_of<'a>(list: &'a str, kid: &str) -> &'a str {
    list.lines()
        .find(|l| l.contains(kid))
        .unwrap_or_else(|| panic!("{kid} not listed:\n{list}"))
}

#[test]
fn admin_keys_check_everything_and_change_only_what_they_say() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    // The seed opens the service: the development key becomes the first identity.
    ok(&dcc_in(cwd, &["admin", "dev", "seed"], &[])
        .output()
        .unwrap());
    let dev = cwd.join("dcc-data/keys");
    let a = kid_of(&dev.join("dsc.pem"));
    let b_dir = cwd.join("b");
    generate(cwd, &b_dir, &["--types", "v"]);
    let b = kid_of(&b_dir.join("dsc.pem"));
    let list = ok(&keys(cwd, &["list"], &[]));
    assert!(
        line_of(&list, &a).contains("\tactive\tvtr\tyes\t"),
        "{list}"
    );

    let b_cert = b_dir.join("dsc.pem");
    let b_key = b_dir.join("dsc.key");
    let add = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["add", "--cert", p(&b_cert)];
        args.extend_from_slice(extra);
        keys(cwd, &args, env)
    };
    // B's CSCA is not the configured one (dcc-data/keys/csca.pem).
    refused(
        &add(&["--key", p(&b_key)], &[]),
        "does not chain to the CSCA",
    );
    let cscas = bundle(&cwd.join("cscas.pem"), &[&dev, &b_dir]);
    let with_cscas = [("DCC_CSCA_FILE", p(&cscas))];
    refused(
        &add(&["--key", p(&dev.join("dsc.key"))], &with_cscas),
        "the key does not serve this certificate",
    );
    refused(
        &add(&["--key", p(&b_key), "--types", "v,t"], &with_cscas),
        "may not sign test certificates",
    );
    refused(
        &add(&["--key", p(&b_key), "--types", "x"], &with_cscas),
        "--types",
    );
    // Nothing was added by the refusals.
    assert!(!ok(&keys(cwd, &["list"], &[])).contains(&b));

    let added = ok(&add(
        &["--key", p(&b_key), "--operator", "ops"],
        &with_cscas,
    ));
    assert!(added.contains(&format!("added {b} (pending)")), "{added}");
    refused(&add(&["--key", p(&b_key)], &with_cscas), "on file already");
    let list = ok(&keys(cwd, &["list"], &[]));
    assert!(line_of(&list, &b).contains("\tpending\tv\tyes\t"), "{list}");

    // Activation: not before the lead time; `--at` acts later, in development mode only.
    refused(&keys(cwd, &["activate", &b], &[]), "48 h lead time");
    // The command reads the wall clock; so does the test, for the time it asks for.
    #[allow(clippy::disallowed_methods)]
    let later = (time::OffsetDateTime::now_utc() + time::Duration::hours(49))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    refused(
        &keys(
            cwd,
            &["activate", &b, "--at", &later],
            &[("DCC_MODE", "production")],
        ),
        "only in development mode",
    );
    refused(
        &keys(cwd, &["activate", &b, "--at", "tomorrow"], &[]),
        "RFC 3339",
    );
    refused(
        &keys(cwd, &["activate", "AAAAAAAAAAA="], &[]),
        "no signer certificate has the kid",
    );
    refused(
        &keys(cwd, &["activate", "not a kid"], &[]),
        "neither base64",
    );
    let activated = ok(&keys(cwd, &["activate", &b, "--at", &later], &[]));
    assert!(
        activated.contains(&format!("activated {b} (active)")),
        "{activated}"
    );
    refused(
        &keys(cwd, &["activate", &b], &[]),
        "only a pending identity",
    );

    // A is the last active identity for tests and recoveries (B signs vaccinations only).
    refused(
        &keys(cwd, &["retire", &a], &[]),
        "last active identity for test, recovery",
    );
    refused(&keys(cwd, &["withdraw", &b], &[]), "--reason");
    let withdrawn = ok(&keys(cwd, &["withdraw", &b, "--reason", "test"], &[]));
    assert!(withdrawn.contains("reissue --from"), "{withdrawn}");
    refused(
        &keys(cwd, &["withdraw", &b, "--reason", "again"], &[]),
        "withdrawn already",
    );
    refused(&keys(cwd, &["reissue", "--from", &a], &[]), "is active");
    let reissued = ok(&keys(cwd, &["reissue", "--from", &b], &[]));
    assert!(
        reissued.contains("re-issued 0 certificate(s)"),
        "{reissued}"
    );
    let list = ok(&keys(cwd, &["list"], &[]));
    assert!(
        line_of(&list, &b).contains("\twithdrawn\tv\tno\t"),
        "{list}"
    );
    assert!(
        line_of(&list, &a).contains("\tactive\tvtr\tyes\t"),
        "{list}"
    );
}

/// A `dcc serve` child, killed when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh PostgreSQL database on the test server (DESIGN.md "PostgreSQL in tests"), dropped
/// with the value.
struct Database {
    base: String,
    name: String,
    url: String,
}

impl Database {
    fn psql(base: &str, sql: &str) -> Output {
        std::process::Command::new("psql")
            .args([base, "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .expect("psql (postgresql-client) must be installed; .ci/run installs it")
    }

    fn create(name: &str) -> Database {
        let base = std::env::var("DCC_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            let out = Self::psql(&base, &sql);
            assert!(
                out.status.success(),
                "{sql} (is PostgreSQL up on 127.0.0.1:5432?): {}",
                text(&out.stderr)
            );
        }
        let (prefix, _) = base.rsplit_once('/').unwrap();
        Database {
            url: format!("{prefix}/{name}"),
            name: name.to_string(),
            base,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = Self::psql(
            &self.base,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

async fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !reqwest::get(format!("{base}/health"))
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(Instant::now() < deadline, "{base} does not answer /health");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn published(base: &str) -> Vec<String> {
    let mut kids: Vec<String> = reqwest::get(format!("{base}/signercertificateStatus"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    kids.sort();
    kids
}

/// Waits until `base` publishes exactly `want`; the refresh interval is 1 s here.
async fn until_published(base: &str, want: &[&str]) {
    let mut want: Vec<String> = want.iter().map(|s| (*s).to_string()).collect();
    want.sort();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = published(base).await;
        if now == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{base} publishes {now:?}, not {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn record(base: &str, token: &str, sc: &str) -> serde_json::Value {
    let body = serde_json::json!({
        "person": {"birth_number": "736028/0004", "id_card": "AB123456",
                   "family_name": "Dvořáková", "given_name": "Anežka", "dob": "1973-10-28"},
        "t": {"tg": "840539006", "tt": "LP6464-4", "nm": "Roche LightCycler qPCR", "sc": sc,
              "tr": "260415000", "tc": "Odběrové místo Praha 4"}
    });
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/records"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

fn kid_of_hc1(hc1: &str) -> String {
    let cose = hcert::hc1::unwrap(hc1).unwrap();
    let kid = hcert::cose::Sign1::parse(&cose).unwrap().kid.unwrap();
    base64::engine::general_purpose::STANDARD.encode(kid)
}

#[tokio::test]
async fn two_instances_on_postgres_follow_a_key_change_made_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path().to_path_buf();
    let db = Database::create(&format!("dcc_cli_keys_{}", std::process::id()));
    let url = db.url.clone();
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("DCC_KEY_REFRESH_SECS", "1"),
    ];
    let run = |args: &[&str]| ok(&dcc_in(&cwd, args, &env).output().unwrap());
    // Instance one makes the development keys and the first identity; instance two shares them.
    let (p1, p2) = (free_port(), free_port());
    let spawn = |port: u16| {
        Serve(
            dcc_in(
                &cwd,
                &["serve", "--listen", &format!("127.0.0.1:{port}")],
                &env,
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        )
    };
    let one = spawn(p1);
    let (b1, b2) = (
        format!("http://127.0.0.1:{p1}"),
        format!("http://127.0.0.1:{p2}"),
    );
    wait_healthy(&b1).await;
    let two = spawn(p2);
    wait_healthy(&b2).await;
    run(&[
        "admin",
        "org",
        "create",
        "--ico",
        "25596641",
        "--name",
        "Nemocnice Test",
    ]);
    let token = run(&["admin", "token", "create", "--org", "25596641"])
        .trim()
        .to_string();
    let csv = cwd.join("persons.csv");
    std::fs::write(
        &csv,
        "birth_number,id_card,family_name,given_name,dob\n736028/0004,AB123456,Dvořáková,Anežka,1973-10-28\n",
    )
    .unwrap();
    run(&["admin", "registry", "import", p(&csv)]);

    let dev = cwd.join("dcc-data/keys");
    let a = kid_of(&dev.join("dsc.pem"));
    until_published(&b1, &[&a]).await;
    until_published(&b2, &[&a]).await;
    let first = record(&b2, &token, "2026-01-01T08:00:00Z").await;
    assert_eq!(kid_of_hc1(first["certificate"]["hc1"].as_str().unwrap()), a);

    // Through the CLI: B added and activated at once, A retired.
    let b_dir = cwd.join("b");
    generate(&cwd, &b_dir, &[]);
    let b = kid_of(&b_dir.join("dsc.pem"));
    let cscas = bundle(&cwd.join("cscas.pem"), &[&dev, &b_dir]);
    let with_cscas: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .chain([("DCC_CSCA_FILE", p(&cscas))])
        .collect();
    let b_cert = b_dir.join("dsc.pem");
    let b_key = b_dir.join("dsc.key");
    ok(&keys(
        &cwd,
        &["add", "--cert", p(&b_cert), "--key", p(&b_key)],
        &with_cscas,
    ));
    until_published(&b1, &[&a, &b]).await;
    until_published(&b2, &[&a, &b]).await;
    ok(&keys(&cwd, &["activate", &b, "--now"], &env));
    ok(&keys(&cwd, &["retire", &a], &env));
    // Both instances sign with B without a restart (within the refresh interval); A stays
    // published for the certificate it signed.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut n = 0;
    for base in [&b1, &b2] {
        loop {
            // Each record its own (the UVCI comes from the record's content).
            n += 1;
            let sc = format!("2026-01-02T{:02}:{:02}:00Z", n / 60, n % 60);
            let created = record(base, &token, &sc).await;
            let kid = kid_of_hc1(created["certificate"]["hc1"].as_str().unwrap());
            if kid == b {
                break;
            }
            assert!(Instant::now() < deadline, "{base} still signs with {kid}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    until_published(&b1, &[&a, &b]).await;

    // A withdrawn: both leave it out of their lists within the interval.
    ok(&keys(&cwd, &["withdraw", &a, "--reason", "test"], &env));
    until_published(&b1, &[&b]).await;
    until_published(&b2, &[&b]).await;
    drop((one, two));
}

#[test]
fn keys_made_in_a_softhsm_token_are_added_by_label() {
    const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
    assert!(
        Path::new(SOFTHSM).exists(),
        "SoftHSM is not installed ({SOFTHSM} is missing): apt-get install softhsm2 (.ci/run does)"
    );
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let tokens = cwd.join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = cwd.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\n",
            p(&tokens)
        ),
    )
    .unwrap();
    let init = std::process::Command::new("softhsm2-util")
        .args([
            "--init-token",
            "--free",
            "--label",
            "dcc",
            "--pin",
            "4711-4711",
            "--so-pin",
            "0815-0815",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .output()
        .expect("softhsm2-util");
    assert!(init.status.success(), "{}", text(&init.stderr));
    std::fs::write(
        cwd.join("dcc.toml"),
        format!("[issuer.tokens.dcc]\nmodule = \"{SOFTHSM}\"\npin_env = \"DCC_TEST_PIN\"\n"),
    )
    .unwrap();
    let env = [("SOFTHSM2_CONF", p(&conf)), ("DCC_TEST_PIN", "4711-4711")];
    ok(&dcc_in(cwd, &["admin", "dev", "seed"], &env)
        .output()
        .unwrap());

    // A CSR for the CSCA, and a development DSC; the same label twice is refused.
    let csr = cwd.join("b.csr");
    let made = ok(&keys(
        cwd,
        &[
            "generate",
            "--pkcs11",
            "--token",
            "dcc",
            "--key-label",
            "dsc-a",
            "--csr",
            p(&csr),
        ],
        &env,
    ));
    assert!(made.contains("made key dsc-a in token dcc"), "{made}");
    assert!(std::fs::read_to_string(&csr)
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    let dsc = cwd.join("b.pem");
    ok(&keys(
        cwd,
        &[
            "generate",
            "--pkcs11",
            "--token",
            "dcc",
            "--key-label",
            "dsc-b",
            "--alg",
            "ps256",
            "--types",
            "v",
            "--dev-dsc",
            p(&dsc),
        ],
        &env,
    ));
    refused(
        &keys(
            cwd,
            &[
                "generate",
                "--pkcs11",
                "--token",
                "dcc",
                "--key-label",
                "dsc-b",
                "--dev-dsc",
                p(&dsc),
            ],
            &env,
        ),
        "dsc-b",
    );
    refused(
        &keys(
            cwd,
            &[
                "generate",
                "--pkcs11",
                "--token",
                "nope",
                "--key-label",
                "k",
                "--csr",
                p(&csr),
            ],
            &env,
        ),
        "token nope is not configured",
    );
    // The DSC of one token key does not take another one's key.
    refused(
        &keys(
            cwd,
            &[
                "add",
                "--cert",
                p(&dsc),
                "--token",
                "dcc",
                "--key-label",
                "dsc-a",
            ],
            &env,
        ),
        "the key does not serve this certificate",
    );
    let b = kid_of(&dsc);
    let added = ok(&keys(
        cwd,
        &[
            "add",
            "--cert",
            p(&dsc),
            "--token",
            "dcc",
            "--key-label",
            "dsc-b",
        ],
        &env,
    ));
    assert!(added.contains(&format!("added {b} (pending)")), "{added}");
    ok(&keys(cwd, &["activate", &b, "--now"], &env));
    let list = ok(&keys(cwd, &["list"], &env));
    assert!(
        line_of(&list, &b).contains("\tactive\tv\tyes\t")
            && list.contains("pkcs11:token=dcc;object=dsc-b"),
        "{list}"
    );
}

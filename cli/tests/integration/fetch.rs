//! `dcc trust-list fetch` against a real `dcc serve` over HTTP: the list is stored when its
//! signature verifies against the pinned certificate; a wrong pin, a body that is not a signed
//! list, an error answer or an unreachable server leave the stored list untouched. The DGCA
//! verifier API of the same server is read with `--csca`; `--trust-list-ca` accepts the list
//! of any signer a given trust-list CA issued.

use crate::common;

use common::{dcc, p, text};

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `dcc serve` on a free loopback port; killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(data: &Path) -> Server {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_dcc"))
            .args([
                "serve",
                "--listen",
                &addr.to_string(),
                "--data-dir",
                p(data),
            ])
            .env("DCC_OUTBOX_WORKER", "false")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dcc serve");
        // The port is bound before the keys are made: wait for an answer, not a connection.
        let started = Instant::now();
        while !answers_health(addr) {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "dcc serve did not answer /health"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Server { child, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Whether `GET /health` answers 200 (within 60 s of connecting).
fn answers_health(addr: SocketAddr) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(60)));
    let mut answer = String::new();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .is_ok()
        && s.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fetch(url: &str, pin: &Path, out: &Path) -> Output {
    dcc(&[
        "trust-list",
        "fetch",
        url,
        "--trust-list-cert",
        p(pin),
        "--out",
        p(out),
    ])
}

#[test]
fn fetch_checks_the_pin_and_never_replaces_a_good_list() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&data);
    let pin = data.join("keys/trust-list.pem");
    let out = tmp.path().join("trust-list.jws");

    let ok = fetch(&server.url("/trust-list"), &pin, &out);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("1 signer certificates"));
    let good = std::fs::read(&out).unwrap();
    // What was stored is what `dcc verify` takes: a certificate the server's DSC signs verifies.
    let hc1 = dcc(&[
        "issue",
        "--key",
        p(&data.join("keys/dsc.key")),
        "--cert",
        p(&data.join("keys/dsc.pem")),
        "--record",
        p(&fixtures::path("records/vaccination.json")),
    ]);
    assert!(hc1.status.success(), "{}", text(&hc1.stderr));
    let verified = dcc(&[
        "verify",
        "--trust-list",
        p(&out),
        "--trust-list-cert",
        p(&pin),
        text(&hc1.stdout).trim(),
    ]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stdout)
    );

    // A pin of another installation: refused, the list in place stays.
    let other = tmp.path().join("other");
    let keys = dcc(&["keys", "generate", "--out", p(&other)]);
    assert!(keys.status.success(), "{}", text(&keys.stderr));
    let wrong = fetch(
        &server.url("/trust-list"),
        &other.join("trust-list.pem"),
        &out,
    );
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stdout));
    assert!(
        text(&wrong.stderr).contains("does not verify"),
        "{}",
        text(&wrong.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), good);

    // Not a signed list, an error status, nobody listening: refused, nothing replaced.
    for (url, says) in [
        (server.url("/health"), "does not verify"),
        (server.url("/no-such-list"), "404"),
        (
            "http://127.0.0.1:9/trust-list".to_string(),
            "cannot download",
        ),
        ("file:///etc/passwd".to_string(), "only http"),
    ] {
        let out_ = fetch(&url, &pin, &out);
        assert_ne!(out_.status.code(), Some(0), "{url}");
        assert!(
            text(&out_.stderr).contains(says),
            "{url}: {}",
            text(&out_.stderr)
        );
        assert_eq!(std::fs::read(&out).unwrap(), good, "{url}");
    }

    // Rollback: a newer list in place (signed with the same key, dated an hour after the server
    // signed its list at start-up) is not replaced by the server's older one unless asked.
    // The server under test signed its list with the real clock.
    #[allow(clippy::disallowed_methods)]
    let later = (time::OffsetDateTime::now_utc() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let built = dcc(&[
        "trust-list",
        "build",
        "--cert",
        p(&data.join("keys/dsc.pem")),
        "--sign-key",
        p(&data.join("keys/trust-list.key")),
        "--sign-cert",
        p(&pin),
        "--out",
        p(&out),
        "--at",
        &later,
    ]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let newer = std::fs::read(&out).unwrap();
    let older = fetch(&server.url("/trust-list"), &pin, &out);
    assert_eq!(older.status.code(), Some(1));
    assert!(
        text(&older.stderr).contains("kept the newer"),
        "{}",
        text(&older.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), newer);
    let forced = dcc(&[
        "trust-list",
        "fetch",
        &server.url("/trust-list"),
        "--trust-list-cert",
        p(&pin),
        "--out",
        p(&out),
        "--allow-older",
    ]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert_eq!(std::fs::read(&out).unwrap(), good);

    let files: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(
        files.len() <= 3,
        "no temporary files are left behind: {files:?}"
    );
}

/// `dcc trust-list fetch --trust-list-ca`: the server's list is stored when its signer was
/// issued by a given trust-list CA (alone, or beside another during a renewal); another
/// installation's CA is refused and the list in place stays; the option does not mix with
/// `--trust-list-cert` or `--csca`.
#[test]
fn fetch_checks_the_trust_list_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&data);
    let ca = data.join("keys/trust-list-ca.pem");
    // The server's first start wrote the CA beside its signer, the key for the owner only.
    use std::os::unix::fs::PermissionsExt as _;
    let key_mode = std::fs::metadata(data.join("keys/trust-list-ca.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(key_mode & 0o777, 0o600);
    let other = tmp.path().join("other");
    let keys = dcc(&["keys", "generate", "--out", p(&other)]);
    assert!(keys.status.success(), "{}", text(&keys.stderr));
    let other_ca = other.join("trust-list-ca.pem");
    let out = tmp.path().join("trust-list.jws");
    let url = server.url("/trust-list");
    let fetch_ca = |cas: &[&Path], extra: &[&str]| {
        let mut args = vec!["trust-list", "fetch", url.as_str(), "--out", p(&out)];
        for c in cas {
            args.extend(["--trust-list-ca", p(c)]);
        }
        args.extend(extra);
        dcc(&args)
    };

    let ok = fetch_ca(&[&ca], &[]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("1 signer certificates"));
    let good = std::fs::read(&out).unwrap();
    // Renewal with overlap: the old and a new CA together.
    let both = fetch_ca(&[&other_ca, &ca], &[]);
    assert!(both.status.success(), "{}", text(&both.stderr));

    let wrong = fetch_ca(&[&other_ca], &[]);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stderr));
    let said = text(&wrong.stderr);
    assert!(
        said.contains(&format!(
            "does not verify against --trust-list-ca {}",
            p(&other_ca)
        )),
        "{said}"
    );
    assert!(
        said.contains("not accepted under the given trust-list CAs"),
        "{said}"
    );
    assert!(said.contains("is unchanged"), "{said}");
    assert_eq!(std::fs::read(&out).unwrap(), good);

    for extra in [
        vec!["--trust-list-cert", p(&data.join("keys/trust-list.pem"))],
        vec!["--csca", p(&data.join("keys/csca.pem"))],
    ] {
        let usage = fetch_ca(&[&ca], &extra);
        assert_eq!(usage.status.code(), Some(2), "{extra:?}");
        assert!(
            text(&usage.stderr).contains("cannot be used with"),
            "{extra:?}: {}",
            text(&usage.stderr)
        );
    }
    // Not a CA: a usage error naming the file.
    let dsc = data.join("keys/dsc.pem");
    let not_ca = fetch_ca(&[&dsc], &[]);
    assert_eq!(not_ca.status.code(), Some(2));
    assert!(
        text(&not_ca.stderr).contains("cannot be a trust-list CA"),
        "{}",
        text(&not_ca.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), good);
}

fn fetch_dgca(url: &str, cscas: &[&Path], out: &Path) -> Output {
    let mut args = vec!["trust-list", "fetch", url];
    for c in cscas {
        args.extend(["--csca", p(c)]);
    }
    args.extend(["--out", p(out)]);
    dcc(&args)
}

/// `dcc trust-list fetch --csca` against a real `dcc serve`: the DGCA verifier service's
/// certificates are stored as gateway JSON that `dcc verify --trust-list` takes, when each
/// chains to a given CSCA; a CSCA of another installation is refused naming the kid, and the
/// list in place stays; a certificate that is no CA is not taken as a CSCA; the two kinds of
/// list are not mixed up.
#[test]
fn fetch_reads_a_dgca_verifier_service() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&data);
    let csca = data.join("keys/csca.pem");
    let out = tmp.path().join("dgca.json");
    let other = tmp.path().join("other");
    let keys = dcc(&["keys", "generate", "--out", p(&other)]);
    assert!(keys.status.success(), "{}", text(&keys.stderr));
    let other_csca = other.join("csca.pem");

    // The base URL, or the update endpoint itself; another CSCA beside the right one is fine.
    for (url, cscas) in [
        (server.url(""), vec![csca.as_path()]),
        (
            server.url("/signercertificateUpdate"),
            vec![other_csca.as_path(), csca.as_path()],
        ),
    ] {
        let ok = fetch_dgca(&url, &cscas, &out);
        assert!(ok.status.success(), "{url}: {}", text(&ok.stderr));
        assert!(
            text(&ok.stdout).contains("1 signer certificates, each issued by a given CSCA"),
            "{}",
            text(&ok.stdout)
        );
    }
    let good = std::fs::read(&out).unwrap();
    assert!(good.starts_with(b"["), "gateway JSON");

    // What was stored verifies the server's certificates, and names its kid.
    let hc1 = dcc(&[
        "issue",
        "--key",
        p(&data.join("keys/dsc.key")),
        "--cert",
        p(&data.join("keys/dsc.pem")),
        "--record",
        p(&fixtures::path("records/vaccination.json")),
    ]);
    assert!(hc1.status.success(), "{}", text(&hc1.stderr));
    let verified = dcc(&["verify", "--trust-list", p(&out), text(&hc1.stdout).trim()]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stdout)
    );
    let listed = dcc(&["trust-list", "verify", "--trust-list", p(&out), "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let kid = listed["certificates"][0]["kid"]
        .as_str()
        .unwrap()
        .to_string();

    // Another installation's CSCA: refused, naming the kid; the stored list stays.
    let wrong = fetch_dgca(&server.url(""), &[&other_csca], &out);
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stderr));
    let said = text(&wrong.stderr);
    assert!(
        said.contains(&format!(
            "signer certificate {kid} does not chain to a given CSCA"
        )),
        "{said}"
    );
    assert!(said.contains("is unchanged"), "{said}");
    assert_eq!(std::fs::read(&out).unwrap(), good);

    // A DSC is no CSCA; the options of the two list kinds do not mix; one of them is needed.
    let dsc = data.join("keys/dsc.pem");
    let not_ca = fetch_dgca(&server.url(""), &[&dsc], &out);
    assert_eq!(not_ca.status.code(), Some(2));
    assert!(
        text(&not_ca.stderr).contains("is not a CA certificate"),
        "{}",
        text(&not_ca.stderr)
    );
    let url = server.url("");
    for args in [
        vec!["--csca", p(&csca), "--trust-list-cert", p(&csca)],
        vec!["--csca", p(&csca), "--allow-older"],
        vec![],
    ] {
        let mut all = vec!["trust-list", "fetch", url.as_str(), "--out", p(&out)];
        all.extend(args.iter().copied());
        let usage = dcc(&all);
        assert_eq!(usage.status.code(), Some(2), "{args:?}");
    }
    // Not a DGCA service: the download fails (exit 2), nothing replaced.
    let missing = fetch_dgca(&server.url("/nothing"), &[&csca], &out);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("404"),
        "{}",
        text(&missing.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), good);
}

/// Operator revocation end to end: a provider records a test over HTTP, `dcc revoke` revokes
/// its certificate in the database, and both the server's `/verify` and an offline
/// `dcc verify` with the downloaded signed revocation list fail `revocation`.
#[test]
fn operator_revocation_reaches_online_and_offline_verification() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start(&data);
    let d = p(&data);
    let ok = |out: Output| {
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    ok(dcc(&[
        "admin",
        "org",
        "create",
        "--ico",
        "25596641",
        "--name",
        "Nemocnice",
        "--data-dir",
        d,
    ]));
    let token = ok(dcc(&[
        "admin",
        "token",
        "create",
        "--org",
        "25596641",
        "--data-dir",
        d,
    ]));
    let csv = tmp.path().join("persons.csv");
    std::fs::write(&csv, "birth_number,id_card\n736028/0004,AB123456\n").unwrap();
    ok(dcc(&[
        "admin",
        "registry",
        "import",
        p(&csv),
        "--data-dir",
        d,
    ]));

    let http = reqwest::blocking::Client::new();
    let record = serde_json::json!({
        "person": {"birth_number": "736028/0004", "family_name": "Nováková", "given_name": "Eva",
                   "dob": "1973-10-28"},
        "t": {"tg": "840539006", "tt": "LP6464-4", "nm": "PCR", "sc": "2026-11-20T08:00:00Z",
              "tr": "260415000", "tc": "Praha"}
    });
    let created: serde_json::Value = http
        .post(server.url("/api/v1/records"))
        .bearer_auth(token.trim())
        .json(&record)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let hc1 = created["certificate"]["hc1"]
        .as_str()
        .expect("a certificate")
        .to_string();
    let uvci = created["certificate"]["uvci"].as_str().unwrap().to_string();

    let out = ok(dcc(&[
        "revoke",
        "--uvci",
        &uvci,
        "--reason",
        "test",
        "--data-dir",
        d,
    ]));
    assert!(out.contains("revoked"), "{out}");
    let again = ok(dcc(&["revoke", "--uvci", &uvci, "--data-dir", d]));
    assert!(again.contains("revoked already"), "{again}");
    let unknown = dcc(&["revoke", "--uvci", "URN:UVCI:01:CZ:NOPE#X", "--data-dir", d]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("no certificate"));

    // Online: the server reads the revocation on its next verify.
    let report: serde_json::Value = http
        .post(server.url("/verify"))
        .json(&serde_json::json!({ "hc1": hc1 }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(report["checks"]["revocation"], "fail", "{report}");

    // Offline: the signed list, downloaded and checked against the pinned certificate.
    let list = tmp.path().join("revocation.jws");
    let body = http
        .get(server.url("/revocation-list"))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    std::fs::write(&list, &body).unwrap();
    let verify = |pin: &Path| {
        dcc(&[
            "verify",
            "--json",
            "--trust-cert",
            p(&data.join("keys/dsc.pem")),
            "--revocation",
            p(&list),
            "--revocation-cert",
            p(pin),
            &hc1,
        ])
    };
    let out = verify(&data.join("keys/trust-list.pem"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checks"]["revocation"], "fail", "{report}");
    assert_eq!(report["checks"]["signature"], "pass");
    // A list signed by someone else is refused, not silently used.
    let other = tmp.path().join("other");
    ok(dcc(&["keys", "generate", "--out", p(&other)]));
    let out = verify(&other.join("trust-list.pem"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("revocation"),
        "{}",
        text(&out.stderr)
    );
}

//! `--trust-list-ca` on `dcc verify` and `dcc trust-list verify` (`fetch` is in fetch.rs, beside
//! its server): `dcc keys generate` writes a trust-list CA that issued trust-list.pem; a list
//! its signer signed verifies under it, not under another installation's CA or the DCC CSCA;
//! old and new CA together accept both lists (renewal with overlap); a DSC with DCC key usage
//! is refused as a list signer, naming the OID; the option conflicts with `--trust-list-cert`.

use crate::common;

use common::{dcc, p, text};

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer as _;

fn keys(dir: &Path, extra: &[&str]) {
    let mut args = vec!["keys", "generate", "--out", p(dir)];
    args.extend(extra);
    let out = dcc(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Builds a list of `dir/dsc.pem` signed with `key` + `cert`, into `out`.
fn build(dir: &Path, key: &Path, cert: &Path, out: &Path) {
    let built = dcc(&[
        "trust-list",
        "build",
        "--cert",
        p(&dir.join("dsc.pem")),
        "--sign-key",
        p(key),
        "--sign-cert",
        p(cert),
        "--out",
        p(out),
    ]);
    assert!(built.status.success(), "{}", text(&built.stderr));
}

fn list_verify(list: &Path, options: &[&str]) -> Output {
    let mut args = vec!["trust-list", "verify", "--trust-list", p(list), "--json"];
    args.extend(options);
    dcc(&args)
}

struct Setup {
    _tmp: tempfile::TempDir,
    tmp: PathBuf,
    dir: PathBuf,
    other: PathBuf,
    list: PathBuf,
    other_list: PathBuf,
}

/// Two installations, each with a list signed by its own trust-list signer.
fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().to_path_buf();
    let (dir, other) = (root.join("k"), root.join("other"));
    keys(&dir, &[]);
    keys(&other, &[]);
    let (list, other_list) = (root.join("tl.jws"), root.join("other.jws"));
    build(
        &dir,
        &dir.join("trust-list.key"),
        &dir.join("trust-list.pem"),
        &list,
    );
    build(
        &other,
        &other.join("trust-list.key"),
        &other.join("trust-list.pem"),
        &other_list,
    );
    Setup {
        _tmp: tmp,
        tmp: root,
        dir,
        other,
        list,
        other_list,
    }
}

#[test]
fn keys_generate_writes_the_trust_list_ca() {
    let s = setup();
    for (f, mode) in [("trust-list-ca.pem", 0o644), ("trust-list-ca.key", 0o600)] {
        let meta = std::fs::metadata(s.dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{f}");
    }
    // trust-list.pem is issued by the trust-list CA, not by the DCC CSCA, and is no CA itself.
    let ca = s.dir.join("trust-list-ca.pem");
    let ok = list_verify(&s.list, &["--trust-list-ca", p(&ca)]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let csca = list_verify(&s.list, &["--trust-list-ca", p(&s.dir.join("csca.pem"))]);
    assert_eq!(csca.status.code(), Some(2), "{}", text(&csca.stderr));
    // Its one extended key usage is id-kp-documentSigning; the CA is a CA apart from the CSCA.
    let pem = std::fs::read(s.dir.join("trust-list.pem")).unwrap();
    let der = pem::parse(&pem).unwrap().into_contents();
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    let eku = cert.extended_key_usage().unwrap().expect("an EKU").value;
    let ekus: Vec<String> = eku.other.iter().map(|o| o.to_id_string()).collect();
    assert_eq!(ekus, ["1.3.6.1.5.5.7.3.36"]);
    assert!(!eku.any && !eku.server_auth && !eku.client_auth && !eku.code_signing);
    assert!(
        cert.issuer().to_string().contains("trust-list CA"),
        "{}",
        cert.issuer()
    );
    let ca_pem = std::fs::read(&ca).unwrap();
    let ca_der = pem::parse(&ca_pem).unwrap().into_contents();
    let (_, ca_cert) = X509Certificate::from_der(&ca_der).unwrap();
    assert!(ca_cert.is_ca());
    assert_eq!(ca_cert.subject(), cert.issuer());
    let leaf = list_verify(
        &s.list,
        &["--trust-list-ca", p(&s.dir.join("trust-list.pem"))],
    );
    assert_eq!(leaf.status.code(), Some(2));
    assert!(
        text(&leaf.stderr).contains("cannot be a trust-list CA"),
        "{}",
        text(&leaf.stderr)
    );
}

#[test]
fn trust_list_verify_with_the_ca() {
    let s = setup();
    let ca = s.dir.join("trust-list-ca.pem");
    let other_ca = s.other.join("trust-list-ca.pem");

    let ok = list_verify(&s.list, &["--trust-list-ca", p(&ca)]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        !text(&ok.stderr).contains("warning"),
        "{}",
        text(&ok.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["certificates"].as_array().unwrap().len(), 1);

    // Another installation's CA: refused, saying why.
    let wrong = list_verify(&s.list, &["--trust-list-ca", p(&other_ca)]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("is not accepted under the given trust-list CAs"),
        "{}",
        text(&wrong.stderr)
    );

    // Renewal with overlap: both CAs, repeated or as one bundle, accept both lists.
    let bundle = s.tmp.join("cas.pem");
    std::fs::write(
        &bundle,
        [
            std::fs::read(&ca).unwrap(),
            std::fs::read(&other_ca).unwrap(),
        ]
        .concat(),
    )
    .unwrap();
    for list in [&s.list, &s.other_list] {
        for options in [
            vec!["--trust-list-ca", p(&ca), "--trust-list-ca", p(&other_ca)],
            vec!["--trust-list-ca", p(&bundle)],
        ] {
            let out = list_verify(list, &options);
            assert!(out.status.success(), "{options:?}: {}", text(&out.stderr));
        }
    }

    // Without either option the list is read, with a warning naming both.
    let unchecked = list_verify(&s.list, &[]);
    assert!(unchecked.status.success());
    assert!(
        text(&unchecked.stderr).contains("not checked (give --trust-list-cert or --trust-list-ca)"),
        "{}",
        text(&unchecked.stderr)
    );
    // Pinning and CAs do not mix.
    let both = list_verify(
        &s.list,
        &[
            "--trust-list-ca",
            p(&ca),
            "--trust-list-cert",
            p(&s.dir.join("trust-list.pem")),
        ],
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(
        text(&both.stderr).contains("cannot be used with"),
        "{}",
        text(&both.stderr)
    );
}

#[test]
fn verify_with_the_ca() {
    let s = setup();
    let ca = s.dir.join("trust-list-ca.pem");
    let issued = dcc(&[
        "issue",
        "--key",
        p(&s.dir.join("dsc.key")),
        "--cert",
        p(&s.dir.join("dsc.pem")),
        "--record",
        p(&fixtures::path("records/vaccination.json")),
    ]);
    assert!(issued.status.success(), "{}", text(&issued.stderr));
    let hc1 = text(&issued.stdout).trim().to_string();
    let verify = |options: &[&str]| {
        let mut args = vec!["verify", "--json", "--trust-list", p(&s.list)];
        args.extend(options);
        args.push(&hc1);
        dcc(&args)
    };

    let ok = verify(&["--trust-list-ca", p(&ca)]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(
        !text(&ok.stderr).contains("warning"),
        "{}",
        text(&ok.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["checks"]["signature"], "pass", "{report}");
    // Old and new CA: still accepted.
    let both = verify(&[
        "--trust-list-ca",
        p(&s.other.join("trust-list-ca.pem")),
        "--trust-list-ca",
        p(&ca),
    ]);
    assert_eq!(both.status.code(), Some(0), "{}", text(&both.stderr));

    let wrong = verify(&["--trust-list-ca", p(&s.other.join("trust-list-ca.pem"))]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("trust list"),
        "{}",
        text(&wrong.stderr)
    );
    // At a time when neither the CA nor its signer is valid any more (they last ten years).
    let late = verify(&["--trust-list-ca", p(&ca), "--at", "2040-01-01T00:00:00Z"]);
    assert_eq!(late.status.code(), Some(2));
    assert!(
        text(&late.stderr).contains("valid at the verification time"),
        "{}",
        text(&late.stderr)
    );
    let conflict = verify(&[
        "--trust-list-ca",
        p(&ca),
        "--trust-list-cert",
        p(&s.dir.join("trust-list.pem")),
    ]);
    assert_eq!(conflict.status.code(), Some(2));
    let unchecked = verify(&[]);
    assert_eq!(unchecked.status.code(), Some(0));
    assert!(
        text(&unchecked.stderr).contains("--trust-list-cert or --trust-list-ca"),
        "{}",
        text(&unchecked.stderr)
    );
}

/// A DSC restricted to vaccinations signs a list; its CSCA given as trust-list CA does not make
/// it a list signer: refused, naming the DCC key usage it carries.
#[test]
fn a_dsc_is_no_list_signer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    keys(&dir, &["--types", "v"]);
    let list = tmp.path().join("by-dsc.jws");
    build(&dir, &dir.join("dsc.key"), &dir.join("dsc.pem"), &list);
    let out = list_verify(&list, &["--trust-list-ca", p(&dir.join("csca.pem"))]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("carries the DCC extended key usage 1.3.6.1.4.1.1847.2021.1.2 (vaccination)"),
        "{err}"
    );
}

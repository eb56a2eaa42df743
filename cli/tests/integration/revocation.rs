//! `dcc verify --revocation FILE|DIR`: a revoked certificate exits 1 with `revocation` failing,
//! one not on the list passes, and a corrupt list is a usage error naming the file and entry.
//! The gateway's CMS-signed batches verify against `--revocation-signer` and are refused without.

use crate::common;

use common::{dcc, p, text};

use std::path::Path;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use cms::cert::x509::attr::Attribute;
use cms::cert::x509::spki::AlgorithmIdentifierOwned;
use cms::cert::x509::Certificate;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::oid::db::{rfc5911, rfc5912};
use der::{Any, Decode as _, Encode as _};
use sha2::Digest as _;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value as Json};
use verifier::revocation::truncated_sha256;

/// Keys in `dir`, and a test certificate they signed.
fn issued(dir: &Path) -> String {
    let out = dcc(&["keys", "generate", "--out", p(dir), "--alg", "es256"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let record = fixtures::path("records/test.json");
    let out = dcc(&[
        "issue",
        "--key",
        p(&dir.join("dsc.key")),
        "--cert",
        p(&dir.join("dsc.pem")),
        "--record",
        p(&record),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

fn verify(dir: &Path, hc1: &str, revocation: &[&Path]) -> (i32, Json, String) {
    let trust = dir.join("dsc.pem");
    let mut args = vec!["verify", "--json", "--trust-cert", p(&trust)];
    for r in revocation {
        args.extend(["--revocation", p(r)]);
    }
    args.push(hc1);
    let out = dcc(&args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Json::Null);
    (out.status.code().unwrap(), report, text(&out.stderr))
}

fn batch(kid: &str, hashes: &[[u8; 16]]) -> Json {
    let entries: Vec<Json> = hashes
        .iter()
        .map(|h| json!({ "hash": B64.encode(h) }))
        .collect();
    json!({
        "country": "CZ",
        "expires": "2099-01-01T00:00:00Z",
        "kid": kid,
        "hashType": "UCI",
        "entries": entries,
    })
}

#[test]
fn verify_checks_the_revocation_list() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let hc1 = issued(&keys);

    let (code, report, _) = verify(&keys, &hc1, &[]);
    assert_eq!(code, 0);
    assert_eq!(report["checks"]["revocation"], "skip");
    let kid = report["kid"].as_str().unwrap().to_string();
    let uci = report["dcc"]["t"][0]["ci"].as_str().unwrap().to_string();
    let revoked = truncated_sha256(&[uci.as_bytes()]);

    // Not on the list: pass.
    let other = tmp.path().join("other.json");
    std::fs::write(&other, batch(&kid, &[[1; 16]]).to_string()).unwrap();
    let (code, report, stderr) = verify(&keys, &hc1, &[&other]);
    assert_eq!(
        (code, &report["checks"]["revocation"]),
        (0, &json!("pass")),
        "{stderr}"
    );

    // On the list, from a file and from a directory of batch files: exit 1, `revocation` fails.
    let dir = tmp.path().join("lists");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("a.json"),
        json!([batch(&kid, &[[2; 16]])]).to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("b.json"), batch(&kid, &[revoked]).to_string()).unwrap();
    std::fs::write(dir.join("README"), "not a batch").unwrap();
    for source in [dir.join("b.json"), dir.clone()] {
        let (code, report, stderr) = verify(&keys, &hc1, &[&source]);
        assert_eq!(code, 1, "{}: {stderr}", source.display());
        assert_eq!(report["verdict"], "invalid");
        assert_eq!(report["checks"]["revocation"], "fail");
        assert_eq!(report["errors"][0]["check"], "revocation");
        let message = report["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("revoked") && message.contains("UCI"),
            "{message}"
        );
    }

    // The human verdict names the check.
    let out = dcc(&[
        "verify",
        "--trust-cert",
        p(&keys.join("dsc.pem")),
        "--revocation",
        p(&dir),
        &hc1,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("NOT VALID") && stdout.contains("revocation: "),
        "{stdout}"
    );
}

#[test]
fn a_corrupt_list_is_a_usage_error_naming_the_place() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let hc1 = issued(&keys);
    let good = batch("AAECAwQFBgc=", &[[1; 16], [2; 16]]).to_string();
    let cases = [
        (
            "truncated.json",
            good[..good.len() - 10].to_string(),
            "EOF while parsing",
        ),
        (
            "entry.json",
            good.replacen(&B64.encode([2u8; 16]), "%%%", 1),
            "entries[1].hash",
        ),
        ("type.json", good.replacen("UCI", "SHA1", 1), "hashType"),
    ];
    for (name, content, expected) in cases {
        let file = tmp.path().join(name);
        std::fs::write(&file, content).unwrap();
        let (code, report, stderr) = verify(&keys, &hc1, &[&file]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert_eq!(report, Json::Null, "{name}: no report on a usage error");
        assert!(
            stderr.contains(name) && stderr.contains(expected),
            "{name}: {stderr}"
        );
    }
    // A directory without batch files.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, stderr) = verify(&keys, &hc1, &[&empty]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no revocation batch files"), "{stderr}");
}

/// An upload certificate of country CZ (PEM) and its PKCS#8 key.
fn upload_certificate(cn: &str) -> (String, Vec<u8>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CountryName, "CZ");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_der())
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Attribute {
    Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).unwrap(),
    }
}

/// The DER of a CMS SignedData over `content` as the gateway's uploaders write it: encapsulated
/// id-data, signed attributes, ECDSA P-256 with SHA-256, the signer by issuer and serial.
fn cms_signed(content: &[u8], cert_pem: &str, pkcs8: &[u8]) -> Vec<u8> {
    let cert = Certificate::from_der(pem::parse(cert_pem).unwrap().contents()).unwrap();
    let sha256 = AlgorithmIdentifierOwned {
        oid: rfc5912::ID_SHA_256,
        parameters: None,
    };
    let attrs = SetOfVec::try_from(vec![
        attribute(
            rfc5911::ID_CONTENT_TYPE,
            Any::encode_from(&rfc5911::ID_DATA).unwrap(),
        ),
        attribute(
            rfc5911::ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(sha2::Sha256::digest(content).to_vec()).unwrap())
                .unwrap(),
        ),
    ])
    .unwrap();
    let signature = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8)
        .unwrap()
        .sign(&SystemRandom::new(), &attrs.to_der().unwrap())
        .unwrap();
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned {
            oid: rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        },
        signature: OctetString::new(signature.as_ref().to_vec()).unwrap(),
        unsigned_attrs: None,
    };
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256]).unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: Some(Any::encode_from(&OctetString::new(content.to_vec()).unwrap()).unwrap()),
        },
        certificates: Some(CertificateSet(
            SetOfVec::try_from(vec![CertificateChoices::Certificate(cert)]).unwrap(),
        )),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![info]).unwrap()),
    };
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

#[test]
fn verify_reads_cms_signed_gateway_batches() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let hc1 = issued(&keys);
    let (_, report, _) = verify(&keys, &hc1, &[]);
    let kid = report["kid"].as_str().unwrap().to_string();
    let uci = report["dcc"]["t"][0]["ci"].as_str().unwrap().to_string();
    let revoked = truncated_sha256(&[uci.as_bytes()]);

    let (cert_pem, pkcs8) = upload_certificate("CZ revocation upload");
    let signer = tmp.path().join("upload-cz.pem");
    std::fs::write(&signer, &cert_pem).unwrap();
    let der = cms_signed(
        batch(&kid, &[revoked]).to_string().as_bytes(),
        &cert_pem,
        &pkcs8,
    );
    // The gateway's download body (application/cms-text), and a directory of binary CMS.
    let text_file = tmp.path().join("batch.txt");
    std::fs::write(&text_file, B64.encode(&der)).unwrap();
    let dir = tmp.path().join("cms");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("batch.cms"), &der).unwrap();

    let run = |source: &Path, signers: &[&Path]| {
        let trust = keys.join("dsc.pem");
        let mut args = vec!["verify", "--json", "--trust-cert", p(&trust)];
        args.extend(["--revocation", p(source)]);
        for s in signers {
            args.extend(["--revocation-signer", p(s)]);
        }
        args.push(&hc1);
        let out = dcc(&args);
        let report: Json = serde_json::from_slice(&out.stdout).unwrap_or(Json::Null);
        (out.status.code().unwrap(), report, text(&out.stderr))
    };

    for source in [&text_file, &dir] {
        let (code, report, stderr) = run(source, &[&signer]);
        assert_eq!(code, 1, "{}: {stderr}", source.display());
        assert_eq!(report["checks"]["revocation"], "fail");
    }

    // Without a signer: a usage error saying what to pass.
    let (code, report, stderr) = run(&text_file, &[]);
    assert_eq!((code, &report), (2, &Json::Null), "{stderr}");
    assert!(
        stderr.contains("batch.txt") && stderr.contains("--revocation-signer"),
        "{stderr}"
    );

    // Signed by someone else than the configured signer.
    let (other_pem, _) = upload_certificate("Another upload");
    let other = tmp.path().join("other.pem");
    std::fs::write(&other, other_pem).unwrap();
    let (code, _, stderr) = run(&text_file, &[&other]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("batch.txt") && stderr.contains("is not one of the 1 configured"),
        "{stderr}"
    );

    // A tampered batch.
    let mut tampered = der.clone();
    let at = tampered.windows(3).position(|w| w == b"UCI").unwrap();
    tampered[at] = b'X';
    let bad = tmp.path().join("tampered.p7m");
    std::fs::write(&bad, &tampered).unwrap();
    let (code, _, stderr) = run(&bad, &[&signer]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("messageDigest"), "{stderr}");
}

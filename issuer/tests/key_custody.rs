//! Key custody (SECURITY.md 41-42): the checks before every signature, each refusal its own
//! error, on DSCs made here with rcgen; generated DSCs carry KeyUsage, the EKUs of their types and
//! a usage period; encrypted PKCS#8 keys open with the right passphrase only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hcert::crypto::{default_backend, Algorithm};
use hcert::CertType;
use issuer::keys::{self, KeyOptions};
use issuer::{key_file, Error, Policy, SigningIdentity};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use secrecy::SecretString;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use trust_list::TrustList;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer as _;

const NOW: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

/// A fixture record; the recovery's `du` moved after NOW (its 2021 recovery is over, and no
/// certificate is issued for a recovery already over).
fn record(kind: &str) -> serde_json::Value {
    let mut record = fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == kind)
        .unwrap_or_else(|| panic!("no fixture record {kind}"))
        .1;
    if kind == "recovery" {
        record["r"][0]["du"] = serde_json::json!("2026-08-01");
    }
    record
}

/// A DSC signed by a fresh CSCA: valid NOW - 10 days to NOW + 365 days, KeyUsage
/// digitalSignature, no EKU, no usage period, unless `shape` changes that.
fn dsc(shape: impl FnOnce(&mut CertificateParams)) -> SigningIdentity {
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "test CSCA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    ca.not_before = NOW - Duration::days(1000);
    ca.not_after = NOW + Duration::days(1000);
    let ca_cert = ca.self_signed(&ca_key).unwrap();

    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CountryName, "CZ");
    p.distinguished_name.push(DnType::CommonName, "test DSC");
    p.not_before = NOW - Duration::days(10);
    p.not_after = NOW + Duration::days(365);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    // Without it rcgen 0.13 writes no extensions at all, KeyUsage included.
    p.use_authority_key_identifier_extension = true;
    shape(&mut p);
    let cert = p.signed_by(&key, &ca_cert, &ca_key).unwrap();
    SigningIdentity::load(
        key.serialize_pem().as_bytes(),
        cert.pem().as_bytes(),
        default_backend(),
    )
    .unwrap()
}

fn usage_period(from: OffsetDateTime, until: OffsetDateTime) -> rcgen::CustomExtension {
    keys::usage_period_extension(from.unix_timestamp(), until.unix_timestamp()).unwrap()
}

fn issue(id: &SigningIdentity, kind: &str) -> Result<issuer::Issued, Error> {
    issuer::issue_record(&record(kind), id, &Policy::new(b"s".to_vec()), NOW)
}

#[test]
fn an_unrestricted_dsc_signs_all_three_types() {
    let id = dsc(|_| {});
    let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
    for kind in ["vaccination", "test", "recovery"] {
        let issued = issue(&id, kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let report = verifier::verify_text(&issued.hc1, &verifier::Context::new(&trust, NOW));
        assert!(report.is_valid(), "{kind}: {report:?}");
    }
}

#[test]
fn each_refusal_is_its_own_error() {
    /// How the DSC differs from [`dsc`]'s default.
    type Shape = Box<dyn FnOnce(&mut CertificateParams)>;
    /// Name, record kind, DSC, the expected variant, text the message holds.
    type Case = (
        &'static str,
        &'static str,
        Shape,
        fn(&Error) -> bool,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "expired",
            "test",
            Box::new(|p| {
                p.not_before = NOW - Duration::days(400);
                p.not_after = NOW - Duration::days(1);
            }),
            |e| matches!(e, Error::DscExpired { .. }),
            "it expired at 2026-03-01T10:00:00Z",
        ),
        (
            "not yet valid",
            "test",
            Box::new(|p| {
                p.not_before = NOW + Duration::days(1);
            }),
            |e| matches!(e, Error::DscNotYetValid { .. }),
            "it is valid from 2026-03-03T10:00:00Z",
        ),
        (
            "past its private key usage period",
            "test",
            Box::new(|p| {
                p.custom_extensions = vec![usage_period(
                    NOW - Duration::days(10),
                    NOW - Duration::seconds(1),
                )];
            }),
            |e| {
                matches!(
                    e,
                    Error::DscUsagePeriod {
                        from_extension: true,
                        ..
                    }
                )
            },
            "may sign only from 2026-02-20T10:00:00Z to 2026-03-02T09:59:59Z (its private key \
             usage period)",
        ),
        (
            "before its private key usage period",
            "test",
            Box::new(|p| {
                p.custom_extensions = vec![usage_period(
                    NOW + Duration::seconds(1),
                    NOW + Duration::days(30),
                )];
            }),
            |e| {
                matches!(
                    e,
                    Error::DscUsagePeriod {
                        from_extension: true,
                        ..
                    }
                )
            },
            "may sign only from 2026-03-02T10:00:01Z",
        ),
        (
            "six months after notBefore, without a usage period",
            "test",
            Box::new(|p| {
                p.not_before = datetime!(2025-09-01 10:00 UTC);
            }),
            |e| {
                matches!(
                    e,
                    Error::DscUsagePeriod {
                        from_extension: false,
                        ..
                    }
                )
            },
            "to 2026-03-01T10:00:00Z (notBefore + 6 months",
        ),
        (
            "KeyUsage without digitalSignature",
            "test",
            Box::new(|p| {
                p.key_usages = vec![KeyUsagePurpose::ContentCommitment];
            }),
            |e| {
                matches!(
                    e,
                    Error::DscNotForSigning {
                        key_usage_present: true
                    }
                )
            },
            "its KeyUsage does not include digitalSignature",
        ),
        (
            "no KeyUsage",
            "test",
            Box::new(|p| {
                p.key_usages = vec![];
            }),
            |e| {
                matches!(
                    e,
                    Error::DscNotForSigning {
                        key_usage_present: false
                    }
                )
            },
            "it has no KeyUsage extension",
        ),
        (
            "test-only asked to sign a vaccination",
            "vaccination",
            Box::new(|p| {
                p.extended_key_usages = vec![ExtendedKeyUsagePurpose::Other(
                    trust_list::eku_oid_arcs(CertType::Test).to_vec(),
                )];
            }),
            |e| matches!(e, Error::DscWrongType { .. }),
            "it may not sign vaccination certificates (key usage: may sign test certificates \
             only)",
        ),
    ];
    // Every case runs; the failures are reported together, each by name.
    let mut failures = Vec::new();
    for (name, kind, shape, is_variant, text) in cases {
        let id = dsc(shape);
        match issue(&id, kind) {
            Ok(_) => failures.push(format!("{name}: signed")),
            Err(e) if !is_variant(&e) => failures.push(format!("{name}: {e:?}")),
            Err(e) => {
                let msg = e.to_string();
                if !msg.starts_with("signer certificate: ") || !msg.contains(text) {
                    failures.push(format!("{name}: {msg:?} lacks {text:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_usage_period_bounds_are_inclusive_and_six_months_is_calendar() {
    // Ends exactly at NOW: signs at NOW.
    let id = dsc(|p| p.custom_extensions = vec![usage_period(NOW - Duration::days(1), NOW)]);
    assert!(issue(&id, "test").is_ok());
    // notBefore 2025-09-02T10:00Z + 6 months = 2026-03-02T10:00Z = NOW: still signs.
    let id = dsc(|p| p.not_before = datetime!(2025-09-02 10:00 UTC));
    assert!(issue(&id, "test").is_ok());
    let w = id.signing_window();
    assert_eq!(w.until, NOW.unix_timestamp());
    assert!(!w.from_extension);
    // A usage period longer than the validity ends with the validity.
    let id = dsc(|p| {
        p.custom_extensions = vec![usage_period(
            NOW - Duration::days(100),
            NOW + Duration::days(1000),
        )]
    });
    let w = id.signing_window();
    assert_eq!(
        (w.from, w.until),
        (
            (NOW - Duration::days(10)).unix_timestamp(),
            (NOW + Duration::days(365)).unix_timestamp()
        )
    );
}

/// The DCC EKU OIDs, KeyUsage and usage period of a generated DSC, read back with x509-parser.
fn read_back(der: &[u8]) -> (Vec<String>, bool, Option<(i64, i64)>) {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).unwrap();
    let ku = cert.key_usage().unwrap().expect("a KeyUsage extension");
    let ekus = cert
        .extended_key_usage()
        .unwrap()
        .map(|e| e.value.other.iter().map(|o| o.to_id_string()).collect())
        .unwrap_or_default();
    let period = cert
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.16")
        .map(|e| {
            assert!(!e.critical);
            assert!(matches!(
                e.parsed_extension(),
                ParsedExtension::UnsupportedExtension { .. }
            ));
            let p = trust_list::UsagePeriod::from_der(e.value).unwrap();
            (p.not_before.unwrap(), p.not_after.unwrap())
        });
    (ekus, ku.value.digital_signature(), period)
}

#[test]
fn generated_dscs_carry_key_usage_the_ekus_of_their_types_and_a_usage_period() {
    use CertType::*;
    let cases: [(&[CertType], &[&str]); 5] = [
        (&[], &[]),
        (&[Test], &[trust_list::OID_TEST]),
        (&[Vaccination], &[trust_list::OID_VACCINATION]),
        (
            &[Vaccination, Recovery],
            &[trust_list::OID_VACCINATION, trust_list::OID_RECOVERY],
        ),
        (
            &[Test, Vaccination, Recovery],
            &[
                trust_list::OID_TEST,
                trust_list::OID_VACCINATION,
                trust_list::OID_RECOVERY,
            ],
        ),
    ];
    for (types, oids) in cases {
        let g = keys::generate(&KeyOptions {
            alg: Algorithm::Es256,
            rsa_bits: 2048,
            types: types.to_vec(),
            country: "CZ".into(),
            now: NOW,
            dsc_days: 730,
            usage_days: keys::EU_USAGE_DAYS,
        })
        .unwrap();
        let (mut ekus, digital_signature, period) = read_back(&g.dsc.cert_der);
        ekus.sort();
        let mut want: Vec<String> = oids.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(ekus, want, "{types:?}");
        assert!(digital_signature, "{types:?}");
        let from = (NOW - Duration::hours(1)).unix_timestamp();
        assert_eq!(
            period,
            Some((from, from + keys::EU_USAGE_DAYS * 86_400)),
            "{types:?}"
        );
        // And the issuer reads the same.
        let id = SigningIdentity::load(
            g.dsc.key_pem.as_bytes(),
            g.dsc.cert_pem.as_bytes(),
            default_backend(),
        )
        .unwrap();
        for t in [Vaccination, Test, Recovery] {
            assert_eq!(
                id.dsc.key_usage.allows(t),
                types.is_empty() || types.contains(&t),
                "{types:?} {t:?}"
            );
        }
    }
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

#[test]
fn an_encrypted_key_opens_with_its_passphrase_only() {
    for alg in [Algorithm::Es256, Algorithm::Ps256, Algorithm::EdDsa] {
        let g = keys::generate(&KeyOptions {
            alg,
            rsa_bits: 2048,
            types: vec![],
            country: "CZ".into(),
            now: NOW - Duration::days(1),
            dsc_days: 365,
            usage_days: 183,
        })
        .unwrap();
        let plain = g.dsc.key_pem.as_bytes();
        let cert = g.dsc.cert_pem.as_bytes();
        let encrypted = key_file::encrypt_pem(plain, &secret("correct horse")).unwrap();
        assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        assert!(key_file::is_encrypted(encrypted.as_bytes()));
        assert!(!key_file::is_encrypted(plain));
        // Nothing of the plain key's body shows through.
        let body: String = g
            .dsc
            .key_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert!(!encrypted.contains(body.get(..24).unwrap()));

        let id = SigningIdentity::load_with_passphrase(
            encrypted.as_bytes(),
            cert,
            Some(&secret("correct horse")),
            default_backend(),
        )
        .unwrap();
        let same = SigningIdentity::load(plain, cert, default_backend()).unwrap();
        assert_eq!(id.derived_secret(), same.derived_secret(), "{alg}");
        let issued = issue(&id, "test").unwrap();
        let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
        let report = verifier::verify_text(&issued.hc1, &verifier::Context::new(&trust, NOW));
        assert!(report.is_valid(), "{alg}: {report:?}");

        let wrong = SigningIdentity::load_with_passphrase(
            encrypted.as_bytes(),
            cert,
            Some(&secret("correct horsE")),
            default_backend(),
        )
        .unwrap_err();
        assert!(matches!(wrong, Error::KeyDecrypt), "{alg}: {wrong:?}");
        assert_eq!(
            wrong.to_string(),
            "key: cannot decrypt the signing key: wrong passphrase or damaged file"
        );
        let none =
            SigningIdentity::load(encrypted.as_bytes(), cert, default_backend()).unwrap_err();
        assert!(matches!(none, Error::KeyEncrypted), "{alg}: {none:?}");
        // A plain key needs no passphrase and ignores one.
        assert!(SigningIdentity::load_with_passphrase(
            plain,
            cert,
            Some(&secret("x")),
            default_backend()
        )
        .is_ok());
        for e in [&wrong, &none] {
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains("PRIVATE KEY") && !shown.contains("-----"),
                "{shown}"
            );
        }
    }
}

#[test]
fn damaged_and_foreign_encrypted_keys() {
    let g = keys::generate(&KeyOptions {
        alg: Algorithm::Es256,
        rsa_bits: 2048,
        types: vec![],
        country: "CZ".into(),
        now: NOW,
        dsc_days: 365,
        usage_days: 183,
    })
    .unwrap();
    let pass = secret("pw");
    let encrypted = key_file::encrypt_pem(g.dsc.key_pem.as_bytes(), &pass).unwrap();
    // Cut inside the ciphertext: still labelled encrypted, no longer decodable.
    let lines: Vec<&str> = encrypted.lines().collect();
    let damaged = format!("{}\n{}\n{}\n", lines[0], lines[1], lines.last().unwrap());
    let e = key_file::decode(damaged.as_bytes(), Some(&pass)).unwrap_err();
    assert!(matches!(e, Error::KeyDecrypt), "{e:?}");
    // DER input works as PEM does.
    let der = pem::parse(&encrypted).unwrap().into_contents();
    assert!(key_file::is_encrypted(&der));
    let plain = key_file::decode(&der, Some(&pass)).unwrap();
    assert_eq!(
        plain.as_slice(),
        pem::parse(&g.dsc.key_pem).unwrap().contents()
    );
    // PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, as `openssl pkcs8 -topk8 -v2 aes-256-cbc`
    // writes it, is read too.
    use pkcs8::der::Decode as _;
    let info = pkcs8::PrivateKeyInfo::from_der(plain.as_slice()).unwrap();
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, b"saltsalt", &[7; 16])
            .unwrap();
    let pbkdf2 = info.encrypt_with_params(params, b"pw").unwrap();
    let opened = key_file::decode(pbkdf2.as_bytes(), Some(&pass)).unwrap();
    assert_eq!(opened.as_slice(), plain.as_slice());
    // Encrypting twice, or with an empty passphrase, is refused.
    assert!(key_file::encrypt_pem(encrypted.as_bytes(), &pass).is_err());
    assert!(key_file::encrypt_pem(g.dsc.key_pem.as_bytes(), &secret("")).is_err());
}

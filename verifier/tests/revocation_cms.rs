//! CMS-signed revocation batches as the dgc-gateway delivers them, built here with rcgen keys and
//! the `cms` crate's types: each form (DER, BER as BouncyCastle writes it, base64, PEM), each
//! algorithm, and each refusal named; a reader that survives any bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, RsaKeyPair};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use cms::cert::x509::attr::Attribute;
use cms::cert::x509::ext::pkix::SubjectKeyIdentifier;
use cms::cert::x509::spki::AlgorithmIdentifierOwned;
use cms::cert::x509::Certificate;
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
use der::oid::db::{rfc5280, rfc5911, rfc5912};
use der::{Any, Decode as _, Encode as _};
use proptest::prelude::*;
use rcgen::{CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, RsaKeySize};
use serde_json::json;
use sha2::Digest as _;
use time::macros::datetime;
use verifier::revocation::{
    looks_like_cms, CertHashes, RevocationList, RevocationListBuilder, RevocationSigners,
};

const KID: &[u8] = b"kid-cz-1";
const REVOKED_UCI: &str = "URN:UVCI:01:CZ:REVOKED1#A";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    P256,
    P384,
    RsaPkcs1,
    RsaPss,
}

/// A signer certificate and its key.
struct TestSigner {
    kind: Kind,
    pem: String,
    der: Vec<u8>,
    cert: Certificate,
    pkcs8: Vec<u8>,
}

fn rsa_key() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| {
        KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048)
            .unwrap()
            .serialize_der()
    })
}

fn test_signer(kind: Kind, country: Option<&str>, cn: &str) -> TestSigner {
    let key = match kind {
        Kind::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
        Kind::P384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        Kind::RsaPkcs1 | Kind::RsaPss => {
            let der = rsa_key().to_vec();
            KeyPair::from_pkcs8_der_and_sign_algo(&der.as_slice().into(), &rcgen::PKCS_RSA_SHA256)
                .unwrap()
        }
    };
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = DistinguishedName::new();
    if let Some(c) = country {
        params.distinguished_name.push(DnType::CountryName, c);
    }
    params.distinguished_name.push(DnType::CommonName, cn);
    // rcgen writes a subjectKeyIdentifier only when it is told whether the certificate is a CA.
    params.is_ca = IsCa::ExplicitNoCa;
    let cert = params.self_signed(&key).unwrap();
    let der = cert.der().to_vec();
    TestSigner {
        kind,
        pem: cert.pem(),
        cert: Certificate::from_der(&der).unwrap(),
        der,
        pkcs8: key.serialize_der(),
    }
}

/// One P-256 signer of CZ, shared by the tests that need no other.
fn cz() -> &'static TestSigner {
    static SIGNER: OnceLock<TestSigner> = OnceLock::new();
    SIGNER.get_or_init(|| test_signer(Kind::P256, Some("CZ"), "CZ revocation upload"))
}

fn signers_of(list: &[&TestSigner]) -> RevocationSigners {
    let mut signers = RevocationSigners::new();
    for s in list {
        signers.add_pem_or_der(s.pem.as_bytes()).unwrap();
    }
    signers
}

fn alg(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// RSASSA-PSS-params: SHA-256, MGF1-SHA-256, salt 32.
const PSS_SHA256_PARAMS: &str = concat!(
    "3034",
    "a00f300d06096086480165030402010500", // hashAlgorithm sha256
    "a11c301a06092a864886f70d010108300d06096086480165030402010500", // MGF1 sha256
    "a203020120",                         // saltLength 32
);

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

impl TestSigner {
    fn hash(&self) -> ObjectIdentifier {
        match self.kind {
            Kind::P384 => rfc5912::ID_SHA_384,
            _ => rfc5912::ID_SHA_256,
        }
    }

    fn digest(&self, data: &[u8]) -> Vec<u8> {
        match self.kind {
            Kind::P384 => sha2::Sha384::digest(data).to_vec(),
            _ => sha2::Sha256::digest(data).to_vec(),
        }
    }

    fn signature_algorithm(&self, bare_key: bool) -> AlgorithmIdentifierOwned {
        match (self.kind, bare_key) {
            (Kind::P256 | Kind::P384, true) => alg(rfc5912::ID_EC_PUBLIC_KEY),
            (Kind::P256, false) => alg(rfc5912::ECDSA_WITH_SHA_256),
            (Kind::P384, false) => alg(rfc5912::ECDSA_WITH_SHA_384),
            (Kind::RsaPkcs1, true) => alg(rfc5912::RSA_ENCRYPTION),
            (Kind::RsaPkcs1, false) => alg(rfc5912::SHA_256_WITH_RSA_ENCRYPTION),
            (Kind::RsaPss, _) => AlgorithmIdentifierOwned {
                oid: rfc5912::ID_RSASSA_PSS,
                parameters: Some(Any::from_der(&unhex(PSS_SHA256_PARAMS)).unwrap()),
            },
        }
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        let ecdsa = |alg| {
            EcdsaKeyPair::from_pkcs8(alg, &self.pkcs8)
                .unwrap()
                .sign(&rng, message)
                .unwrap()
                .as_ref()
                .to_vec()
        };
        let rsa = |padding| {
            let key = RsaKeyPair::from_pkcs8(&self.pkcs8).unwrap();
            let mut out = vec![0; key.public_modulus_len()];
            key.sign(padding, &rng, message, &mut out).unwrap();
            out
        };
        match self.kind {
            Kind::P256 => ecdsa(&sig::ECDSA_P256_SHA256_ASN1_SIGNING),
            Kind::P384 => ecdsa(&sig::ECDSA_P384_SHA384_ASN1_SIGNING),
            Kind::RsaPkcs1 => rsa(&sig::RSA_PKCS1_SHA256),
            Kind::RsaPss => rsa(&sig::RSA_PSS_SHA256),
        }
    }

    fn sid(&self, by_key_id: bool) -> SignerIdentifier {
        let tbs = &self.cert.tbs_certificate;
        if by_key_id {
            let ext = tbs
                .extensions
                .iter()
                .flatten()
                .find(|e| e.extn_id == rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
                .expect("rcgen writes a subjectKeyIdentifier");
            let ski = OctetString::from_der(ext.extn_value.as_bytes()).unwrap();
            SignerIdentifier::SubjectKeyIdentifier(SubjectKeyIdentifier(ski))
        } else {
            SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: tbs.issuer.clone(),
                serial_number: tbs.serial_number.clone(),
            })
        }
    }
}

/// How to build a test CMS; the default is what the gateway's uploaders write.
#[derive(Default, Clone)]
struct Opts {
    no_signed_attrs: bool,
    by_key_id: bool,
    bare_key_alg: bool,
    /// Encapsulate this instead of the signed content.
    swap_content: Option<Vec<u8>>,
    detached: bool,
    content_type_attr: Option<ObjectIdentifier>,
    flip_signature: bool,
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Attribute {
    Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).unwrap(),
    }
}

fn signer_info(s: &TestSigner, content: &[u8], o: &Opts) -> SignerInfo {
    let (signed_attrs, signature) = if o.no_signed_attrs {
        (None, s.sign(content))
    } else {
        let content_type = o.content_type_attr.unwrap_or(rfc5911::ID_DATA);
        let attrs = SetOfVec::try_from(vec![
            attribute(
                rfc5911::ID_CONTENT_TYPE,
                Any::encode_from(&content_type).unwrap(),
            ),
            attribute(
                rfc5911::ID_MESSAGE_DIGEST,
                Any::encode_from(&OctetString::new(s.digest(content)).unwrap()).unwrap(),
            ),
        ])
        .unwrap();
        let signature = s.sign(&attrs.to_der().unwrap());
        (Some(attrs), signature)
    };
    let mut signature = signature;
    if o.flip_signature {
        let last = signature.len() - 1;
        signature[last / 2] ^= 0x01;
    }
    SignerInfo {
        version: if o.by_key_id {
            CmsVersion::V3
        } else {
            CmsVersion::V1
        },
        sid: s.sid(o.by_key_id),
        digest_alg: alg(s.hash()),
        signed_attrs,
        signature_algorithm: s.signature_algorithm(o.bare_key_alg),
        signature: OctetString::new(signature).unwrap(),
        unsigned_attrs: None,
    }
}

/// A DER ContentInfo around a SignedData over `content`, one SignerInfo per signer.
fn cms_with(content: &[u8], signers: &[&TestSigner], o: &Opts) -> Vec<u8> {
    let infos: Vec<SignerInfo> = signers.iter().map(|s| signer_info(s, content, o)).collect();
    let encapsulated = o.swap_content.as_deref().unwrap_or(content);
    let certs: Vec<CertificateChoices> = signers
        .iter()
        .map(|s| CertificateChoices::Certificate(s.cert.clone()))
        .collect();
    let mut digests: Vec<AlgorithmIdentifierOwned> =
        signers.iter().map(|s| alg(s.hash())).collect();
    digests.dedup();
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(digests).unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: (!o.detached).then(|| {
                Any::encode_from(&OctetString::new(encapsulated.to_vec()).unwrap()).unwrap()
            }),
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).unwrap())),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(infos).unwrap()),
    };
    ContentInfo {
        content_type: rfc5911::ID_SIGNED_DATA,
        content: Any::encode_from(&sd).unwrap(),
    }
    .to_der()
    .unwrap()
}

fn cms(content: &[u8], signer: &TestSigner) -> Vec<u8> {
    cms_with(content, &[signer], &Opts::default())
}

/// A batch of `country` revoking `REVOKED_UCI` under `KID`.
fn batch(country: &str) -> Vec<u8> {
    let hash = CertHashes::compute(Some(REVOKED_UCI), None, None, &[])
        .uci
        .unwrap();
    json!({
        "country": country,
        "expires": "2099-01-01T00:00:00Z",
        "kid": B64.encode(KID),
        "hashType": "UCI",
        "entries": [{ "hash": B64.encode(hash) }, { "hash": B64.encode([9u8; 16]) }],
    })
    .to_string()
    .into_bytes()
}

fn read(bytes: &[u8], signers: &RevocationSigners) -> Result<RevocationList, String> {
    let mut b = RevocationListBuilder::new();
    b.add_cms("batch.cms", bytes, signers)
        .map_err(|e| e.to_string())?;
    Ok(b.build())
}

fn revokes(list: &RevocationList, uci: &str) -> bool {
    let hashes = CertHashes::compute(Some(uci), Some("CZ"), None, &[]);
    list.lookup(
        &hashes,
        Some(KID),
        Some("CZ"),
        datetime!(2030-01-01 0:00 UTC),
    )
    .is_some()
}

fn assert_err_contains(got: Result<RevocationList, String>, parts: &[&str], case: &str) {
    let err = got.err().unwrap_or_else(|| panic!("case {case}: accepted"));
    assert!(
        err.starts_with("revocation list batch.cms: "),
        "case {case}: {err}"
    );
    for part in parts {
        assert!(err.contains(part), "case {case}: {err:?} lacks {part:?}");
    }
}

#[test]
fn der_batch_verifies_and_revokes_for_each_algorithm() {
    for kind in [Kind::P256, Kind::P384, Kind::RsaPkcs1, Kind::RsaPss] {
        let signer = test_signer(kind, Some("CZ"), "CZ upload");
        for bare_key_alg in [false, true] {
            if kind == Kind::RsaPss && bare_key_alg {
                continue;
            }
            let o = Opts {
                bare_key_alg,
                ..Opts::default()
            };
            let der = cms_with(&batch("CZ"), &[&signer], &o);
            let list = read(&der, &signers_of(&[&signer]))
                .unwrap_or_else(|e| panic!("case {kind:?} bare {bare_key_alg}: {e}"));
            assert!(revokes(&list, REVOKED_UCI), "case {kind:?}");
            assert!(!revokes(&list, "URN:UVCI:01:CZ:OTHER#B"), "case {kind:?}");
            assert_eq!(list.batch_count(), 1);
        }
    }
}

/// BouncyCastle's encoding: every constructed element with an indefinite length, and OCTET
/// STRINGs longer than 16 bytes as constructed strings of 16-byte segments (the first one nested
/// once more), as `BEROctetString` writes eContent in 1000-byte ones.
fn to_ber(der: &[u8]) -> Vec<u8> {
    fn element(input: &[u8], out: &mut Vec<u8>) -> usize {
        let tag = input[0];
        let (len, header) = match input[1] {
            l if l < 0x80 => (l as usize, 2),
            l => {
                let n = (l & 0x7f) as usize;
                let len = input[2..2 + n]
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | *b as usize);
                (len, 2 + n)
            }
        };
        let content = &input[header..header + len];
        if tag & 0x20 != 0 {
            out.extend([tag, 0x80]);
            let mut pos = 0;
            while pos < content.len() {
                pos += element(&content[pos..], out);
            }
            out.extend([0, 0]);
        } else if tag == 0x04 && content.len() > 16 {
            out.extend([0x24, 0x80]);
            let mut chunks = content.chunks(16);
            let first = chunks.next().unwrap();
            out.extend([0x24, 0x80, 0x04, first.len() as u8]);
            out.extend(first);
            out.extend([0, 0]);
            for chunk in chunks {
                out.extend([0x04, chunk.len() as u8]);
                out.extend(chunk);
            }
            out.extend([0, 0]);
        } else {
            out.extend(&input[..header + len]);
        }
        header + len
    }
    let mut out = Vec::new();
    assert_eq!(element(der, &mut out), der.len());
    out
}

#[test]
fn ber_with_indefinite_lengths_and_segmented_content_verifies() {
    let der = cms(&batch("CZ"), cz());
    let ber = to_ber(&der);
    assert_ne!(ber, der);
    assert!(ber.windows(2).any(|w| w == [0x24, 0x80]));
    assert!(looks_like_cms(&ber));
    let list = read(&ber, &signers_of(&[cz()])).unwrap();
    assert!(revokes(&list, REVOKED_UCI));
}

#[test]
fn base64_and_pem_forms_verify() {
    let der = to_ber(&cms(&batch("CZ"), cz()));
    let b64 = B64.encode(&der);
    let wrapped: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let forms = [
        ("base64 on one line", b64.clone()),
        (
            "base64 in CRLF lines",
            format!("\r\n{}\r\n", wrapped.join("\r\n")),
        ),
        (
            "PEM CMS",
            format!(
                "-----BEGIN CMS-----\n{}\n-----END CMS-----\n",
                wrapped.join("\n")
            ),
        ),
        (
            "PEM PKCS7",
            format!(
                "-----BEGIN PKCS7-----\n{}\n-----END PKCS7-----\n",
                wrapped.join("\n")
            ),
        ),
    ];
    for (name, text) in forms {
        assert!(looks_like_cms(text.as_bytes()), "case {name}");
        let list = read(text.as_bytes(), &signers_of(&[cz()]))
            .unwrap_or_else(|e| panic!("case {name}: {e}"));
        assert!(revokes(&list, REVOKED_UCI), "case {name}");
    }
}

#[test]
fn signer_found_by_subject_key_identifier() {
    let o = Opts {
        by_key_id: true,
        ..Opts::default()
    };
    let der = cms_with(&batch("CZ"), &[cz()], &o);
    assert!(revokes(
        &read(&der, &signers_of(&[cz()])).unwrap(),
        REVOKED_UCI
    ));
}

#[test]
fn without_signed_attributes_the_signature_covers_the_content() {
    let o = Opts {
        no_signed_attrs: true,
        ..Opts::default()
    };
    let der = cms_with(&batch("CZ"), &[cz()], &o);
    assert!(revokes(
        &read(&der, &signers_of(&[cz()])).unwrap(),
        REVOKED_UCI
    ));
}

#[test]
fn an_unconfigured_signer_is_named() {
    let stranger = test_signer(Kind::P256, Some("CZ"), "Stranger");
    let der = cms(&batch("CZ"), &stranger);
    assert_err_contains(
        read(&der, &signers_of(&[cz()])),
        &[
            "the signer (issuer \"CN=Stranger,C=CZ\", serial",
            "is not one of the 1 configured revocation signer certificates",
        ],
        "stranger",
    );
    let o = Opts {
        by_key_id: true,
        ..Opts::default()
    };
    let der = cms_with(&batch("CZ"), &[&stranger], &o);
    assert_err_contains(
        read(&der, &RevocationSigners::new()),
        &["the signer (subject key identifier ", "of the 0 configured"],
        "stranger by key id, no signers",
    );
}

#[test]
fn refusals_name_what_is_wrong() {
    let signers = signers_of(&[cz()]);
    let content = batch("CZ");
    let other = test_signer(Kind::P256, Some("CZ"), "Other");
    let cases: Vec<(&str, Vec<u8>, &[&str])> =
        vec![
        (
            "tampered content",
            cms_with(
                &content,
                &[cz()],
                &Opts {
                    swap_content: Some([batch("CZ"), b" ".to_vec()].concat()),
                    ..Opts::default()
                },
            ),
            &["messageDigest attribute is not the SHA-256 of the content"],
        ),
        (
            "tampered content without signed attributes",
            cms_with(
                &content,
                &[cz()],
                &Opts {
                    no_signed_attrs: true,
                    swap_content: Some(batch("DE")),
                    ..Opts::default()
                },
            ),
            &["the signature does not verify with the key of \"CN=CZ revocation upload,C=CZ\""],
        ),
        (
            "tampered signature",
            cms_with(
                &content,
                &[cz()],
                &Opts {
                    flip_signature: true,
                    ..Opts::default()
                },
            ),
            &["the signature does not verify"],
        ),
        (
            "two SignerInfos",
            cms_with(&content, &[cz(), &other], &Opts::default()),
            &["2 SignerInfos, exactly one is expected"],
        ),
        (
            "detached",
            cms_with(
                &content,
                &[cz()],
                &Opts {
                    detached: true,
                    ..Opts::default()
                },
            ),
            &["no encapsulated content"],
        ),
        (
            "contentType attribute",
            cms_with(
                &content,
                &[cz()],
                &Opts {
                    content_type_attr: Some(rfc5911::ID_SIGNED_DATA),
                    ..Opts::default()
                },
            ),
            &["contentType 1.2.840.113549.1.7.2 is not id-data"],
        ),
        (
            "not signedData",
            ContentInfo {
                content_type: rfc5911::ID_DATA,
                content: Any::encode_from(&OctetString::new(content.clone()).unwrap()).unwrap(),
            }
            .to_der()
            .unwrap(),
            &["content type 1.2.840.113549.1.7.1 is not id-signedData"],
        ),
        (
            "JSON inside is wrong",
            cms(b"{\"country\": \"CZ\"}", cz()),
            &["the batch has no"],
        ),
        ("garbage base64", b"MI!!not base64".to_vec(), &["neither DER, PEM nor base64"]),
        ("empty", b"  \n".to_vec(), &["empty"]),
        ("bad BER", vec![0x30, 0x80, 0x02, 0x01], &["malformed BER at byte"]),
        (
            "PEM of a certificate",
            cz().pem.clone().into_bytes(),
            &["PEM block \"CERTIFICATE\" is not a CMS structure"],
        ),
    ];
    for (name, bytes, parts) in cases {
        assert_err_contains(read(&bytes, &signers), parts, name);
    }
}

#[test]
fn a_country_cannot_revoke_for_another() {
    let der = cms(&batch("DE"), cz());
    let mut b = RevocationListBuilder::new();
    let err = b
        .add_cms("de.cms", &der, &signers_of(&[cz()]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("revokes for country DE")
            && err.contains("signed by \"CN=CZ revocation upload,C=CZ\"")
            && err.contains("a certificate of country CZ"),
        "{err}"
    );
    // Nothing of the refused source is kept.
    assert_eq!(b.build().batch_count(), 0);

    // In an array, the offending batch is named.
    let array = format!(
        "[{}, {}]",
        String::from_utf8(batch("CZ")).unwrap(),
        String::from_utf8(batch("AT")).unwrap()
    );
    let err = read(&cms(array.as_bytes(), cz()), &signers_of(&[cz()])).unwrap_err();
    assert!(
        err.contains("the batch [1] revokes for country AT"),
        "{err}"
    );

    // A signer certificate without a country may sign for any.
    let countryless = test_signer(Kind::P256, None, "No country");
    let list = read(
        &cms(&batch("DE"), &countryless),
        &signers_of(&[&countryless]),
    )
    .unwrap();
    assert_eq!(list.batch_count(), 1);
}

#[test]
fn truncated_cms_is_an_error() {
    let der = to_ber(&cms(&batch("CZ"), cz()));
    let signers = signers_of(&[cz()]);
    for len in (0..der.len()).step_by(7) {
        assert!(
            read(&der[..len], &signers).is_err(),
            "prefix of {len} bytes"
        );
    }
}

#[test]
fn detects_cms() {
    let der = cms(&batch("CZ"), cz());
    let cases: [(&str, &[u8], bool); 9] = [
        ("DER", &der, true),
        ("BER", &[0x30, 0x80, 0x06], true),
        ("base64", b"  MIAGCSqGSIb3DQEHAqCAMIAC", true),
        ("PEM", b"-----BEGIN CMS-----\nMIA=\n-----END CMS-----", true),
        ("PKCS7 PEM", b"\n-----BEGIN PKCS7-----\n", true),
        ("JSON object", b"{\"country\": \"CZ\"}", false),
        ("JSON array", b" [ ]", false),
        ("JSON number", b"0", false),
        ("certificate PEM", b"-----BEGIN CERTIFICATE-----", false),
    ];
    for (name, bytes, want) in cases {
        assert_eq!(looks_like_cms(bytes), want, "case {name}");
    }
}

#[test]
fn signers_from_pem_der_and_base64() {
    let other = test_signer(Kind::P384, Some("AT"), "AT upload");
    let two_pem = format!("{}\n{}", cz().pem, other.pem);
    assert_eq!(
        RevocationSigners::from_pem_or_der(two_pem.as_bytes())
            .unwrap()
            .len(),
        2
    );
    let two_der = [cz().der.clone(), other.der.clone()].concat();
    let signers = RevocationSigners::from_pem_or_der(&two_der).unwrap();
    assert_eq!(signers.len(), 2);
    assert!(read(&cms(&batch("AT"), &other), &signers).is_ok());
    let b64 = B64.encode(&cz().der);
    assert_eq!(
        RevocationSigners::from_pem_or_der(b64.as_bytes())
            .unwrap()
            .len(),
        1
    );
    for (name, bytes, want) in [
        ("garbage", &b"hello"[..], "neither PEM, DER nor base64"),
        (
            "no certificate",
            b"-----BEGIN X-----\nAA==\n-----END X-----\n",
            "no certificate",
        ),
        (
            "not X.509",
            &[0x30, 0x03, 0x02, 0x01, 0x05],
            "certificate #1: not X.509",
        ),
    ] {
        let err = RevocationSigners::from_pem_or_der(bytes)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("revocation signer certificate: "),
            "case {name}: {err}"
        );
        assert!(err.contains(want), "case {name}: {err}");
    }
}

fn valid_inputs() -> &'static [Vec<u8>] {
    static INPUTS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let der = cms(&batch("CZ"), cz());
        let ber = to_ber(&der);
        vec![der, ber]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read(&bytes, &signers_of(&[cz()]));
        let _ = looks_like_cms(&bytes);
        let _ = RevocationSigners::from_pem_or_der(&bytes);
    }

    #[test]
    fn ber_shaped_bytes_never_panic(
        body in proptest::collection::vec(
            prop_oneof![Just(0x30u8), Just(0x80), Just(0x24), Just(0x04), Just(0), Just(0xa0), any::<u8>()],
            0..300,
        )
    ) {
        let mut bytes = vec![0x30, 0x80];
        bytes.extend(body);
        let _ = read(&bytes, &signers_of(&[cz()]));
    }

    #[test]
    fn mutated_cms_never_panics_nor_yields_a_forged_batch(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = valid_inputs()[which].clone();
        for (at, xor) in edits {
            let i = at.index(bytes.len());
            bytes[i] ^= xor;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        // Most edits break it; an edit that does not (a byte in an unsigned, unchecked field
        // such as the embedded certificate's signature) must still yield the signed batch.
        if let Ok(list) = read(&bytes, &signers_of(&[cz()])) {
            prop_assert!(revokes(&list, REVOKED_UCI));
        }
    }
}

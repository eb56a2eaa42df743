//! Tests of registration by a personal certificate: chains, key usage, CMS and raw
//! signatures, made here with rcgen.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::OnceLock;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair};
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::CmsVersion;
use cms::signed_data::{CertificateSet, EncapsulatedContentInfo, SignerInfos};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag as DerTag};
use proptest::prelude::*;
use rcgen::{
    date_time_ymd, BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, RsaKeySize, SanType, SerialNumber,
    SignatureAlgorithm,
};

use super::*;

/// 2025-06-01T00:00:00Z.
const NOW: i64 = 1_748_736_000;
const CHALLENGE: &[u8] = b"dcc registration challenge 7f3c9a1e5b2d4c68";

struct Ca {
    cert: Certificate,
    key: KeyPair,
}

struct User {
    cert: Certificate,
    key: KeyPair,
}

fn key(alg: &'static SignatureAlgorithm) -> KeyPair {
    KeyPair::generate_for(alg).unwrap()
}

fn rsa_key() -> KeyPair {
    KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap()
}

fn ca_params(cn: &str, path_len: Option<u8>) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name
        .push(DnType::OrganizationName, "dcc tests");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(path_len.map_or(BasicConstraints::Unconstrained, |n| {
        BasicConstraints::Constrained(n)
    }));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    p
}

fn root(cn: &str) -> Ca {
    let key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
    let cert = ca_params(cn, None).self_signed(&key).unwrap();
    Ca { cert, key }
}

fn sub_ca(parent: &Ca, params: CertificateParams, key: KeyPair) -> Ca {
    let cert = params.signed_by(&key, &parent.cert, &parent.key).unwrap();
    Ca { cert, key }
}

fn intermediate(parent: &Ca, cn: &str) -> Ca {
    sub_ca(
        parent,
        ca_params(cn, None),
        key(&rcgen::PKCS_ECDSA_P384_SHA384),
    )
}

fn user_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::CountryName, "SK");
    p.distinguished_name
        .push(DnType::OrganizationName, "dcc tests");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.subject_alt_names = vec![SanType::Rfc822Name(
        "jana.novakova@example.sk".try_into().unwrap(),
    )];
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::EmailProtection,
    ];
    p.not_before = date_time_ymd(2024, 1, 1);
    p.not_after = date_time_ymd(2030, 1, 1);
    p
}

fn issue(params: CertificateParams, key: KeyPair, ca: &Ca) -> User {
    let cert = params.signed_by(&key, &ca.cert, &ca.key).unwrap();
    User { cert, key }
}

fn user(ca: &Ca, alg: &'static SignatureAlgorithm) -> User {
    issue(user_params("Jana Nováková"), key(alg), ca)
}

fn cas(cas: &[&Ca]) -> TrustedCas {
    let pem: String = cas.iter().map(|ca| ca.cert.pem()).collect();
    TrustedCas::from_pem(pem.as_bytes()).unwrap()
}

fn chain_pem(user: &User, intermediates: &[&Ca]) -> String {
    let mut pem = user.cert.pem();
    for ca in intermediates {
        pem.push_str(&ca.cert.pem());
    }
    pem
}

fn rsa_sign(
    key: &KeyPair,
    padding: &'static dyn aws_lc_rs::signature::RsaEncoding,
    msg: &[u8],
) -> Vec<u8> {
    let pair = RsaKeyPair::from_pkcs8(&key.serialize_der()).unwrap();
    let mut out = vec![0u8; pair.public_modulus_len()];
    pair.sign(padding, &SystemRandom::new(), msg, &mut out)
        .unwrap();
    out
}

/// The natural signature of `key` over `msg` (RSA: PKCS#1 v1.5 with SHA-256).
fn sign(key: &KeyPair, msg: &[u8]) -> Vec<u8> {
    let rng = SystemRandom::new();
    let pkcs8 = key.serialize_der();
    let alg = key.algorithm();
    if alg == &rcgen::PKCS_ECDSA_P256_SHA256 || alg == &rcgen::PKCS_ECDSA_P384_SHA384 {
        let signing = if alg == &rcgen::PKCS_ECDSA_P256_SHA256 {
            &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1_SIGNING
        } else {
            &aws_lc_rs::signature::ECDSA_P384_SHA384_ASN1_SIGNING
        };
        let pair = EcdsaKeyPair::from_pkcs8(signing, &pkcs8).unwrap();
        pair.sign(&rng, msg).unwrap().as_ref().to_vec()
    } else if alg == &rcgen::PKCS_ED25519 {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8).unwrap();
        pair.sign(msg).as_ref().to_vec()
    } else {
        rsa_sign(key, &aws_lc_rs::signature::RSA_PKCS1_SHA256, msg)
    }
}

fn plain(trusted: &TrustedCas, user: &User, intermediates: &[&Ca]) -> Result<Signer, CertRegError> {
    let signature = sign(&user.key, CHALLENGE);
    verify_plain(
        trusted,
        chain_pem(user, intermediates).as_bytes(),
        CHALLENGE,
        &signature,
        NOW,
    )
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let n = content.len();
    let mut out = vec![tag];
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn alg_der(oid: ObjectIdentifier) -> Vec<u8> {
    tlv(0x30, &oid.to_der().unwrap())
}

fn attr(oid: ObjectIdentifier, value: &[u8]) -> Vec<u8> {
    tlv(0x30, &[oid.to_der().unwrap(), tlv(0x31, value)].concat())
}

struct CmsOptions<'a> {
    attached: bool,
    signed_attrs: bool,
    /// The messageDigest attribute is computed over this instead of the content.
    digest_over: Option<&'a [u8]>,
    ski: bool,
    /// Certificates (DER) put into the SignedData.
    certs: Vec<Vec<u8>>,
    signature_algorithm: ObjectIdentifier,
    signers: usize,
}

impl CmsOptions<'_> {
    fn new(signer: &User, signature_algorithm: ObjectIdentifier) -> Self {
        Self {
            attached: true,
            signed_attrs: true,
            digest_over: None,
            ski: false,
            certs: vec![signer.cert.der().to_vec()],
            signature_algorithm,
            signers: 1,
        }
    }
}

fn build_cms(signer: &User, content: &[u8], o: &CmsOptions<'_>) -> Vec<u8> {
    let signer_der = signer.cert.der().to_vec();
    let (_, cert) = X509Certificate::from_der(&signer_der).unwrap();
    let sid = if o.ski {
        let ski = Parsed::new(&signer_der, 0)
            .unwrap()
            .subject_key_id()
            .unwrap()
            .to_vec();
        SignerIdentifier::SubjectKeyIdentifier(Decode::from_der(&tlv(0x04, &ski)).unwrap())
    } else {
        SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: Decode::from_der(cert.issuer().as_raw()).unwrap(),
            serial_number: Decode::from_der(&tlv(0x02, cert.raw_serial())).unwrap(),
        })
    };
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, o.digest_over.unwrap_or(content));
    let attrs_der = tlv(
        0x31,
        &[
            attr(
                rfc5911::ID_CONTENT_TYPE,
                &rfc5911::ID_DATA.to_der().unwrap(),
            ),
            attr(rfc5911::ID_MESSAGE_DIGEST, &tlv(0x04, digest.as_ref())),
        ]
        .concat(),
    );
    let attrs: cms::signed_data::SignedAttributes = Decode::from_der(&attrs_der).unwrap();
    let message = if o.signed_attrs {
        attrs.to_der().unwrap()
    } else {
        content.to_vec()
    };
    let signature = sign(&signer.key, &message);
    let version = if o.ski {
        CmsVersion::V3
    } else {
        CmsVersion::V1
    };
    let info = SignerInfo {
        version,
        sid,
        digest_alg: Decode::from_der(&alg_der(rfc5912::ID_SHA_256)).unwrap(),
        signed_attrs: o.signed_attrs.then_some(attrs),
        signature_algorithm: Decode::from_der(&alg_der(o.signature_algorithm)).unwrap(),
        signature: OctetString::new(signature.clone()).unwrap(),
        unsigned_attrs: None,
    };
    let mut infos = vec![info.clone()];
    for i in 1..o.signers {
        let mut other = info.clone();
        let mut bytes = signature.clone();
        bytes.push(i as u8);
        other.signature = OctetString::new(bytes).unwrap();
        infos.push(other);
    }
    let certificates = (!o.certs.is_empty()).then(|| {
        let choices: Vec<CertificateChoices> = o
            .certs
            .iter()
            .map(|der| CertificateChoices::Certificate(Decode::from_der(der).unwrap()))
            .collect();
        CertificateSet(SetOfVec::try_from(choices).unwrap())
    });
    let sd = SignedData {
        version,
        digest_algorithms: SetOfVec::try_from(vec![Decode::from_der(&alg_der(
            rfc5912::ID_SHA_256,
        ))
        .unwrap()])
        .unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: rfc5911::ID_DATA,
            econtent: o
                .attached
                .then(|| Any::new(DerTag::OctetString, content.to_vec()).unwrap()),
        },
        certificates,
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

// ---- plain proofs ----

#[test]
fn plain_p256_directly_under_the_root() {
    let root = root("dcc Test Root CA");
    let mut params = user_params("Jana Nováková");
    params.serial_number = Some(SerialNumber::from_slice(&[0x01, 0x23, 0x45]));
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let signer = plain(&cas(&[&root]), &user, &[]).unwrap();
    assert_eq!(signer.subject, "CN=Jana Nováková,O=dcc tests,C=SK");
    assert_eq!(signer.common_name.as_deref(), Some("Jana Nováková"));
    assert_eq!(signer.email.as_deref(), Some("jana.novakova@example.sk"));
    assert_eq!(signer.serial_hex, "012345");
    let fingerprint = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, user.cert.der());
    assert_eq!(signer.fingerprint_sha256.as_slice(), fingerprint.as_ref());
    assert_eq!(signer.not_after, 1_893_456_000); // 2030-01-01
}

#[test]
fn plain_ed25519_through_an_intermediate() {
    let root = root("dcc Test Root CA");
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let user = user(&inter, &rcgen::PKCS_ED25519);
    let signer = plain(&cas(&[&root]), &user, &[&inter]).unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Jana Nováková"));
}

#[test]
fn plain_p384_through_an_ed25519_intermediate() {
    let root = root("dcc Test Root CA");
    let inter = sub_ca(
        &root,
        ca_params("dcc Ed25519 CA", None),
        key(&rcgen::PKCS_ED25519),
    );
    let user = user(&inter, &rcgen::PKCS_ECDSA_P384_SHA384);
    plain(&cas(&[&root]), &user, &[&inter]).unwrap();
}

#[test]
fn plain_rsa_pkcs1_and_pss_through_an_rsa_intermediate() {
    let root = root("dcc Test Root CA");
    let inter = sub_ca(&root, ca_params("dcc RSA CA", None), rsa_key());
    let user = issue(user_params("Ján Rusnák"), rsa_key(), &inter);
    let trusted = cas(&[&root]);
    let pem = chain_pem(&user, &[&inter]);
    let pkcs1 = rsa_sign(
        &user.key,
        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
        CHALLENGE,
    );
    let signer = verify_plain(&trusted, pem.as_bytes(), CHALLENGE, &pkcs1, NOW).unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Ján Rusnák"));
    let pss = rsa_sign(&user.key, &aws_lc_rs::signature::RSA_PSS_SHA256, CHALLENGE);
    verify_plain(&trusted, pem.as_bytes(), CHALLENGE, &pss, NOW).unwrap();
    let other = rsa_sign(
        &user.key,
        &aws_lc_rs::signature::RSA_PSS_SHA256,
        b"another challenge",
    );
    assert!(matches!(
        verify_plain(&trusted, pem.as_bytes(), CHALLENGE, &other, NOW),
        Err(CertRegError::BadSignature { .. })
    ));
}

#[test]
fn der_user_certificate_is_accepted() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let signature = sign(&user.key, CHALLENGE);
    verify_plain(&cas(&[&root]), user.cert.der(), CHALLENGE, &signature, NOW).unwrap();
}

#[test]
fn missing_intermediate_is_a_chain_error() {
    let root = root("dcc Test Root CA");
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let user = user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(
        matches!(err, CertRegError::UntrustedIssuer { ref issuer, .. } if issuer == "CN=dcc Test Issuing CA,O=dcc tests"),
        "{err}"
    );
}

#[test]
fn certificate_from_another_ca_is_a_chain_error() {
    let root = root("dcc Test Root CA");
    let other = self::root("Someone Else CA");
    let user = user(&other, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(matches!(err, CertRegError::UntrustedIssuer { .. }), "{err}");
    // Supplying the foreign CA as an "intermediate" does not help: it is not trusted.
    let err = plain(&cas(&[&root]), &user, &[&other]).unwrap_err();
    assert!(matches!(err, CertRegError::UntrustedIssuer { .. }), "{err}");
}

#[test]
fn impostor_ca_with_the_trusted_name_is_a_signature_error() {
    let root = root("dcc Test Root CA");
    let impostor = self::root("dcc Test Root CA");
    let user = user(&impostor, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(matches!(err, CertRegError::ChainSignature { .. }), "{err}");
}

#[test]
fn expired_user_certificate() {
    let root = root("dcc Test Root CA");
    let mut params = user_params("Jana Nováková");
    params.not_before = date_time_ymd(2023, 1, 1);
    params.not_after = date_time_ymd(2025, 1, 1);
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(
        matches!(
            err,
            CertRegError::Expired {
                not_after: 1_735_689_600,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn not_yet_valid_user_certificate() {
    let root = root("dcc Test Root CA");
    let mut params = user_params("Jana Nováková");
    params.not_before = date_time_ymd(2026, 1, 1);
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(matches!(err, CertRegError::NotYetValid { .. }), "{err}");
}

#[test]
fn expired_intermediate() {
    let root = root("dcc Test Root CA");
    let mut params = ca_params("dcc Short CA", None);
    params.not_after = date_time_ymd(2025, 3, 1);
    let inter = sub_ca(&root, params, key(&rcgen::PKCS_ECDSA_P256_SHA256));
    let user = user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &user, &[&inter]).unwrap_err();
    assert!(
        matches!(err, CertRegError::Expired { ref subject, .. } if subject == "CN=dcc Short CA,O=dcc tests"),
        "{err}"
    );
}

#[test]
fn expired_trust_anchor() {
    let key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
    let mut params = ca_params("dcc Old Root", None);
    params.not_after = date_time_ymd(2025, 1, 1);
    let root = Ca {
        cert: params.self_signed(&key).unwrap(),
        key,
    };
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(matches!(err, CertRegError::Expired { .. }), "{err}");
}

#[test]
fn key_encipherment_only_is_a_key_usage_error() {
    let root = root("dcc Test Root CA");
    let mut params = user_params("Jana Nováková");
    params.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(matches!(err, CertRegError::KeyUsage { .. }), "{err}");
}

#[test]
fn non_repudiation_alone_and_no_key_usage_are_accepted() {
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    let mut params = user_params("Jana Nováková");
    params.key_usages = vec![KeyUsagePurpose::ContentCommitment];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    plain(&trusted, &user, &[]).unwrap();
    let mut params = user_params("Jana Nováková");
    params.key_usages = vec![];
    params.extended_key_usages = vec![];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    plain(&trusted, &user, &[]).unwrap();
}

#[test]
fn server_auth_only_is_an_extended_key_usage_error() {
    let root = root("dcc Test Root CA");
    let mut params = user_params("Jana Nováková");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(
        matches!(err, CertRegError::ExtendedKeyUsage { .. }),
        "{err}"
    );
    let mut params = user_params("Jana Nováková");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::Any];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    plain(&cas(&[&root]), &user, &[]).unwrap();
}

#[test]
fn ca_certificate_as_user_certificate_is_refused() {
    let root = root("dcc Test Root CA");
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let as_user = User {
        cert: inter.cert,
        key: inter.key,
    };
    let err = plain(&cas(&[&root]), &as_user, &[]).unwrap_err();
    assert!(matches!(err, CertRegError::UserIsCa { .. }), "{err}");
}

#[test]
fn end_entity_certificate_cannot_act_as_intermediate() {
    let root = root("dcc Test Root CA");
    let ee = issue(
        user_params("Not A CA"),
        key(&rcgen::PKCS_ECDSA_P256_SHA256),
        &root,
    );
    let fake_ca = Ca {
        cert: ee.cert,
        key: ee.key,
    };
    let victim = user(&fake_ca, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &victim, &[&fake_ca]).unwrap_err();
    assert!(matches!(err, CertRegError::NotACa { .. }), "{err}");
}

#[test]
fn signature_over_another_challenge_is_refused() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let signature = sign(&user.key, b"yesterday's challenge");
    let err = verify_plain(
        &cas(&[&root]),
        user.cert.pem().as_bytes(),
        CHALLENGE,
        &signature,
        NOW,
    )
    .unwrap_err();
    assert!(matches!(err, CertRegError::BadSignature { .. }), "{err}");
    // Signed by another key than the certificate's.
    let stranger = key(&rcgen::PKCS_ECDSA_P256_SHA256);
    let signature = sign(&stranger, CHALLENGE);
    let err = verify_plain(
        &cas(&[&root]),
        user.cert.pem().as_bytes(),
        CHALLENGE,
        &signature,
        NOW,
    )
    .unwrap_err();
    assert!(matches!(err, CertRegError::BadSignature { .. }), "{err}");
    let err = verify_plain(
        &cas(&[&root]),
        user.cert.pem().as_bytes(),
        b"",
        &signature,
        NOW,
    )
    .unwrap_err();
    assert_eq!(err, CertRegError::EmptyChallenge);
}

#[test]
fn tampered_certificate_is_refused() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ED25519);
    let signature = sign(&user.key, CHALLENGE);
    let mut der = user.cert.der().to_vec();
    let at = der.windows(4).position(|w| w == b"Jana").unwrap();
    der[at] = b'H';
    let pem = pem::encode(&pem::Pem::new("CERTIFICATE", der.clone()));
    let err = verify_plain(&cas(&[&root]), pem.as_bytes(), CHALLENGE, &signature, NOW).unwrap_err();
    assert!(matches!(err, CertRegError::ChainSignature { .. }), "{err}");
    // Truncated DER and PEM.
    let cut = &der[..der.len() - 10];
    let err = verify_plain(&cas(&[&root]), cut, CHALLENGE, &signature, NOW).unwrap_err();
    assert!(matches!(err, CertRegError::Certificate { .. }), "{err}");
    let pem = user.cert.pem();
    let err = verify_plain(
        &cas(&[&root]),
        &pem.as_bytes()[..pem.len() / 2],
        CHALLENGE,
        &signature,
        NOW,
    )
    .unwrap_err();
    assert!(matches!(err, CertRegError::Pem(_)), "{err}");
}

#[test]
fn chain_depth_is_limited() {
    let root = root("dcc Test Root CA");
    let i1 = intermediate(&root, "dcc CA 1");
    let i2 = intermediate(&i1, "dcc CA 2");
    let i3 = intermediate(&i2, "dcc CA 3");
    let i4 = intermediate(&i3, "dcc CA 4");
    let trusted = cas(&[&root]);
    let ok = user(&i3, &rcgen::PKCS_ECDSA_P256_SHA256);
    // Intermediates in any order.
    plain(&trusted, &ok, &[&i1, &i3, &i2]).unwrap();
    let deep = user(&i4, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&trusted, &deep, &[&i4, &i3, &i2, &i1]).unwrap_err();
    assert!(matches!(err, CertRegError::ChainTooLong { .. }), "{err}");
}

#[test]
fn path_length_constraint_is_honoured() {
    let root = root("dcc Test Root CA");
    let limited = sub_ca(
        &root,
        ca_params("dcc Limited CA", Some(0)),
        key(&rcgen::PKCS_ECDSA_P256_SHA256),
    );
    let below = intermediate(&limited, "dcc Below CA");
    let trusted = cas(&[&root]);
    plain(
        &trusted,
        &user(&limited, &rcgen::PKCS_ECDSA_P256_SHA256),
        &[&limited],
    )
    .unwrap();
    let err = plain(
        &trusted,
        &user(&below, &rcgen::PKCS_ECDSA_P256_SHA256),
        &[&below, &limited],
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            CertRegError::PathLength {
                allowed: 0,
                found: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn intermediate_can_be_a_trust_anchor() {
    let root = root("dcc Test Root CA");
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let user = user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
    plain(&cas(&[&inter]), &user, &[]).unwrap();
}

#[test]
fn trusted_cas_loading() {
    let root = root("dcc Test Root CA");
    let other = self::root("Other Root CA");
    assert_eq!(cas(&[&root, &other]).count(), 2);
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    assert!(matches!(
        TrustedCas::from_pem(user.cert.pem().as_bytes()),
        Err(CertRegError::NotACa { .. })
    ));
    assert_eq!(TrustedCas::from_pem(b""), Err(CertRegError::NoCertificate));
    assert!(matches!(
        TrustedCas::from_pem(user.key.serialize_pem().as_bytes()),
        Err(CertRegError::Pem(_))
    ));
    assert!(TrustedCas::from_pem(b"not a certificate").is_err());
}

#[test]
fn rfc4514_escaping() {
    let mut out = String::new();
    escape_rfc4514(&mut out, "#Doe, John+\"Jr\" <x>;\\ ");
    assert_eq!(out, "\\#Doe\\, John\\+\\\"Jr\\\" \\<x\\>\\;\\\\\\ ");
    let mut out = String::new();
    escape_rfc4514(&mut out, " a\u{0}b");
    assert_eq!(out, "\\ a\\00b");
}

#[test]
fn subject_with_special_characters_and_serial_number() {
    let root = root("dcc Test Root CA");
    let mut params = user_params("Doe, John");
    params.distinguished_name.push(
        DnType::CustomDnType(vec![2, 5, 4, 5]),
        rcgen::DnValue::PrintableString("PNOSK-1234567890".try_into().unwrap()),
    );
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let signer = plain(&cas(&[&root]), &user, &[]).unwrap();
    assert_eq!(
        signer.subject,
        "serialNumber=PNOSK-1234567890,CN=Doe\\, John,O=dcc tests,C=SK"
    );
}

// ---- CMS ----

#[test]
fn cms_attached_with_signed_attributes() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let cms = build_cms(
        &user,
        CHALLENGE,
        &CmsOptions::new(&user, rfc5912::ECDSA_WITH_SHA_256),
    );
    assert_eq!(ProofKind::detect(&cms), ProofKind::Cms);
    let signer = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Jana Nováková"));
    let pem = pem::encode(&pem::Pem::new("CMS", cms));
    assert_eq!(ProofKind::detect(pem.as_bytes()), ProofKind::Cms);
    verify_cms(&cas(&[&root]), pem.as_bytes(), CHALLENGE, NOW).unwrap();
}

#[test]
fn cms_detached_through_an_intermediate() {
    let root = root("dcc Test Root CA");
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let user = user(&inter, &rcgen::PKCS_ED25519);
    let mut o = CmsOptions::new(&user, rfc8410::ID_ED_25519);
    o.attached = false;
    o.certs.push(inter.cert.der().to_vec());
    let cms = build_cms(&user, CHALLENGE, &o);
    verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap();
    // Detached content over other bytes: the messageDigest no longer matches.
    let err = verify_cms(&cas(&[&root]), &cms, b"another challenge", NOW).unwrap_err();
    assert_eq!(err, CertRegError::CmsDigestMismatch);
}

#[test]
fn cms_rsa_without_signed_attributes_by_subject_key_identifier() {
    let root = root("dcc Test Root CA");
    let user = issue(user_params("Ján Rusnák"), rsa_key(), &root);
    let mut o = CmsOptions::new(&user, rfc5912::RSA_ENCRYPTION);
    o.signed_attrs = false;
    o.ski = true;
    let cms = build_cms(&user, CHALLENGE, &o);
    let signer = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap();
    assert_eq!(signer.common_name.as_deref(), Some("Ján Rusnák"));
    o.attached = false;
    let cms = build_cms(&user, CHALLENGE, &o);
    verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap();
    let err = verify_cms(&cas(&[&root]), &cms, b"another challenge", NOW).unwrap_err();
    assert!(matches!(err, CertRegError::BadSignature { .. }), "{err}");
}

#[test]
fn cms_wrong_content() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let cms = build_cms(
        &user,
        b"another challenge",
        &CmsOptions::new(&user, rfc5912::ECDSA_WITH_SHA_256),
    );
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert_eq!(err, CertRegError::CmsContentMismatch);
}

#[test]
fn cms_wrong_message_digest() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let mut o = CmsOptions::new(&user, rfc5912::ECDSA_WITH_SHA_256);
    o.digest_over = Some(b"something else");
    let cms = build_cms(&user, CHALLENGE, &o);
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert_eq!(err, CertRegError::CmsDigestMismatch);
}

#[test]
fn cms_tampered_signature_and_wrong_signer_key() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    // The certificate of another user in place of the signer's: nothing matches the sid.
    let other = user_with_cn(&root, "Peter Novák");
    let mut o = CmsOptions::new(&user, rfc5912::ECDSA_WITH_SHA_256);
    o.certs = vec![other.cert.der().to_vec()];
    let cms = build_cms(&user, CHALLENGE, &o);
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert_eq!(err, CertRegError::CmsSignerNotFound);
    // Signed by a key other than the certificate's.
    let forger = User {
        cert: user.cert,
        key: key(&rcgen::PKCS_ECDSA_P256_SHA256),
    };
    let cms = build_cms(
        &forger,
        CHALLENGE,
        &CmsOptions::new(&forger, rfc5912::ECDSA_WITH_SHA_256),
    );
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert!(matches!(err, CertRegError::BadSignature { .. }), "{err}");
}

fn user_with_cn(ca: &Ca, cn: &str) -> User {
    issue(user_params(cn), key(&rcgen::PKCS_ECDSA_P256_SHA256), ca)
}

#[test]
fn cms_chain_and_usage_checks_apply() {
    let root = root("dcc Test Root CA");
    let other = self::root("Someone Else CA");
    let foreign = user(&other, &rcgen::PKCS_ECDSA_P256_SHA256);
    let cms = build_cms(
        &foreign,
        CHALLENGE,
        &CmsOptions::new(&foreign, rfc5912::ECDSA_WITH_SHA_256),
    );
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert!(matches!(err, CertRegError::UntrustedIssuer { .. }), "{err}");
    let mut params = user_params("Jana Nováková");
    params.not_after = date_time_ymd(2025, 1, 1);
    let expired = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let cms = build_cms(
        &expired,
        CHALLENGE,
        &CmsOptions::new(&expired, rfc5912::ECDSA_WITH_SHA_256),
    );
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert!(matches!(err, CertRegError::Expired { .. }), "{err}");
}

#[test]
fn cms_with_two_signers_is_refused() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let mut o = CmsOptions::new(&user, rfc5912::ECDSA_WITH_SHA_256);
    o.signers = 2;
    let cms = build_cms(&user, CHALLENGE, &o);
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert_eq!(err, CertRegError::CmsSignerCount(2));
}

#[test]
fn proof_dispatch_and_extra_intermediates_for_cms() {
    let root = root("dcc Test Root CA");
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let user = user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
    let trusted = cas(&[&root]);
    // CMS with only the signer's certificate; the intermediate comes with the proof.
    let cms = build_cms(
        &user,
        CHALLENGE,
        &CmsOptions::new(&user, rfc5912::ECDSA_WITH_SHA_256),
    );
    let inter_pem = inter.cert.pem();
    let proof = Proof {
        kind: ProofKind::detect(&cms),
        certificates: inter_pem.as_bytes(),
        signature: &cms,
    };
    assert_eq!(proof.kind, ProofKind::Cms);
    verify(&trusted, &proof, CHALLENGE, NOW).unwrap();
    assert!(matches!(
        verify_cms(&trusted, &cms, CHALLENGE, NOW),
        Err(CertRegError::UntrustedIssuer { .. })
    ));
    let signature = sign(&user.key, CHALLENGE);
    let pem = chain_pem(&user, &[&inter]);
    let proof = Proof {
        kind: ProofKind::detect(&signature),
        certificates: pem.as_bytes(),
        signature: &signature,
    };
    assert_eq!(proof.kind, ProofKind::Plain);
    verify(&trusted, &proof, CHALLENGE, NOW).unwrap();
}

// ---- interoperability: made by OpenSSL 3.0 ----
//
// `openssl req -x509` (P-256 CA, 2026-12-02 to 2046-11-27), a P-256 user certificate
// (2026-12-02 to 2036-11-29, CN=Jana Novakova, emailAddress in the subject) and
// `openssl cms -sign -binary -md sha256 [-nodetach] [-keyid]` over CHALLENGE: signed
// attributes contentType, signingTime, messageDigest and smimeCapabilities.

const OPENSSL_CA: &str = "\
-----BEGIN CERTIFICATE-----
MIIBwjCCAWegAwIBAgIUdfqCDpGElTa1ZbtSxpp9ySrpP1UwCgYIKoZIzj0EAwIw
LjESMBAGA1UECgwJZGNjIHRlc3RzMRgwFgYDVQQDDA9PcGVuU1NMIFRlc3QgQ0Ew
HhcNMjYxMjAyMjE1MDEyWhcNNDYxMTI3MjE1MDEyWjAuMRIwEAYDVQQKDAlkY2Mg
dGVzdHMxGDAWBgNVBAMMD09wZW5TU0wgVGVzdCBDQTBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABJ1/iHjjjR3VEbYA4mZIQvJyDr7TVMNuhoxLAfdlmIWdKL0DrAxr
dcU2Jv7E+OL2SRhdCGUUwveFWSOVMUvmX+CjYzBhMB0GA1UdDgQWBBSdDgUccqnP
BykYcv+j0mvIpSljTjAfBgNVHSMEGDAWgBSdDgUccqnPBykYcv+j0mvIpSljTjAP
BgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQDAgNJADBG
AiEA64wNrpAaR2ou1spIfI9+rMPY/5Y6m5DLFFnf1GZefzgCIQD4zAaoFA5KwMgt
GcjCOOYM2llCayy7DZm37N5nFErQMQ==
-----END CERTIFICATE-----
";

/// Attached content, signer identified by issuer and serial number.
const OPENSSL_CMS_ATTACHED: &str = "\
-----BEGIN CMS-----
MIIECwYJKoZIhvcNAQcCoIID/DCCA/gCAQExDTALBglghkgBZQMEAgEwOgYJKoZI
hvcNAQcBoC0EK2RjYyByZWdpc3RyYXRpb24gY2hhbGxlbmdlIDdmM2M5YTFlNWIy
ZDRjNjigggIJMIICBTCCAaugAwIBAgIUHShhY3bYOeJx5dEjB11vd7YpVK8wCgYI
KoZIzj0EAwIwLjESMBAGA1UECgwJZGNjIHRlc3RzMRgwFgYDVQQDDA9PcGVuU1NM
IFRlc3QgQ0EwHhcNMjYxMjAyMjE1MDEyWhcNMzYxMTI5MjE1MDEyWjBZMQswCQYD
VQQGEwJTSzESMBAGA1UECgwJZGNjIHRlc3RzMRYwFAYDVQQDDA1KYW5hIE5vdmFr
b3ZhMR4wHAYJKoZIhvcNAQkBFg9qYW5hQGV4YW1wbGUuc2swWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQWgrGf1JO8DTD13OXhsOvxeQYUoDm3pTdRDV+JZ+hDnlxa
Zfs35GS2WQH8+zKvR4sMvJgmLknMFBKZX2/1NNUFo3wwejAJBgNVHRMEAjAAMA4G
A1UdDwEB/wQEAwIGwDAdBgNVHSUEFjAUBggrBgEFBQcDAgYIKwYBBQUHAwQwHQYD
VR0OBBYEFEqvwoeSIzHBTAKXw3g1gHiBdEC4MB8GA1UdIwQYMBaAFJ0OBRxyqc8H
KRhy/6PSa8ilKWNOMAoGCCqGSM49BAMCA0gAMEUCIG5EDpOE2C3TB+oA/zblMCGs
v5JpFiyAWBqFsGmyn7XzAiEAtzlTFr7iZIMoAu2Vs4nh9Xwl1tflAERwwhuIO/6I
EG4xggGZMIIBlQIBATBGMC4xEjAQBgNVBAoMCWRjYyB0ZXN0czEYMBYGA1UEAwwP
T3BlblNTTCBUZXN0IENBAhQdKGFjdtg54nHl0SMHXW93tilUrzALBglghkgBZQME
AgGggeQwGAYJKoZIhvcNAQkDMQsGCSqGSIb3DQEHATAcBgkqhkiG9w0BCQUxDxcN
MjYxMjAyMjE1MDEzWjAvBgkqhkiG9w0BCQQxIgQgLnIDWF+wEWli/S2fsUS67M0w
BD/V8jcg5PkyblYgezAweQYJKoZIhvcNAQkPMWwwajALBglghkgBZQMEASowCwYJ
YIZIAWUDBAEWMAsGCWCGSAFlAwQBAjAKBggqhkiG9w0DBzAOBggqhkiG9w0DAgIC
AIAwDQYIKoZIhvcNAwICAUAwBwYFKw4DAgcwDQYIKoZIhvcNAwICASgwCgYIKoZI
zj0EAwIESDBGAiEA5++4Xinp6PLUMnwfpIWUMYe9YwctnuFkLD/WiHOS1bYCIQDD
dLRF9Jjaep/GNleBvWQAIF5zUDMrH0Ph8+qvk4xEUQ==
-----END CMS-----
";

/// Detached content, signer identified by subject key identifier.
const OPENSSL_CMS_DETACHED_KEYID: &str = "\
-----BEGIN CMS-----
MIIDqQYJKoZIhvcNAQcCoIIDmjCCA5YCAQMxDTALBglghkgBZQMEAgEwCwYJKoZI
hvcNAQcBoIICCTCCAgUwggGroAMCAQICFB0oYWN22DniceXRIwddb3e2KVSvMAoG
CCqGSM49BAMCMC4xEjAQBgNVBAoMCWRjYyB0ZXN0czEYMBYGA1UEAwwPT3BlblNT
TCBUZXN0IENBMB4XDTI2MTIwMjIxNTAxMloXDTM2MTEyOTIxNTAxMlowWTELMAkG
A1UEBhMCU0sxEjAQBgNVBAoMCWRjYyB0ZXN0czEWMBQGA1UEAwwNSmFuYSBOb3Zh
a292YTEeMBwGCSqGSIb3DQEJARYPamFuYUBleGFtcGxlLnNrMFkwEwYHKoZIzj0C
AQYIKoZIzj0DAQcDQgAEFoKxn9STvA0w9dzl4bDr8XkGFKA5t6U3UQ1fiWfoQ55c
WmX7N+RktlkB/Psyr0eLDLyYJi5JzBQSmV9v9TTVBaN8MHowCQYDVR0TBAIwADAO
BgNVHQ8BAf8EBAMCBsAwHQYDVR0lBBYwFAYIKwYBBQUHAwIGCCsGAQUFBwMEMB0G
A1UdDgQWBBRKr8KHkiMxwUwCl8N4NYB4gXRAuDAfBgNVHSMEGDAWgBSdDgUccqnP
BykYcv+j0mvIpSljTjAKBggqhkjOPQQDAgNIADBFAiBuRA6ThNgt0wfqAP825TAh
rL+SaRYsgFgahbBpsp+18wIhALc5Uxa+4mSDKALtlbOJ4fV8JdbX5QBEcMIbiDv+
iBBuMYIBZjCCAWICAQOAFEqvwoeSIzHBTAKXw3g1gHiBdEC4MAsGCWCGSAFlAwQC
AaCB5DAYBgkqhkiG9w0BCQMxCwYJKoZIhvcNAQcBMBwGCSqGSIb3DQEJBTEPFw0y
NjEyMDIyMTUwMTdaMC8GCSqGSIb3DQEJBDEiBCAucgNYX7ARaWL9LZ+xRLrszTAE
P9XyNyDk+TJuViB7MDB5BgkqhkiG9w0BCQ8xbDBqMAsGCWCGSAFlAwQBKjALBglg
hkgBZQMEARYwCwYJYIZIAWUDBAECMAoGCCqGSIb3DQMHMA4GCCqGSIb3DQMCAgIA
gDANBggqhkiG9w0DAgIBQDAHBgUrDgMCBzANBggqhkiG9w0DAgIBKDAKBggqhkjO
PQQDAgRHMEUCIB855eAkZYr5b9vcNG4iJ7LJIZhgqg8I3YWPrshG0/xKAiEAv0o2
JYWgvP5MbJe+YJ4JyWanZta+l6i37CKUqk3zjbk=
-----END CMS-----
";

/// 2027-01-01T00:00:00Z, inside the validity of the OpenSSL certificates.
const OPENSSL_NOW: i64 = 1_798_761_600;

#[test]
fn openssl_cms_is_accepted() {
    let trusted = TrustedCas::from_pem(OPENSSL_CA.as_bytes()).unwrap();
    for cms in [OPENSSL_CMS_ATTACHED, OPENSSL_CMS_DETACHED_KEYID] {
        assert_eq!(ProofKind::detect(cms.as_bytes()), ProofKind::Cms);
        let signer = verify_cms(&trusted, cms.as_bytes(), CHALLENGE, OPENSSL_NOW).unwrap();
        assert_eq!(
            signer.subject,
            "emailAddress=jana@example.sk,CN=Jana Novakova,O=dcc tests,C=SK"
        );
        assert_eq!(signer.common_name.as_deref(), Some("Jana Novakova"));
        assert_eq!(signer.email.as_deref(), Some("jana@example.sk"));
        assert_eq!(
            signer.serial_hex,
            "1d28616376d839e271e5d123075d6f77b62954af"
        );
        let err =
            verify_cms(&trusted, cms.as_bytes(), b"other challenge", OPENSSL_NOW).unwrap_err();
        assert!(
            matches!(
                err,
                CertRegError::CmsContentMismatch | CertRegError::CmsDigestMismatch
            ),
            "{err}"
        );
    }
    // Before the certificates' validity (the machine that made them had its clock in 2026).
    let err = verify_cms(&trusted, OPENSSL_CMS_ATTACHED.as_bytes(), CHALLENGE, NOW).unwrap_err();
    assert!(matches!(err, CertRegError::NotYetValid { .. }), "{err}");
}

#[test]
fn unprocessed_critical_extensions_are_refused() {
    let root = root("dcc Test Root CA");
    let mut params = user_params("Jana Nováková");
    let mut ext =
        rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
    ext.set_criticality(true);
    params.custom_extensions = vec![ext];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(
        matches!(err, CertRegError::CriticalExtension { ref oid, .. } if oid == "1.3.6.1.4.1.99999.1"),
        "{err}"
    );
    // webpki does not process certificate policies, so a critical certificatePolicies (anyPolicy
    // here) is refused too.
    let mut params = user_params("Jana Nováková");
    let policies = vec![0x30, 0x08, 0x30, 0x06, 0x06, 0x04, 0x55, 0x1d, 0x20, 0x00];
    let mut ext = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 32], policies);
    ext.set_criticality(true);
    params.custom_extensions = vec![ext];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let err = plain(&cas(&[&root]), &user, &[]).unwrap_err();
    assert!(
        matches!(err, CertRegError::CriticalExtension { ref oid, .. } if oid == "2.5.29.32"),
        "{err}"
    );
    // On an intermediate, the refusal names the intermediate.
    let mut params = ca_params("dcc Odd CA", None);
    let mut ext =
        rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 2], vec![0x05, 0x00]);
    ext.set_criticality(true);
    params.custom_extensions = vec![ext];
    let odd = sub_ca(&root, params, key(&rcgen::PKCS_ECDSA_P256_SHA256));
    let user = self::user(&odd, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &user, &[&odd]).unwrap_err();
    assert_eq!(
        err,
        CertRegError::CriticalExtension {
            subject: "CN=dcc Odd CA,O=dcc tests".into(),
            oid: "1.3.6.1.4.1.99999.2".into(),
        }
    );
}

// ---- what webpki decides and what we add ----

#[test]
fn each_signing_purpose_alone_is_accepted() {
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    use ExtendedKeyUsagePurpose::{Any, ClientAuth, CodeSigning, EmailProtection, ServerAuth};
    for (ekus, accepted) in [
        (vec![ClientAuth], true),
        (vec![EmailProtection], true),
        (vec![Any], true),
        (vec![ServerAuth, EmailProtection], true),
        (vec![CodeSigning], false),
        (vec![ServerAuth, CodeSigning], false),
    ] {
        let mut params = user_params("Jana Nováková");
        params.extended_key_usages = ekus.clone();
        let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
        let got = plain(&trusted, &user, &[]);
        if accepted {
            assert!(got.is_ok(), "{ekus:?}: {got:?}");
        } else {
            assert!(
                matches!(got, Err(CertRegError::ExtendedKeyUsage { .. })),
                "{ekus:?}: {got:?}"
            );
        }
    }
}

#[test]
fn ca_extended_key_usage_must_allow_a_signing_purpose() {
    // webpki applies the extendedKeyUsage check to the intermediates too (EKU chaining).
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    for (ekus, accepted) in [
        (vec![ExtendedKeyUsagePurpose::ServerAuth], false),
        (vec![ExtendedKeyUsagePurpose::EmailProtection], true),
        (
            vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ],
            true,
        ),
    ] {
        let mut params = ca_params("dcc TLS CA", None);
        params.extended_key_usages = ekus.clone();
        let inter = sub_ca(&root, params, key(&rcgen::PKCS_ECDSA_P256_SHA256));
        let user = user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
        let got = plain(&trusted, &user, &[&inter]);
        if accepted {
            assert!(got.is_ok(), "{ekus:?}: {got:?}");
        } else {
            assert_eq!(
                got,
                Err(CertRegError::CaExtendedKeyUsage {
                    subject: "CN=dcc TLS CA,O=dcc tests".into()
                }),
                "{ekus:?}"
            );
        }
    }
}

#[test]
fn intermediate_without_key_cert_sign_is_not_a_ca() {
    let root = root("dcc Test Root CA");
    let mut params = ca_params("dcc CRL-only CA", None);
    params.key_usages = vec![KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let inter = sub_ca(&root, params, key(&rcgen::PKCS_ECDSA_P256_SHA256));
    let user = user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&cas(&[&root]), &user, &[&inter]).unwrap_err();
    assert_eq!(
        err,
        CertRegError::NotACa {
            subject: "CN=dcc CRL-only CA,O=dcc tests".into(),
            reason: "keyUsage lacks keyCertSign".into(),
        }
    );
}

#[test]
fn trust_anchor_path_length_is_honoured() {
    // webpki takes an anchor as a name and a key; its pathLenConstraint is checked here.
    let key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
    let root = Ca {
        cert: ca_params("dcc Flat Root", Some(0))
            .self_signed(&key)
            .unwrap(),
        key,
    };
    let trusted = cas(&[&root]);
    plain(&trusted, &user(&root, &rcgen::PKCS_ECDSA_P256_SHA256), &[]).unwrap();
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let err = plain(
        &trusted,
        &user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256),
        &[&inter],
    )
    .unwrap_err();
    assert_eq!(
        err,
        CertRegError::PathLength {
            subject: "CN=dcc Flat Root,O=dcc tests".into(),
            allowed: 0,
            found: 1,
        }
    );
}

#[test]
fn refusals_name_the_certificate_concerned() {
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    // An intermediate signed by an impostor with the root's name.
    let impostor = self::root("dcc Test Root CA");
    let forged = intermediate(&impostor, "dcc Test Issuing CA");
    let user = user(&forged, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&trusted, &user, &[&forged]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the signature of \"CN=dcc Test Issuing CA,O=dcc tests\" does not verify with the key of \
         \"CN=dcc Test Root CA,O=dcc tests\""
    );
    // An intermediate not valid yet.
    let mut params = ca_params("dcc Future CA", None);
    params.not_before = date_time_ymd(2026, 1, 1);
    let future = sub_ca(&root, params, key(&rcgen::PKCS_ECDSA_P256_SHA256));
    let user = self::user(&future, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&trusted, &user, &[&future]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "certificate \"CN=dcc Future CA,O=dcc tests\" is not valid before 1767225600 (now \
         1748736000, Unix seconds)"
    );
    // The second intermediate of a chain missing its top.
    let inter = intermediate(&root, "dcc Test Issuing CA");
    let lower = self::intermediate(&inter, "dcc Lower CA");
    let user = self::user(&lower, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&trusted, &user, &[&lower]).unwrap_err();
    assert_eq!(
        err,
        CertRegError::UntrustedIssuer {
            subject: "CN=dcc Lower CA,O=dcc tests".into(),
            issuer: "CN=dcc Test Issuing CA,O=dcc tests".into(),
        }
    );
}

#[test]
fn certificates_webpki_cannot_read_are_named() {
    // An extension rcgen writes already, once more: webpki refuses the repetition.
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    let mut params = user_params("Jana Nováková");
    // subjectAltName: SEQUENCE { rfc822Name "a@b.sk" }.
    let san = vec![0x30, 0x08, 0x81, 0x06, b'a', b'@', b'b', b'.', b's', b'k'];
    params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
        &[2, 5, 29, 17],
        san,
    )];
    let user = issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), &root);
    let err = plain(&trusted, &user, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "certificate \"CN=Jana Nováková,O=dcc tests,C=SK\" is refused: an extension is repeated \
         or malformed"
    );
    let mut params = ca_params("dcc Twice Used CA", None);
    // keyUsage: BIT STRING keyCertSign, cRLSign.
    let ku = vec![0x03, 0x02, 0x01, 0x06];
    params.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(
        &[2, 5, 29, 15],
        ku,
    )];
    let inter = sub_ca(&root, params, key(&rcgen::PKCS_ECDSA_P256_SHA256));
    let user = self::user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
    let err = plain(&trusted, &user, &[&inter]).unwrap_err();
    assert_eq!(
        err,
        CertRegError::Refused {
            subject: "CN=dcc Twice Used CA,O=dcc tests".into(),
            reason: "an extension is repeated or malformed".into(),
        }
    );
}

#[test]
fn cms_signature_algorithm_must_fit_the_key() {
    let root = root("dcc Test Root CA");
    let user = user(&root, &rcgen::PKCS_ECDSA_P256_SHA256);
    let cms = build_cms(
        &user,
        CHALLENGE,
        &CmsOptions::new(&user, rfc8410::ID_ED_25519),
    );
    let err = verify_cms(&cas(&[&root]), &cms, CHALLENGE, NOW).unwrap_err();
    assert_eq!(
        err,
        CertRegError::UnsupportedAlgorithm(
            "signature algorithm 1.3.101.112 does not fit the signer's P-256 key".into()
        )
    );
}

// ---- name constraints (processed by webpki) ----

fn constrained(
    parent: &Ca,
    cn: &str,
    permitted: Vec<rcgen::GeneralSubtree>,
    excluded: Vec<rcgen::GeneralSubtree>,
) -> Ca {
    let mut params = ca_params(cn, None);
    params.name_constraints = Some(rcgen::NameConstraints {
        permitted_subtrees: permitted,
        excluded_subtrees: excluded,
    });
    sub_ca(parent, params, key(&rcgen::PKCS_ECDSA_P256_SHA256))
}

/// A user certificate with `dns` in subjectAltName beside the usual rfc822Name (`None`: no
/// subjectAltName at all, the e-mail address in the subject).
fn user_named(ca: &Ca, dns: Option<&str>) -> User {
    let mut params = user_params("Jana Nováková");
    match dns {
        Some(dns) => params
            .subject_alt_names
            .push(SanType::DnsName(dns.try_into().unwrap())),
        None => {
            params.subject_alt_names = vec![];
            params.distinguished_name.push(
                DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]),
                rcgen::DnValue::Ia5String("jana.novakova@example.sk".try_into().unwrap()),
            );
        }
    }
    issue(params, key(&rcgen::PKCS_ECDSA_P256_SHA256), ca)
}

fn assert_name_constraints(got: Result<Signer, CertRegError>, ca: &str, case: &str) {
    match got {
        Err(CertRegError::NameConstraints { subject, ca: found }) => {
            assert!(subject.contains("CN=Jana Nováková"), "{case}: {subject}");
            assert_eq!(found, ca, "{case}");
        }
        other => panic!("{case}: {other:?}"),
    }
}

#[test]
fn dns_name_constraints_are_applied() {
    use rcgen::GeneralSubtree::DnsName;
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    let permits = constrained(
        &root,
        "dcc SK CA",
        vec![DnsName("example.sk".into())],
        vec![],
    );
    plain(
        &trusted,
        &user_named(&permits, Some("jana.example.sk")),
        &[&permits],
    )
    .unwrap();
    // DNS constraints do not apply to rfc822Name or the subject.
    plain(&trusted, &user_named(&permits, None), &[&permits]).unwrap();
    let got = plain(
        &trusted,
        &user_named(&permits, Some("jana.example.cz")),
        &[&permits],
    );
    assert_name_constraints(got, "CN=dcc SK CA,O=dcc tests", "outside permitted");
    let excludes = constrained(
        &root,
        "dcc Not SK CA",
        vec![],
        vec![DnsName("example.sk".into())],
    );
    let got = plain(
        &trusted,
        &user_named(&excludes, Some("jana.example.sk")),
        &[&excludes],
    );
    assert_name_constraints(got, "CN=dcc Not SK CA,O=dcc tests", "inside excluded");
    plain(
        &trusted,
        &user_named(&excludes, Some("jana.example.cz")),
        &[&excludes],
    )
    .unwrap();
}

#[test]
fn trust_anchor_name_constraints_are_applied() {
    let key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
    let mut params = ca_params("dcc CZ Root", None);
    params.name_constraints = Some(rcgen::NameConstraints {
        permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("example.cz".into())],
        excluded_subtrees: vec![],
    });
    let root = Ca {
        cert: params.self_signed(&key).unwrap(),
        key,
    };
    let trusted = cas(&[&root]);
    plain(&trusted, &user_named(&root, Some("jana.example.cz")), &[]).unwrap();
    let got = plain(&trusted, &user_named(&root, Some("jana.example.sk")), &[]);
    assert_name_constraints(got, "CN=dcc CZ Root,O=dcc tests", "anchor");
}

/// webpki implements no rfc822Name constraints and fails closed: any such constraint refuses an
/// rfc822Name in subjectAltName, inside the permitted subtree or not. An address only in the
/// subject's emailAddress attribute is not checked.
#[test]
fn rfc822_name_constraints_refuse_any_email_alt_name() {
    use rcgen::GeneralSubtree::Rfc822Name;
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    let permits = constrained(
        &root,
        "dcc Mail CA",
        vec![Rfc822Name("example.sk".into())],
        vec![],
    );
    // jana.novakova@example.sk is inside the permitted subtree, and still refused.
    let got = plain(
        &trusted,
        &user_named(&permits, Some("jana.example.sk")),
        &[&permits],
    );
    assert_name_constraints(got, "CN=dcc Mail CA,O=dcc tests", "permitted");
    let excludes = constrained(
        &root,
        "dcc No CZ Mail CA",
        vec![],
        vec![Rfc822Name("example.cz".into())],
    );
    let got = plain(
        &trusted,
        &user_named(&excludes, Some("jana.example.sk")),
        &[&excludes],
    );
    assert_name_constraints(got, "CN=dcc No CZ Mail CA,O=dcc tests", "excluded");
    let elsewhere = constrained(
        &root,
        "dcc CZ Mail CA",
        vec![Rfc822Name("example.cz".into())],
        vec![],
    );
    let signer = plain(&trusted, &user_named(&elsewhere, None), &[&elsewhere]).unwrap();
    assert_eq!(signer.email.as_deref(), Some("jana.novakova@example.sk"));
}

/// webpki implements no directoryName constraints and fails closed: a CA with one, permitted or
/// excluded, as an intermediate or a trust anchor, refuses every certificate below it.
#[test]
fn directory_name_constraints_refuse_every_certificate_below() {
    use rcgen::GeneralSubtree::DirectoryName;
    let root = root("dcc Test Root CA");
    let trusted = cas(&[&root]);
    let mut ours = DistinguishedName::new();
    ours.push(DnType::CountryName, "SK");
    ours.push(DnType::OrganizationName, "dcc tests");
    let mut theirs = DistinguishedName::new();
    theirs.push(DnType::OrganizationName, "Elsewhere");
    // The user's subject (C=SK, O=dcc tests, CN=...) is inside the permitted subtree.
    let permits = constrained(
        &root,
        "dcc DN CA",
        vec![DirectoryName(ours.clone())],
        vec![],
    );
    let got = plain(&trusted, &user_named(&permits, None), &[&permits]);
    assert_name_constraints(got, "CN=dcc DN CA,O=dcc tests", "permitted");
    let excludes = constrained(&root, "dcc No DN CA", vec![], vec![DirectoryName(theirs)]);
    let got = plain(
        &trusted,
        &user_named(&excludes, Some("jana.example.sk")),
        &[&excludes],
    );
    assert_name_constraints(got, "CN=dcc No DN CA,O=dcc tests", "excluded");
    // The same as a trust anchor.
    let key = key(&rcgen::PKCS_ECDSA_P256_SHA256);
    let mut params = ca_params("dcc DN Root", None);
    params.name_constraints = Some(rcgen::NameConstraints {
        permitted_subtrees: vec![DirectoryName(ours)],
        excluded_subtrees: vec![],
    });
    let dn_root = Ca {
        cert: params.self_signed(&key).unwrap(),
        key,
    };
    let got = plain(&cas(&[&dn_root]), &user_named(&dn_root, None), &[]);
    assert_name_constraints(got, "CN=dcc DN Root,O=dcc tests", "anchor");
}

// ---- garbage ----

struct Fixture {
    cas: TrustedCas,
    chain_pem: String,
    user_der: Vec<u8>,
    signature: Vec<u8>,
    cms: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = root("dcc Test Root CA");
        let inter = intermediate(&root, "dcc Test Issuing CA");
        let user = user(&inter, &rcgen::PKCS_ECDSA_P256_SHA256);
        let mut o = CmsOptions::new(&user, rfc5912::ECDSA_WITH_SHA_256);
        o.certs.push(inter.cert.der().to_vec());
        let fixture = Fixture {
            cas: cas(&[&root]),
            chain_pem: chain_pem(&user, &[&inter]),
            user_der: user.cert.der().to_vec(),
            signature: sign(&user.key, CHALLENGE),
            cms: build_cms(&user, CHALLENGE, &o),
        };
        verify_plain(
            &fixture.cas,
            fixture.chain_pem.as_bytes(),
            CHALLENGE,
            &fixture.signature,
            NOW,
        )
        .unwrap();
        verify_cms(&fixture.cas, &fixture.cms, CHALLENGE, NOW).unwrap();
        fixture
    })
}

fn exercise(input: &[u8], signature: &[u8]) {
    let f = fixture();
    let _ = TrustedCas::from_pem(input);
    let _ = verify_plain(&f.cas, input, CHALLENGE, signature, NOW);
    let _ = verify_cms(&f.cas, input, CHALLENGE, NOW);
    let _ = ProofKind::detect(input);
    let proof = Proof {
        kind: ProofKind::Cms,
        certificates: input,
        signature: &f.cms,
    };
    let _ = verify(&f.cas, &proof, CHALLENGE, NOW);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(
        input in proptest::collection::vec(any::<u8>(), 0..1024),
        signature in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        exercise(&input, &signature);
    }

    #[test]
    fn pem_wrapped_garbage_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        label in prop::sample::select(vec!["CERTIFICATE", "CMS", "PKCS7", "X"]),
    ) {
        let pem = pem::encode(&pem::Pem::new(label, body));
        exercise(pem.as_bytes(), &[0x30, 0x00]);
    }

    #[test]
    fn mutated_valid_proofs_never_panic(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let f = fixture();
        for original in [f.user_der.as_slice(), f.cms.as_slice(), f.chain_pem.as_bytes()] {
            let mut mutated = original.to_vec();
            mutated[at.index(original.len())] = byte;
            exercise(&mutated, &f.signature);
            exercise(&original[..cut.index(original.len())], &f.signature);
        }
        let mut signature = f.signature.clone();
        signature[at.index(f.signature.len())] ^= byte | 1;
        prop_assert!(verify_plain(&f.cas, f.chain_pem.as_bytes(), CHALLENGE, &signature, NOW).is_err());
    }
}

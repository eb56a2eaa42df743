//! Certificates for a token key: a CSR carrying its public key, and a development DSC that
//! chains to its CSCA, with which the issuer signs HC1s the verifier accepts.

use hcert::crypto::{default_backend, Algorithm};
use hcert::CertType;
use hsm::{KeySpec, TokenSigner};
use issuer::keys;
use issuer::{Policy, SigningIdentity};
use trust_list::{Csca, TrustList};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer as _;

use crate::support::{self, NOW};

/// A development DSC for `signer` under a fresh development CSCA; returns it with the CSCA
/// certificate (PEM).
fn dev_dsc(signer: &TokenSigner, types: Vec<CertType>) -> (Vec<u8>, String) {
    let opts = support::dsc_options(signer_alg(signer), types);
    let dev = keys::generate(&opts).unwrap();
    let dsc = hsm::dev_dsc(
        signer,
        dev.csca.cert_pem.as_bytes(),
        &dev.csca.key_pem,
        &opts,
    )
    .unwrap();
    (dsc, dev.csca.cert_pem)
}

fn signer_alg(signer: &TokenSigner) -> Algorithm {
    use hcert::crypto::Signer as _;
    signer.algorithm()
}

#[test]
fn the_csr_carries_the_token_key() {
    let token = support::token("csr");
    for (alg, spec) in [
        (Algorithm::Es256, KeySpec::Es256),
        (Algorithm::Ps256, KeySpec::Ps256 { bits: 2048 }),
    ] {
        let label = format!("dsc-{alg}");
        token.generate(&label, spec).unwrap();
        let signer = token.signer(&label, alg).unwrap();
        let opts = support::dsc_options(alg, vec![CertType::Vaccination]);
        let pem = hsm::csr(&signer, &opts).unwrap();
        let block = pem::parse(&pem).unwrap();
        assert_eq!(block.tag(), "CERTIFICATE REQUEST", "{alg}");
        let (rest, csr) = X509CertificationRequest::from_der(block.contents()).unwrap();
        assert!(rest.is_empty(), "{alg}");
        let info = &csr.certification_request_info;
        assert_eq!(
            info.subject_pki.raw,
            signer.public_key_der().unwrap().as_slice(),
            "{alg}"
        );
        assert_eq!(
            info.subject.to_string(),
            format!("C=CZ, O=dcc development, CN=dcc development DSC {alg}"),
            "{alg}"
        );
        let extensions: Vec<_> = csr
            .requested_extensions()
            .expect("an extension request")
            .collect();
        assert!(
            extensions
                .iter()
                .any(|e| matches!(e, ParsedExtension::KeyUsage(ku) if ku.digital_signature())),
            "{alg}: {extensions:?}"
        );
        assert!(
            extensions.iter().any(
                |e| matches!(e, ParsedExtension::ExtendedKeyUsage(eku) if !eku.other.is_empty())
            ),
            "{alg}: {extensions:?}"
        );
    }
}

#[test]
fn the_development_dsc_chains_to_the_csca() {
    let token = support::token("dev-dsc");
    token.generate("dsc", KeySpec::Es256).unwrap();
    let signer = token.signer("dsc", Algorithm::Es256).unwrap();
    let (dsc, csca_pem) = dev_dsc(&signer, vec![CertType::Test]);
    let dsc = trust_list::parse_certificate(&dsc).unwrap();
    assert_eq!(&dsc.public_key, signer.public_key());
    trust_list::check_issued_by(&dsc, &Csca::parse_all(csca_pem.as_bytes()).unwrap()).unwrap();
    // Another CSCA did not issue it.
    let other = keys::generate(&support::dsc_options(Algorithm::Es256, Vec::new())).unwrap();
    assert!(trust_list::check_issued_by(
        &dsc,
        &Csca::parse_all(other.csca.cert_pem.as_bytes()).unwrap()
    )
    .is_err());
    // What dcc keys generate puts in a DSC: KeyUsage, the type's EKU, a usage period.
    let limits = dsc.signing_limits().unwrap();
    assert!(
        matches!(
            limits.digital_signature,
            trust_list::DigitalSignature::Allowed
        ),
        "{limits:?}"
    );
    assert!(limits.usage_period.is_some(), "{limits:?}");
    assert_eq!(dsc.key_usage.allowed_types(), [CertType::Test]);
}

#[test]
fn an_hc1_signed_in_the_token_verifies() {
    let token = support::token("hc1");
    let record = fixtures::records()
        .unwrap()
        .into_iter()
        .find(|(k, _)| k == "vaccination")
        .unwrap()
        .1;
    for (alg, spec) in [
        (Algorithm::Es256, KeySpec::Es256),
        (Algorithm::Ps256, KeySpec::Ps256 { bits: 2048 }),
    ] {
        let label = format!("dsc-{alg}");
        token.generate(&label, spec).unwrap();
        let signer = token.signer(&label, alg).unwrap();
        let (dsc, _) = dev_dsc(&signer, Vec::new());
        let id = SigningIdentity::from_signer(Box::new(signer), &dsc, default_backend()).unwrap();
        assert_eq!(id.algorithm(), alg);
        let issued =
            issuer::issue_record(&record, &id, &Policy::new(b"uvci secret".to_vec()), NOW).unwrap();
        let trust = TrustList::from_dscs([id.dsc.clone()], default_backend());
        let report = verifier::verify_text(&issued.hc1, &verifier::Context::new(&trust, NOW));
        assert!(report.is_valid(), "{alg}: {report:?}");
    }
}

#[test]
fn a_token_key_does_not_pair_with_another_keys_dsc() {
    let token = support::token("mismatch");
    token.generate("a", KeySpec::Es256).unwrap();
    token.generate("b", KeySpec::Es256).unwrap();
    let a = token.signer("a", Algorithm::Es256).unwrap();
    let b = token.signer("b", Algorithm::Es256).unwrap();
    let (dsc_of_a, _) = dev_dsc(&a, Vec::new());
    let e = SigningIdentity::from_signer(Box::new(b), &dsc_of_a, default_backend()).unwrap_err();
    assert!(
        e.to_string()
            .contains("does not belong to the signer certificate"),
        "{e}"
    );
}

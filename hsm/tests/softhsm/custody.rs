//! The private key is made in the token and cannot leave it: CKA_SENSITIVE, not
//! CKA_EXTRACTABLE, and its value cannot be read.

use cryptoki::object::{Attribute, AttributeInfo, AttributeType};
use hcert::crypto::Algorithm;
use hsm::KeySpec;

use crate::support;

#[test]
fn the_private_key_never_leaves_the_token() {
    let token = support::token("custody");
    for (alg, spec, secret) in [
        (Algorithm::Es256, KeySpec::Es256, AttributeType::Value),
        (
            Algorithm::Ps256,
            KeySpec::Ps256 { bits: 2048 },
            AttributeType::PrivateExponent,
        ),
    ] {
        let label = format!("dsc-{alg}");
        token.generate(&label, spec).unwrap();
        let signer = token.signer(&label, alg).unwrap();
        let module = support::module();
        let session = module.context().open_ro_session(token.slot()).unwrap();
        let flags = session
            .get_attributes(
                signer.handle(),
                &[
                    AttributeType::Token,
                    AttributeType::Private,
                    AttributeType::Sensitive,
                    AttributeType::AlwaysSensitive,
                    AttributeType::Extractable,
                    AttributeType::NeverExtractable,
                    AttributeType::Sign,
                ],
            )
            .unwrap();
        for expected in [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::AlwaysSensitive(true),
            Attribute::Extractable(false),
            Attribute::NeverExtractable(true),
            Attribute::Sign(true),
        ] {
            assert!(
                flags.contains(&expected),
                "{alg}: {expected:?} in {flags:?}"
            );
        }
        // The secret part is there but sensitive: reading it yields no value.
        let info = session
            .get_attribute_info(signer.handle(), &[secret])
            .unwrap();
        assert!(
            matches!(info.as_slice(), [AttributeInfo::Sensitive]),
            "{alg}: {info:?}"
        );
        let read = session.get_attributes(signer.handle(), &[secret]);
        assert!(
            read.as_ref().map_or(true, |attrs| attrs.is_empty()),
            "{alg}: the private key's {secret:?} was readable"
        );
        // And the key cannot be turned into an extractable one.
        assert!(
            session
                .update_attributes(signer.handle(), &[Attribute::Extractable(true)])
                .is_err(),
            "{alg}"
        );
    }
}

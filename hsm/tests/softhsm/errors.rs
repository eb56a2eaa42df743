//! Each failure is its own error naming module, token, key label or PIN variable, and no error
//! or Debug output shows a PIN.

use hcert::crypto::Algorithm;
use hsm::{Error, KeySpec, Module};
use secrecy::SecretString;

use crate::support::{self, PIN};

#[test]
fn a_wrong_pin_is_refused_by_the_token_and_by_the_process() {
    let module = support::init_token("wrong-pin");
    let wrong = SecretString::from("0000-wrong");
    // Not logged in yet: the token itself refuses the PIN.
    let e = module.token("wrong-pin", &wrong).unwrap_err();
    assert!(
        matches!(&e, Error::WrongPin { token } if token == "wrong-pin"),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "token \"wrong-pin\": the user PIN is wrong");
    // Logged in: a second opening with another PIN is refused too, not waved through.
    let token = module.token("wrong-pin", &support::pin()).unwrap();
    let e = module.token("wrong-pin", &wrong).unwrap_err();
    assert!(matches!(e, Error::WrongPin { .. }), "{e:?}");
    let again = module.token("wrong-pin", &support::pin()).unwrap();
    assert_eq!(again.slot(), token.slot());
    for shown in [format!("{token:?}"), format!("{module:?}")] {
        assert!(!shown.contains(PIN), "{shown}");
        assert!(!shown.contains("0000-wrong"), "{shown}");
    }
}

#[test]
fn an_unknown_token_or_module_is_named() {
    let module = support::module();
    let e = module.token("no-such-token", &support::pin()).unwrap_err();
    assert!(matches!(&e, Error::TokenNotFound { token, .. } if token == "no-such-token"));
    assert_eq!(
        e.to_string(),
        format!(
            "PKCS#11 module {}: no token labelled \"no-such-token\"",
            module.path().display()
        )
    );
    let e = Module::open("/nonexistent/libpkcs11.so").unwrap_err();
    assert_eq!(
        e.to_string(),
        "PKCS#11 module /nonexistent/libpkcs11.so: no such file"
    );
}

#[test]
fn an_unknown_key_label_names_token_and_key() {
    let token = support::token("unknown-key");
    let e = token.signer("dsc-missing", Algorithm::Es256).unwrap_err();
    assert!(matches!(&e, Error::KeyNotFound { token, key }
        if token == "unknown-key" && key == "dsc-missing"));
    assert_eq!(
        e.to_string(),
        "token \"unknown-key\": no private key labelled \"dsc-missing\""
    );
}

#[test]
fn a_label_already_used_is_refused() {
    let token = support::token("duplicate");
    let first = token.generate("dsc", KeySpec::Es256).unwrap();
    let e = token
        .generate("dsc", KeySpec::Ps256 { bits: 2048 })
        .unwrap_err();
    assert!(matches!(&e, Error::KeyExists { token, key } if token == "duplicate" && key == "dsc"));
    assert_eq!(
        e.to_string(),
        "token \"duplicate\": a key labelled \"dsc\" already exists"
    );
    // The first key is untouched.
    let signer = token.signer("dsc", Algorithm::Es256).unwrap();
    assert_eq!(signer.public_key(), &first);
}

#[test]
fn a_key_of_the_wrong_kind_is_refused() {
    let token = support::token("wrong-kind");
    token.generate("dsc", KeySpec::Es256).unwrap();
    let e = token.signer("dsc", Algorithm::Ps256).unwrap_err();
    assert_eq!(
        e.to_string(),
        "token \"wrong-kind\", key \"dsc\": PS256 needs an RSA key, not CKK_EC"
    );
    assert!(token.signer("dsc", Algorithm::EdDsa).is_err());
    assert!(KeySpec::for_algorithm(Algorithm::EdDsa).is_err());
    let e = token
        .generate("small", KeySpec::Ps256 { bits: 1024 })
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "RSA key size 1024 (2048 to 4096 bits, a multiple of 8)"
    );
}

//! The user PIN from an environment variable that configuration names: errors name the
//! variable, never its value.

use std::ffi::OsString;

use secrecy::SecretString;

use crate::error::{Error, Result};

/// The PIN held in the environment variable `var`.
pub fn pin_from_env(var: &str) -> Result<SecretString> {
    pin_from_vars(var, |name| std::env::var_os(name))
}

/// The PIN held in the variable `var` of an environment given as a lookup, so tests need not
/// touch the process's environment.
pub fn pin_from_vars(
    var: &str,
    lookup: impl FnOnce(&str) -> Option<OsString>,
) -> Result<SecretString> {
    let problem = |problem| Error::PinVariable {
        var: var.to_string(),
        problem,
    };
    let value = lookup(var).ok_or_else(|| problem("not set"))?;
    let value = value
        .into_string()
        .map_err(|_| problem("not valid UTF-8"))?;
    if value.is_empty() {
        return Err(problem("empty"));
    }
    Ok(SecretString::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    #[test]
    fn the_error_names_the_variable_and_never_the_value() {
        let pin = pin_from_vars("DCC_HSM_PIN", |_| Some("4711".into())).unwrap();
        assert_eq!(pin.expose_secret(), "4711");
        assert!(!format!("{pin:?}").contains("4711"));
        for (value, text) in [
            (None, "the PIN variable DCC_HSM_PIN is not set"),
            (
                Some(OsString::new()),
                "the PIN variable DCC_HSM_PIN is empty",
            ),
        ] {
            let e = pin_from_vars("DCC_HSM_PIN", |_| value).unwrap_err();
            assert_eq!(e.to_string(), text);
        }
    }
}

//! What every test of the `dcc` binary uses: running it, reading its output, naming paths.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `dcc` with `args` and collects its output.
pub fn dcc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dcc"))
        .args(args)
        .output()
        .expect("run dcc")
}

/// `dcc` with the settings these tests depend on cleared from the environment, in `cwd` (so no
/// stray `dcc.toml` is read).
pub fn dcc_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dcc"));
    c.args(args).current_dir(cwd);
    for var in [
        "DATABASE_URL",
        "DCC_DATABASE_URL",
        "DCC_DATA_DIR",
        "DCC_MODE",
        "DCC_LISTEN",
        "DCC_SMS_URL",
        "DCC_SMTP_HOST",
        "DCC_BASE_URL",
        "NO_COLOR",
        "RUST_LOG",
    ] {
        c.env_remove(var);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// Output bytes as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A path as an argument.
pub fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

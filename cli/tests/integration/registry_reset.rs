//! `dcc admin registry reset`: the helpdesk path names what was wrong (an unknown username, no
//! operator) and exits non-zero; the reset itself is tested through the service in the server's
//! `tests/renewal.rs`.

use crate::common;

use common::{dcc, p, text};

#[test]
fn helpdesk_reset_names_what_was_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = p(&data);
    let out = dcc(&[
        "admin",
        "registry",
        "reset",
        "--username",
        "ZZZZZZZZ",
        "--operator",
        "helpdesk: Eva",
        "--data-dir",
        d,
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("no registry account has the username ZZZZZZZZ"),
        "{err}"
    );
    let out = dcc(&[
        "admin",
        "registry",
        "reset",
        "--username",
        "ZZZZZZZZ",
        "--operator",
        " ",
        "--data-dir",
        d,
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("--operator"), "{err}");
}

//! `dcc serve` and `dcc admin dev seed` as a new user meets them (DESIGN.md "Modes"): a busy port
//! is reported before anything is created on disk, `--listen localhost:PORT` is accepted, a piped
//! log has no colour codes and says where everything is, the mode is checked by name, and the
//! seed runs twice and prints how to log in.

use crate::common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use common::{dcc_in, p, text};

fn run(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    dcc_in(cwd, args, env).output().expect("run dcc")
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn busy_port_is_reported_before_anything_is_created() {
    let tmp = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = busy.local_addr().unwrap().to_string();
    let data = tmp.path().join("data");
    let out = run(
        tmp.path(),
        &["serve", "--listen", &listen, "--data-dir", p(&data)],
        &[],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("cannot listen on {listen}")) && err.contains("in use"),
        "{err}"
    );
    assert!(!data.exists(), "nothing created: {err}");
}

#[test]
fn mode_is_checked_by_name_and_production_needs_delivery() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let port = free_port().to_string();
    let listen = format!("127.0.0.1:{port}");
    let args = ["serve", "--listen", &listen, "--data-dir", p(&data)];
    let out = run(tmp.path(), &args, &[("DCC_MODE", "bogus")]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("DCC_MODE") && err.contains("development or production"),
        "{err}"
    );
    let out = run(tmp.path(), &args, &[("DCC_MODE", "production")]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("DCC_SMS_URL") && err.contains("DCC_SMTP_HOST"),
        "{err}"
    );
    let out = run(
        tmp.path(),
        &["admin", "dev", "seed", "--data-dir", p(&data)],
        &[("DCC_MODE", "production")],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("production"), "{err}");
    assert!(!data.exists(), "nothing created");
    let out = run(tmp.path(), &["serve", "--listen", "localhost"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("host:port"));
}

/// Starts `dcc serve --listen localhost:PORT` with its output piped, waits for it to listen,
/// asks `/health` through the host name, stops it and returns everything it logged.
#[test]
fn serve_takes_a_host_name_and_pipes_a_plain_log() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let listen = format!("localhost:{}", free_port());
    let mut child = dcc_in(
        tmp.path(),
        &["serve", "--listen", &listen, "--data-dir", p(&data)],
        &[],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let listening = loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => {
                let done = line.contains("listening on");
                log.push(line);
                if done {
                    break true;
                }
            }
            Err(_) => break false,
        }
    };
    let health = listening.then(|| {
        let mut s = std::net::TcpStream::connect(&listen).unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    });
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    log.extend(rx.try_iter());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let log = log.join("\n");
    assert!(listening, "no 'listening on' line: {log}\n{stderr}");
    let health = health.unwrap();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        !log.contains('\u{1b}') && !stderr.contains('\u{1b}'),
        "{log}"
    );
    for said in [
        "development mode",
        &format!("http://{listen}/registry"),
        p(&data.join("dcc.db")),
        p(&data.join("sms")),
        p(&data.join("mail")),
        p(&data.join("keys")),
        "DCC_SMS_URL",
        "DCC_SMTP_HOST",
        "dcc admin dev seed",
    ] {
        assert!(log.contains(said), "{said:?} missing from the log:\n{log}");
    }
}

#[test]
fn dev_seed_twice_prints_how_to_log_in() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let seed = ["admin", "dev", "seed", "--data-dir", p(&data)];
    let first = run(tmp.path(), &seed, &[]);
    let out = text(&first.stdout);
    assert!(first.status.success(), "{out}{}", text(&first.stderr));
    for said in [
        "provider API token",
        "shown only now",
        "855101/0006",
        "DEMO00001",
        "http://127.0.0.1:8080/",
        "http://127.0.0.1:8080/registry",
        "PIN Ukazka-Lekar-7291",
        p(&data.join("sms")),
        p(&data.join("mail")),
        "certificate URN:UVCI:01:CZ:",
    ] {
        assert!(out.contains(said), "{said:?} missing:\n{out}");
    }
    let username = out
        .split("username ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .to_string();
    assert_eq!(username.len(), 8, "{out}");
    let again = run(tmp.path(), &seed, &[]);
    let out2 = text(&again.stdout);
    assert!(again.status.success(), "{out2}{}", text(&again.stderr));
    assert!(out2.contains("already there"), "{out2}");
    assert!(out2.contains("made by an earlier seed"), "{out2}");
    assert!(out2.contains("(0 recorded now)"), "{out2}");
    assert!(out2.contains(&format!("username {username},")), "{out2}");
}

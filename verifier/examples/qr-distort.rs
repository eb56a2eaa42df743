//! The distorted-QR set of issue 20, for `scripts/qr-measure`: `generate DIR` writes the code
//! of the fixture certificate (`--fresh`: of one issued now) in every distortion class; `read
//! DIR` decodes each picture with `verifier::qr::decode` in this one process and says whether
//! the text came back; `issue` prints a fresh certificate (how `fixtures/qr/distort-hc1.txt`
//! was made).
//!
//! ```text
//! cargo run --release -p verifier --example qr-distort -- generate DIR [--per-class N] [--seed S] [--classes a,b] [--lean] [--fresh]
//! cargo run --release -p verifier --example qr-distort -- read DIR
//! cargo run --release -p verifier --example qr-distort -- issue
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/distort/mod.rs"]
mod distort;

use std::path::{Path, PathBuf};
use std::time::Instant;

use distort::{Class, Code, Size};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") if args.len() >= 2 => generate(Path::new(&args[1]), &args[2..]),
        Some("read") if args.len() == 2 => read(Path::new(&args[1])),
        Some("issue") if args.len() == 1 => println!("{}", distort::issue_hc1()),
        _ => {
            eprintln!(
                "usage: qr-distort generate DIR [--per-class N] [--seed S] [--classes a,b] \
                 [--lean] [--fresh]\n       qr-distort read DIR\n       qr-distort issue"
            );
            std::process::exit(2);
        }
    }
}

/// Writes `DIR/expected.txt` (the `HC1:` text), the pictures and `DIR/manifest.tsv` (file,
/// class, parameters).
fn generate(dir: &Path, opts: &[String]) {
    let mut per_class = 30;
    let mut seed = 20;
    let mut classes = Class::ALL.to_vec();
    let mut size = Size::Full;
    let mut fresh = false;
    let mut it = opts.iter();
    while let Some(opt) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{opt} needs a value"));
        match opt.as_str() {
            "--per-class" => per_class = value().parse().unwrap(),
            "--seed" => seed = value().parse().unwrap(),
            "--classes" => {
                classes = value()
                    .split(',')
                    .map(|c| Class::parse(c).unwrap_or_else(|| panic!("no class {c}")))
                    .collect()
            }
            "--lean" => size = Size::Lean,
            "--fresh" => fresh = true,
            other => panic!("unknown option {other}"),
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    let hc1 = if fresh {
        distort::issue_hc1()
    } else {
        distort::fixture_hc1()
    };
    let matrix = issuer::qr::encode(&hc1).unwrap();
    let code = Code::of(&matrix);
    std::fs::write(dir.join("expected.txt"), &hc1).unwrap();
    let mut manifest = String::new();
    for class in classes {
        for i in 0..per_class {
            let p = distort::picture(&code, class, i, seed, size);
            let file = format!("{}-{i:03}.{}", class.name(), p.ext);
            std::fs::write(dir.join(&file), &p.bytes).unwrap();
            manifest.push_str(&format!("{file}\t{}\t{}\n", class.name(), p.params));
        }
    }
    std::fs::write(dir.join("manifest.tsv"), manifest).unwrap();
    eprintln!(
        "{}: QR version {}, {} characters",
        dir.display(),
        matrix.version(),
        hc1.len()
    );
}

/// Prints `file TAB class TAB 1|0 TAB milliseconds` for each picture of the manifest.
fn read(dir: &Path) {
    let expected = std::fs::read_to_string(dir.join("expected.txt")).unwrap();
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    for line in manifest.lines() {
        let mut cols = line.split('\t');
        let (file, class) = (cols.next().unwrap(), cols.next().unwrap());
        let bytes = std::fs::read(PathBuf::from(dir).join(file)).unwrap();
        let t = Instant::now();
        let got = verifier::qr::decode(&bytes);
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let ok = got.as_deref() == Ok(expected.trim());
        println!("{file}\t{class}\t{}\t{ms:.1}", u8::from(ok));
    }
}

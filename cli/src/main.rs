//! `dcc`: issue and verify EU Digital COVID Certificates from the command line. Exit codes:
//! 0 success (valid), 1 failure (not valid, not issued), 2 usage error.
#![forbid(unsafe_code)]

mod clock;
mod cmd;
mod dgca;
mod fetch;
mod files;
mod list_trust;
mod passphrase;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// mimalloc instead of the system allocator: the server's request path allocates small
/// buffers on two threads, where glibc's malloc took about a tenth of the CPU under load
/// (`perf` during scripts/load-verify).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Health certificates in the EU DCC format: issue, verify, keys, trust lists.
#[derive(Parser)]
#[command(name = "dcc", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify an HC1 text or QR image and report every check.
    Verify(cmd::verify::VerifyArgs),
    /// Sign a record (DCC JSON) and print the HC1 text.
    Issue(cmd::issue::IssueArgs),
    /// Decode an HC1 text or QR image without checking trust.
    Decode(cmd::decode::DecodeArgs),
    /// Development keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Build or check trust lists.
    #[command(name = "trust-list")]
    TrustList {
        #[command(subcommand)]
        command: cmd::trust::TrustCommand,
    },
    /// Evaluate a CertLogic expression on data.
    Certlogic(cmd::certlogic::CertlogicArgs),
    /// Evaluate business rules (Rule JSON) on a DCC payload.
    Rules(cmd::rules::RulesArgs),
    /// Validate a DCC payload against the schema of its version.
    Schema(cmd::schema::SchemaArgs),
    /// Generate keys, issue one certificate of each type and verify them.
    Demo(DemoArgs),
    /// Run the server: provider API, automatic issuance and e-mail, verifier back end.
    Serve(cmd::serve::ServeArgs),
    /// Organisations, API tokens and the development population registry.
    Admin(cmd::admin::AdminArgs),
    /// Revoke a certificate (by UVCI) or the superseded ones, in the server's database.
    Revoke(cmd::revoke::RevokeArgs),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Generate a development CSCA, DSC, trust-list CA and trust-list signer.
    Generate(cmd::keys::GenerateArgs),
}

#[derive(Args)]
struct DemoArgs {
    /// Where keys and certificates go.
    #[arg(long, default_value = "dcc-data")]
    data_dir: PathBuf,
}

/// How a command ended.
pub enum Outcome {
    /// Success, or a valid certificate.
    Ok,
    /// A certificate not valid, or a record not issued.
    Failed,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Verify(a) => cmd::verify::run(a),
        Command::Issue(a) => cmd::issue::run(a),
        Command::Decode(a) => cmd::decode::run(a),
        Command::Keys {
            command: KeysCommand::Generate(a),
        } => cmd::keys::run(a),
        Command::TrustList { command } => cmd::trust::run(command),
        Command::Schema(a) => cmd::schema::run(a),
        Command::Certlogic(a) => cmd::certlogic::run(a),
        Command::Rules(a) => cmd::rules::run(a),
        Command::Demo(a) => cmd::demo::run(&a.data_dir),
        Command::Serve(a) => cmd::serve::run(a),
        Command::Admin(a) => cmd::admin::run(a),
        Command::Revoke(a) => cmd::revoke::run(a),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

//! The dcc server: provider API with automatic issuance and e-mail, the verifier back end
//! (signed trust list, rules, value sets, `POST /verify`), storage on SQLite or PostgreSQL, and
//! operations endpoints: the web layer. Handlers are thin; the domain lives in the `service`
//! crate and storage in the `store` crate, re-exported here under the paths the handlers use.
#![forbid(unsafe_code)]

pub mod decode_pool;
pub mod error;
pub mod i18n;
pub mod input;
pub mod listener;
pub mod metrics;
pub mod pages;
pub mod portal;
mod routes;
pub mod service;
pub mod state;

use std::sync::Arc;

pub use ::service::population as registry;
pub use ::service::{
    admin, bootstrap, captcha, certreg, clock, config, mail, outbox, pin, ratelimit, secrets, sms,
    validate,
};
pub use store::{self, seal};

pub use config::Config;
pub use listener::{serve_on, Limits};
pub use routes::{app, JSON_LIMIT, VERIFY_LIMIT};
pub use state::{AppState, Overrides, StartError, Started};

/// Runs `dcc serve`: opens everything, starts the outbox worker, serves until Ctrl-C or
/// SIGTERM (connections get `server.shutdown_grace_secs` to finish), then lets the worker
/// finish its batch.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let clock: Arc<dyn clock::Clock> = Arc::new(clock::SystemClock);
    let listen = config.listen;
    let (state, started) = AppState::open(config, clock.clone(), Overrides::default()).await?;
    warn_signing_window(
        &state.issuance.identity,
        clock::Clock::now(clock.as_ref()).unix_timestamp(),
    );
    let cfg = state.config.clone();
    tracing::info!(
        data_dir = %cfg.data_dir.display(),
        keys_dir = %started.keys_dir.display(),
        keys_generated = started.keys_generated,
        database = started.backend,
        "dcc server starting"
    );
    if started.keys_generated {
        tracing::info!(
            "generated development keys in {} (DSC dsc.pem, trust-list signer trust-list.pem)",
            started.keys_dir.display()
        );
    }
    if started.backend == "sqlite" && cfg.database_url.is_none() {
        tracing::info!("SQLite database {}", cfg.data_dir.join("dcc.db").display());
    }
    if cfg.smtp.host.is_none() {
        tracing::info!(
            "no SMTP host configured: e-mails are written to {}",
            cfg.data_dir.join("mail").display()
        );
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| StartError::Io(format!("cannot listen on {listen}: {e}")))?;
    let bound = listener.local_addr().unwrap_or(listen);
    tracing::info!("listening on http://{bound}");
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = cfg
        .outbox
        .worker
        .then(|| tokio::spawn(outbox::run(state.ctx.clone(), stop_rx)));
    let limits = Limits::from(&cfg.server).within_fd_limit(listener::open_files_limit());
    serve_on(listener, app(state), limits, shutdown_signal()).await;
    let _ = stop_tx.send(true);
    if let Some(w) = worker {
        let _ = w.await;
    }
    Ok(())
}

/// Warns at start when the DSC's key may not sign now, or stops within 30 days (SECURITY.md
/// 42): issuance is refused outside the key's usage period, while verification goes on.
fn warn_signing_window(identity: &issuer::SigningIdentity, now: i64) {
    const MONTH: i64 = 30 * 86_400;
    let window = identity.signing_window();
    let show = |t: i64| {
        time::OffsetDateTime::from_unix_timestamp(t)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| t.to_string())
    };
    if now < window.from || now > window.until {
        tracing::warn!(
            "the DSC's key may sign only from {} to {}: certificates are not issued now; \
             install a new DSC (for development keys: move the keys directory away and restart)",
            show(window.from),
            show(window.until)
        );
    } else if window.until - now < MONTH {
        tracing::warn!(
            "the DSC's key may sign until {}; install a new DSC before then",
            show(window.until)
        );
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

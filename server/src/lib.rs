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
mod quota;
mod routes;
pub mod service;
pub mod state;

use std::sync::Arc;

pub use ::service::population as registry;
pub use ::service::{
    admin, bootstrap, captcha, certreg, clock, config, dev, mail, outbox, pin, ratelimit, secrets,
    sink, sms, validate,
};
pub use store::{self, seal};

pub use config::Config;
pub use listener::{serve_on, Limits};
pub use routes::{app, JSON_LIMIT, VERIFY_LIMIT};
pub use state::{AppState, Overrides, StartError, Started};

/// Runs `dcc serve`: binds the listening socket first (a busy port is reported before anything
/// is created on disk), opens everything, logs where everything is, starts the outbox worker,
/// serves until Ctrl-C or SIGTERM (connections get `server.shutdown_grace_secs` to finish), then
/// lets the worker finish its batch.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let clock: Arc<dyn clock::Clock> = Arc::new(clock::SystemClock);
    config.check_production(false, false)?;
    let listener = bind(&config.listen).await?;
    let bound = listener
        .local_addr()
        .map_err(|e| StartError::Io(format!("cannot listen on {}: {e}", config.listen)))?;
    let (state, started) = AppState::open(config, clock.clone(), Overrides::default()).await?;
    let now = clock::Clock::now(clock.as_ref()).unix_timestamp();
    if let Some(newest) = state.issuance.newest() {
        warn_signing_window(&newest, now);
    }
    let cfg = state.config.clone();
    log_start(&cfg, &started, bound);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let follower = tokio::spawn(::service::keys::follow(state.ctx.clone(), stop_rx.clone()));
    let worker = cfg
        .outbox
        .worker
        .then(|| tokio::spawn(outbox::run(state.ctx.clone(), stop_rx)));
    let limits = Limits::from(&cfg.server).within_fd_limit(listener::open_files_limit());
    serve_on(listener, app(state), limits, shutdown_signal()).await;
    let _ = stop_tx.send(true);
    let _ = follower.await;
    if let Some(w) = worker {
        let _ = w.await;
    }
    Ok(())
}

/// Binds `host:port`, resolving a host name (`localhost:8080`) and taking the first address
/// that binds. The error names the address and says why (a port in use, a name that does not
/// resolve).
pub async fn bind(listen: &str) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                "the port is in use by another program (stop it, or choose another port with \
                 --listen or DCC_LISTEN)"
                    .to_string()
            }
            _ => e.to_string(),
        };
        StartError::Io(format!("cannot listen on {listen}: {why}"))
    })
}

/// The start-up summary (DESIGN.md "Modes"): the mode, where to open the portals, the database,
/// where keys, e-mails and SMS go, and in development how to get demo data and real delivery.
fn log_start(cfg: &Config, started: &Started, bound: std::net::SocketAddr) {
    // Port 0 asks the system for one: show the one bound.
    let url = if cfg.portal.base_url.is_none() && cfg.listen.ends_with(":0") {
        format!("http://{bound}")
    } else {
        cfg.base_url()
    };
    let database = if started.backend == "sqlite" && cfg.database_url.is_none() {
        format!("SQLite {}", cfg.data_dir.join("dcc.db").display())
    } else {
        // The URL may hold a password: the kind only.
        format!("{} (DATABASE_URL)", started.backend)
    };
    tracing::info!(
        mode = cfg.mode.as_str(),
        listen = %bound,
        data_dir = %cfg.data_dir.display(),
        keys_generated = started.keys_generated,
        "dcc server starting in {} mode",
        cfg.mode.as_str()
    );
    tracing::info!(
        "open {url}/ (citizens), {url}/registry (registry users), {url}/verify (scanner)"
    );
    tracing::info!("database: {database}");
    tracing::info!(
        "signing keys: {}{}",
        started.keys_dir.display(),
        if started.keys_generated {
            " (development keys generated now)"
        } else {
            ""
        }
    );
    match &started.mail_dir {
        Some(dir) => tracing::info!(
            "e-mail: written to files in {} (set DCC_SMTP_HOST, smtp.host, to send by SMTP)",
            dir.display()
        ),
        None if cfg.smtp.host.is_some() => tracing::info!("e-mail: sent by SMTP"),
        None => {}
    }
    match &started.sms_dir {
        Some(dir) => tracing::info!(
            "SMS: written to files in {}, one-time codes included (set DCC_SMS_URL, sms.url, to \
             send through an SMS gateway)",
            dir.display()
        ),
        None if cfg.sms.url.is_some() => tracing::info!("SMS: sent through the SMS gateway"),
        None => {}
    }
    if cfg.mode == config::Mode::Development {
        tracing::info!(
            "demo data: `dcc admin dev seed{}` creates a demo organisation, citizen and registry \
             user and prints how to log in",
            if cfg.data_dir == std::path::Path::new("dcc-data") {
                String::new()
            } else {
                format!(" --data-dir {}", cfg.data_dir.display())
            }
        );
    }
    tracing::info!("listening on http://{bound}");
}

/// Warns at start when the DSC's key may not sign now, or stops within 30 days (SECURITY.md
/// 42): issuance is refused outside the key's usage period, while verification goes on.
fn warn_signing_window(identity: &issuer::SigningIdentity, now: i64) {
    const MONTH: i64 = 30 * 86_400;
    let window = identity.signing_window();
    let show = ::service::admin::keys::rfc3339;
    if now < window.from || now > window.until {
        tracing::warn!(
            "the DSC's key may sign only from {} to {}: certificates are not issued now; \
             add and activate a new one (`dcc admin keys add`, `dcc admin keys activate`)",
            show(window.from),
            show(window.until)
        );
    } else if window.until - now < MONTH {
        tracing::warn!(
            "the DSC's key may sign until {}; add a new DSC before then (`dcc admin keys add`)",
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

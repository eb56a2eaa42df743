//! The web layer's state: the domain's [`Ctx`] and what only the web needs beside it (page
//! templates, the HTTP limiter of `/verify`, request metrics, the image-decoding pool).
//! Handlers read the context's parts through it (`app.store`), and pass `&app` wherever an
//! operation takes `&Ctx`.

use std::sync::Arc;

pub use service::ctx::{Ctx, Issuance, ListSigner, Overrides, StartError, Started};

use crate::clock::Clock;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::ratelimit::IpLimiter;

/// Shared by every handler: one `Arc`, so the clones that axum makes for every middleware and
/// extractor of every request cost one atomic increment, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    /// The domain's context.
    pub ctx: Ctx,
    /// Request counters and the domain's counters, for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The per-IP limit of `POST /verify`; `None` when switched off.
    pub verify_limiter: Option<Arc<IpLimiter>>,
    /// The portal's page templates.
    pub pages: Arc<crate::pages::Pages>,
    /// The scan form's image decoders: a fixed pool with a bounded queue (issue 18).
    pub decode_pool: Arc<crate::decode_pool::DecodePool>,
}

impl std::ops::Deref for Shared {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store.backend())
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the domain's context ([`Ctx::open`]: data directory, keys, secret, database,
    /// public resources, senders) and adds the web's parts.
    pub async fn open(
        config: Config,
        clock: Arc<dyn Clock>,
        overrides: Overrides,
    ) -> Result<(AppState, Started), StartError> {
        let (ctx, started) = Ctx::open(config, clock, overrides).await?;
        Ok((AppState::with(ctx), started))
    }

    /// The web's parts around an open context.
    pub fn with(ctx: Ctx) -> AppState {
        AppState(Arc::new(Shared {
            metrics: Arc::new(Metrics::new(ctx.counters.clone())),
            verify_limiter: IpLimiter::per_minute(ctx.config.verify_per_minute).map(Arc::new),
            pages: Arc::new(crate::pages::Pages::with_operator(
                ctx.config.operator.clone(),
            )),
            decode_pool: Arc::new(crate::decode_pool::DecodePool::new(
                ctx.config.decode.workers(),
                ctx.config.decode.queue(),
            )),
            ctx,
        }))
    }
}

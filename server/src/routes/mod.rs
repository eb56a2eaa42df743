//! The router: verifier back end, provider API and operations endpoints, with the request span
//! (route template only, never the URI), per-route metrics, body limits and error logging.

mod ops;
mod provider;
mod verify;

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::error::InternalDetail;
use crate::state::AppState;

/// JSON bodies of the provider API (SECURITY.md 50).
pub const JSON_LIMIT: usize = 64 * 1024;
/// `POST /verify` bodies (SECURITY.md 39).
pub const VERIFY_LIMIT: usize = 8 * 1024;

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(ops::health))
        .route("/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .route("/trust-list", get(verify::trust_list))
        .route("/rules", get(verify::rules_index))
        .route("/rules/{hash}", get(verify::rule))
        .route("/valuesets", get(verify::valuesets_index))
        .route("/valuesets/{hash}", get(verify::valueset))
        .route(
            "/verify",
            post(verify::verify).layer(DefaultBodyLimit::max(VERIFY_LIMIT)),
        )
        .route("/api/v1/records", post(provider::create_record))
        .route("/api/v1/records/{id}", get(provider::record))
        .route(
            "/api/v1/persons/{person_id}/records",
            get(provider::person_records),
        )
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            tracing::info_span!("http", method = %req.method(), route)
        }))
        .with_state(state)
}

/// Counts the request by route template and logs the detail of internal errors (which the
/// response itself hides).
async fn observe(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    if let Some(InternalDetail(detail)) = resp.extensions().get::<InternalDetail>() {
        tracing::error!(route = %route, error = %detail, "internal error");
    }
    app.metrics.request(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

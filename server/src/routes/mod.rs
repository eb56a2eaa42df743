//! The router: verifier back end, provider API and operations endpoints, with the request span
//! (route template only, never the URI), per-route metrics, body limits and error logging.

mod ops;
mod provider;
mod verify;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::{AppError, InternalDetail};
use crate::state::AppState;

/// JSON bodies of the provider API (SECURITY.md 50).
pub const JSON_LIMIT: usize = 64 * 1024;
/// `POST /verify` bodies (SECURITY.md 39).
pub const VERIFY_LIMIT: usize = 8 * 1024;

/// Longest time a request may take (SECURITY.md 50).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole application.
pub fn app(state: AppState) -> Router {
    // The verifier back end is public and the only part browsers of other origins may call
    // (SECURITY.md 27); `POST /verify` is limited per client IP in memory (SECURITY.md 49).
    let verifier = Router::new()
        .route("/trust-list", get(verify::trust_list))
        .route("/rules", get(verify::rules_index))
        .route("/rules/{hash}", get(verify::rule))
        .route("/valuesets", get(verify::valuesets_index))
        .route("/valuesets/{hash}", get(verify::valueset))
        .route("/revocation-list", get(verify::revocation_list))
        .route(
            "/verify",
            post(verify::verify)
                .layer(DefaultBodyLimit::max(VERIFY_LIMIT))
                .layer(middleware::from_fn_with_state(state.clone(), verify_limit)),
        )
        .layer(cors(&state.config.cors_origins));
    Router::new()
        .route("/health", get(ops::health))
        .route("/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .route("/api/v1/records", post(provider::create_record))
        .route("/api/v1/records/{id}", get(provider::record))
        .route(
            "/api/v1/persons/{person_id}/records",
            get(provider::person_records),
        )
        .route(
            "/api/v1/certificates/{uvci}/revoke",
            post(provider::revoke_certificate),
        )
        .merge(verifier)
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
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

/// CORS for the verifier routes: only the configured origins (checked at start-up: never
/// `null` or `*`), no credentials.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::IF_NONE_MATCH])
        .expose_headers([header::ETAG])
        .max_age(Duration::from_secs(3600))
}

/// The per-IP limit of `POST /verify`. The client is the connection's peer address; requests
/// without one (in-process tests) share one bucket.
async fn verify_limit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(limiter) = &app.verify_limiter {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        if let Err(secs) = limiter.check(ip) {
            return AppError::TooManyRequests(secs).into_response();
        }
    }
    next.run(req).await
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

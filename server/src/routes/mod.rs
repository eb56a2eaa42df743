//! The router: verifier back end, provider API and operations endpoints, with the request span
//! (route template only, never the URI), per-route metrics, body limits and error logging.

mod dgca;
mod openapi;
mod ops;
mod provider;
mod schema;
mod verify;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::error::InternalDetail;
use crate::state::AppState;
use crate::store::RequestContext;

pub use crate::input::{JSON_LIMIT, VERIFY_LIMIT};

/// Longest time a request may take (SECURITY.md 50).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole application.
///
/// Laid out for the cost per request: axum clones a route's whole layer stack on every request,
/// and each `from_fn` layer clones the stack beneath it once more. So a route carries only what
/// needs the matched route (the request span and [`observe`], which also applies the timeout
/// and the input hygiene), and the security headers wrap the router once, outside it.
pub fn app(state: AppState) -> Router {
    // The verifier back end is public and the only part browsers of other origins may call
    // (SECURITY.md 27); `POST /verify` is limited per client IP in memory (SECURITY.md 49,
    // `quota::VerifyQuota`).
    let verifier = Router::new()
        .route("/trust-list", get(verify::trust_list))
        .route("/rules", get(verify::rules_index))
        // Ours by hash and the DGCA index by country: one pattern, the handler tells them apart.
        .route(
            "/rules/{country_or_hash}",
            get(dgca::rules_by_country_or_hash),
        )
        .route("/rules/{country}/{hash}", get(dgca::country_rule))
        .route("/countrylist", get(dgca::country_list))
        .route(
            "/signercertificateUpdate",
            get(dgca::signer_certificate_update),
        )
        .route(
            "/signercertificateStatus",
            get(dgca::signer_certificate_status),
        )
        .route("/valuesets", get(verify::valuesets_index))
        .route("/valuesets/{hash}", get(verify::valueset))
        .route("/revocation-list", get(verify::revocation_list))
        .route(
            "/verify",
            post(verify::verify)
                .layer(DefaultBodyLimit::max(VERIFY_LIMIT))
                // The validators' scanner page (portal), added after the layer so the limit
                // does not apply to it; one method router, so the CORS preflight of
                // `POST /verify` still answers.
                .get(crate::portal::scanner_page),
        )
        // The scanner's frames and photos (portal; it refuses other origins itself), in the
        // per-IP bucket of `POST /verify` (SECURITY.md 49).
        .route(
            "/verify/image",
            post(crate::portal::scanner_check).layer(DefaultBodyLimit::max(
                crate::portal::PHOTO_LIMIT + 64 * 1024,
            )),
        )
        .layer(cors(&state.config.cors_origins));
    let api = Router::new()
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
        .layer(DefaultBodyLimit::max(JSON_LIMIT));
    let routed = Router::new()
        .route("/health", get(ops::health))
        .route("/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .merge(api)
        .merge(verifier)
        .merge(crate::portal::routes(&state))
        // Nothing matched: an HTML page for browsers, the JSON problem for the API.
        .fallback(crate::portal::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            tracing::info_span!(
                "http",
                method = %req.method(),
                route,
                request_id = tracing::field::Empty
            )
        }))
        .with_state(state);
    // Outermost, so timeouts and the generic 500 body carry the headers too; around the router
    // as a whole, so it is not cloned with each route.
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .layer(middleware::from_fn(security_headers))
            .service(routed),
    )
}

/// The headers every response carries (SECURITY.md 25, 26): a strict CSP (unless the handler
/// set its own, [`crate::portal::csp_with_form_target`]), HSTS, no sniffing,
/// no referrer, no framing; `no-store` unless the handler chose its own caching (the public
/// trust list, rules and value sets set `ETag` and `Cache-Control`).
async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(crate::portal::CSP),
        );
    }
    h.insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The body of an unexpected failure (SECURITY.md 28): the generic page or JSON with the
/// request id that the log line carries, nothing else.
fn generic_error(app: &AppState, failed: &Response, request_id: &str) -> Response {
    let html = failed
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let mut resp = if html {
        let lang = crate::portal::Lang::Cs;
        let page = app.pages.render(
            "message.html",
            lang,
            "/",
            minijinja::context! {
                heading => lang.t("error_title"), text => lang.t("error"),
                link => "/", link_text => lang.t("to_home"), request_id,
            },
        );
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page.unwrap_or_else(|_| format!("Internal error. Request id: {request_id}")),
        )
            .into_response()
    } else {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({
                "error": "internal",
                "message": "Something went wrong",
                "request_id": request_id,
            })),
        )
            .into_response()
    };
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// CORS for the verifier routes: only the configured origins (checked at start-up: never
/// `null` or `*`), no credentials. The origins are matched by a predicate over a shared list
/// rather than `AllowOrigin::list`: the layer is cloned with its route on every request, and a
/// list would be copied each time.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: std::sync::Arc<[HeaderValue]> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origins.contains(origin)
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("x-resume-token"),
        ])
        .expose_headers([
            header::ETAG,
            header::HeaderName::from_static("x-kid"),
            header::HeaderName::from_static("x-resume-token"),
        ])
        .max_age(Duration::from_secs(3600))
}

/// Gives the request its id and client address for the audit trail (SECURITY.md 47) and the
/// request span, screens its input (`input::screen`: a 400 before the handler), bounds its time
/// ([`REQUEST_TIMEOUT`]: 408), counts it by route template and logs the detail of internal
/// errors (which the response itself hides) under the same id.
async fn observe(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let client_ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let context = RequestContext::new(client_ip);
    let request_id = context.request_id.clone();
    tracing::Span::current().record("request_id", request_id.as_str());
    let start = Instant::now();
    let handled = context.scope(async move {
        match crate::input::screen(req).await {
            Ok(req) => next.run(req).await,
            Err(refused) => refused,
        }
    });
    let mut resp = match tokio::time::timeout(REQUEST_TIMEOUT, handled).await {
        Ok(resp) => resp,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    };
    if let Some(InternalDetail(detail)) = resp.extensions().get::<InternalDetail>() {
        tracing::error!(route = %route, request_id = %request_id, error = %detail, "internal error");
        resp = generic_error(&app, &resp, &request_id);
    }
    app.metrics.request(
        method.as_str(),
        route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}
